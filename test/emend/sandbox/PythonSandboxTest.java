package emend.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class PythonSandboxTest {

    private static final PythonSandbox SANDBOX = TestSandboxes.shortLimits();
    private static final String ADD_TESTS = "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n";

    private static SandboxResult run(String program, String tests) {
        return SANDBOX.run(program, "add", tests);
    }

    private static void assertVerdict(Verdict expected, String reasonPart, SandboxResult result) {
        assertEquals(expected, result.verdict(), result.toString());
        assertTrue(result.reason().contains(reasonPart), result.toString());
    }

    @Test
    void run_correctProgram_passesEveryTest() {
        SandboxResult result = run("def add(a, b):\n    return a + b\n", ADD_TESTS);
        assertVerdict(Verdict.PASSED, "every assert held (2 ran)", result);
        assertEquals(2, result.assertsHeld());
        assertEquals(1, result.score());
    }

    @Test
    void run_wrongProgram_namesTheFailingAssert() {
        SandboxResult result = run("def add(a, b):\n    return a - b\n", ADD_TESTS);
        assertVerdict(Verdict.ASSERTION, "test line 1: assert add(1, 2) == 3", result);
        assertEquals(0, result.score());
    }

    @Test
    void run_laterAssertFails_countsThePassedOnes() {
        SandboxResult result = run("def add(a, b):\n    return 3\n", ADD_TESTS);
        assertVerdict(Verdict.ASSERTION, "test line 2", result);
        assertEquals(1, result.assertsHeld());
    }

    @Test
    void run_programThatDoesNotParse_isAnErrorSayingSo() {
        assertVerdict(Verdict.ERROR, "does not load: SyntaxError", run("def add(a, b) return a\n", ADD_TESTS));
        assertVerdict(Verdict.ERROR, "defines no function add", run("def plus(a, b):\n    return a + b\n", ADD_TESTS));
    }

    @Test
    void run_functionRaises_isAnErrorWithTheExceptionType() {
        assertVerdict(Verdict.ERROR, "ZeroDivisionError", run("def add(a, b):\n    return a / 0\n", ADD_TESTS));
    }

    @Test
    void run_testExpectingABuiltinException_seesThatException() {
        String tests = "try:\n    add(-1, 0)\nexcept ValueError:\n    pass\nelse:\n    assert False, 'no ValueError'\nassert add(1, 1) == 2\n";
        String program = "def add(a, b):\n    if a < 0:\n        raise ValueError('negative')\n    return a + b\n";
        assertVerdict(Verdict.PASSED, "every assert held (1 ran)", run(program, tests));
    }

    @Test
    void run_stopIterationFromTheCandidate_cannotEndTheTestsIterationEarly() {
        // map() ends quietly on a StopIteration, so all() would be True with no comparison made
        String tests = "assert all(map(lambda v: add(v, 1) == v + 1, [1, 2, 3]))\n";
        assertVerdict(Verdict.ERROR, "raised StopIteration", run("def add(a, b):\n    raise StopIteration\n", tests));
        assertVerdict(Verdict.ERROR, "raised StopAsyncIteration", run("def add(a, b):\n    raise StopAsyncIteration\n", tests));
        assertVerdict(Verdict.PASSED, "every assert held", run("def add(a, b):\n    return a + b\n", tests));
    }

    @Test
    void run_humanEvalStyleCheckFunction_isCalledWithTheCandidate() {
        String tests = "METADATA = {}\n\ndef check(candidate):\n    assert candidate(0, 0) == 0\n    assert candidate(2, 3) == 5\n";
        assertVerdict(Verdict.PASSED, "every assert held (2 ran)", run("def add(a, b):\n    return a + b\n", tests));
        assertVerdict(Verdict.ASSERTION, "test line 5: assert candidate(2, 3) == 5", run("def add(a, b):\n    return a * b\n", tests));
    }

    @Test
    void run_valuesCrossAsExactPlainData() {
        String program = "def add(a, b):\n    return {'t': (a, b), 's': {a, b}, 'f': frozenset([a]), 'b': bytes([a]), "
                + "'n': float('nan'), 'i': 2 ** 100, 'c': complex(a, b), 1: [None, True]}\n";
        String tests = "r = add(1, 2)\nassert type(r['t']) is tuple and r['t'] == (1, 2)\nassert r['s'] == {1, 2} and type(r['s']) is set\n"
                + "assert r['f'] == frozenset([1]) and r['b'] == b'\\x01'\nassert r['n'] != r['n'] and r['i'] == 2 ** 100\n"
                + "assert r['c'] == 1 + 2j and r[1] == [None, True]\nassert add(a=1, b=2)['t'] == (1, 2)\n";
        assertVerdict(Verdict.PASSED, "every assert held (6 ran)", run(program, tests));
    }

    @Test
    void run_testsWhoseAssertsNeverRun_failClosed() {
        assertVerdict(Verdict.ERROR, "no assert", run("def add(a, b):\n    return a + b\n", "x = add(1, 2)\n"));
        String unusedCheck = "def test_add():\n    assert add(1, 2) == 4\n";
        assertVerdict(Verdict.ERROR, "no assert", run("def add(a, b):\n    return a + b\n", unusedCheck));
    }

    @Test
    void run_testsThatDoNotCompile_sayToFixTheProblemSet() {
        assertVerdict(Verdict.ERROR, "fix the problem set", run("def add(a, b):\n    return a + b\n", "assert add(1, 2) ==\n"));
    }

    @Test
    void run_printsOfTheCandidate_comeBackAsItsOutputTail() {
        SandboxResult result = run("print('loading')\ndef add(a, b):\n    print('adding', a, b)\n    return a + b\n", ADD_TESTS);
        assertVerdict(Verdict.PASSED, "every assert held (2 ran)", result);
        assertTrue(result.output().contains("loading\nadding 1 2"), result.output());
    }

    @Test
    void run_controlCharactersOfTheCandidate_neverReachATerminal() {
        SandboxResult result = run("def add(a, b):\n    print('\\x1b[2J\\x07bell')\n    raise ValueError('\\x1b]0;title\\x07')\n", ADD_TESTS);
        assertEquals("\ufffd[2J\ufffdbell\n", result.output());
        assertTrue(result.reason().endsWith("ValueError: \ufffd]0;title\ufffd"), result.reason());
    }
}
