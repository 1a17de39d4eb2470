package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import emend.sandbox.SandboxResult;
import emend.sandbox.TestSandboxes;
import emend.sandbox.Verdict;
import org.junit.jupiter.api.Test;

/** The verifier scores exactly the program the attempt wrote: nothing of it dropped, nothing added. */
final class CodeVerifierTest {

    private static final CodeVerifier VERIFIER = new CodeVerifier(TestSandboxes.shortLimits());
    private static final Problem ADD = new Problem("add", "Write add(a, b) that returns a + b modulo 7.",
            new UnitTests("add", "assert add(1, 2) == 3\nassert add(5, 4) == 2\n").toAnswer());

    private static SandboxResult check(String attempt) {
        return VERIFIER.check(ADD, attempt);
    }

    @Test
    void aFailingPreambleBeforeTheFunction_isPartOfTheProgram() {
        SandboxResult result = check("x = 1/0\ndef add(a, b):\n    return (a + b) % 7\n");
        assertEquals(Verdict.ERROR, result.verdict(), result.toString());
    }

    @Test
    void aConstantBeforeTheFunction_isKept() {
        SandboxResult result = check("MOD = 7\ndef add(a, b):\n    return (a + b) % MOD\n");
        assertEquals(Verdict.PASSED, result.verdict(), result.toString());
    }

    @Test
    void aHelperInAnotherFencedBlock_isKept() {
        SandboxResult result = check("First a helper:\n```python\ndef wrap(v):\n    return v % 7\n```\nThen:\n```python\n"
                + "def add(a, b):\n    return wrap(a + b)\n```\n");
        assertEquals(Verdict.PASSED, result.verdict(), result.toString());
    }
}
