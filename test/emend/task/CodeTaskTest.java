package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.sandbox.PythonSandbox;
import emend.sandbox.SandboxResult;
import emend.sandbox.TestSandboxes;
import emend.tokenize.ByteTokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

final class CodeTaskTest {

    private static final PythonSandbox SANDBOX = TestSandboxes.shortLimits();
    private static final CodeVerifier VERIFIER = new CodeVerifier(SANDBOX);

    private record Check(String problem, String kind, String attempt, int expected) {}

    @Test
    void shipped_everyReferenceScoresOne_andEveryWrongSolutionScoresZero() throws Exception {
        List<CodeProblem> shipped = CodeProblems.shipped();
        assertTrue(shipped.size() >= 40, "ship at least 40 problems, got " + shipped.size());
        List<Check> checks = new ArrayList<>();
        for (CodeProblem p : shipped) {
            assertTrue(!p.wrongSolutions().isEmpty(), p.id() + " has no wrong solution");
            checks.add(new Check(p.id(), "reference", "```python\n" + p.solution() + "```", 1));
            for (String wrong : p.wrongSolutions()) {
                checks.add(new Check(p.id(), "wrong", "```python\n" + wrong + "```", 0));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<String> mismatches = new ArrayList<>();
        try {
            List<Future<SandboxResult>> results = new ArrayList<>();
            for (Check c : checks) {
                CodeProblem p = shipped.stream().filter(q -> q.id().equals(c.problem())).findFirst().orElseThrow();
                results.add(pool.submit(() -> VERIFIER.check(p.toProblem(), c.attempt())));
            }
            for (int i = 0; i < checks.size(); i++) {
                SandboxResult r = results.get(i).get();
                if (r.score() != checks.get(i).expected()) {
                    mismatches.add(checks.get(i).problem() + " " + checks.get(i).kind() + ": " + r.verdict() + " " + r.reason());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), mismatches);
        System.out.printf("shipped code problems: %d, %d reference solutions score 1, %d wrong solutions score 0%n", shipped.size(),
                shipped.size(), checks.size() - shipped.size());
    }

    @Test
    void split_isDisjoint_andTheTeacherAttemptsScoreAsTheyShould() {
        CodeTask task = CodeTask.split(CodeProblems.shipped(), 1, SANDBOX);
        Set<String> ids = new HashSet<>();
        task.train().forEach(p -> ids.add(p.id()));
        task.dev().forEach(p -> ids.add(p.id()));
        task.test().forEach(p -> ids.add(p.id()));
        assertEquals(CodeProblems.shipped().size(), ids.size());
        assertEquals(CodeProblems.shipped().size() / 5, task.test().size());
        Problem p = task.test().get(0);
        assertEquals(1, task.verifier().score(p, task.correctAttempt(p)));
        assertEquals(0, task.verifier().score(p, task.plausibleWrongAttempt(p, new SplittableRandom(1))));
    }

    @Test
    void maxAttemptTokens_coversEveryTeacherAttempt() {
        CodeTask task = CodeTask.split(CodeProblems.shipped(), 1, SANDBOX);
        ByteTokenizer tokenizer = new ByteTokenizer();
        SplittableRandom random = new SplittableRandom(2);
        for (Problem p : task.train()) {
            assertTrue(tokenizer.encode(task.correctAttempt(p)).length < task.maxAttemptTokens(), p.id());
            assertTrue(tokenizer.encode(task.plausibleWrongAttempt(p, random)).length < task.maxAttemptTokens(), p.id());
        }
        assertEquals(384, task.maxAttemptTokens(), "the longest shipped attempt is 288 bytes; a quarter more is 360, rounded up to 64s");
        assertEquals(task.correctAttempt(task.train().get(0)).getBytes(StandardCharsets.UTF_8).length,
                tokenizer.encode(task.correctAttempt(task.train().get(0))).length, "the byte tokenizer: one token per byte");
    }

    @Test
    void plausibleWrongAttempt_withoutWrongSolutions_isAnotherProblemsSolutionUnderThisName() {
        List<CodeProblem> set = List.of(
                new CodeProblem("double", "def double(x):\n    \"\"\"Twice x.\"\"\"\n", "double", "assert double(3) == 6\n", "def double(x):\n    return 2 * x\n", List.of()),
                new CodeProblem("square", "def square(x):\n    \"\"\"x squared.\"\"\"\n", "square", "assert square(3) == 9\n", "def square(x):\n    return x * x\n", List.of()),
                new CodeProblem("neg", "def neg(x):\n    \"\"\"Minus x.\"\"\"\n", "neg", "assert neg(3) == -3\n", "    return -x\n", List.of()));
        CodeTask task = CodeTask.allAsTest(set, SANDBOX);
        Problem neg = set.get(2).toProblem();
        assertEquals("```python\ndef neg(x):\n    \"\"\"Minus x.\"\"\"\n    return -x\n```", task.correctAttempt(neg), "a body gets the prompt's stub");
        assertEquals(1, task.verifier().score(neg, task.correctAttempt(neg)));
        for (int seed = 0; seed < 4; seed++) {
            String wrong = task.plausibleWrongAttempt(neg, new SplittableRandom(seed));
            assertTrue(wrong.contains("def neg(x):"), wrong);
            assertEquals(0, task.verifier().score(neg, wrong), wrong);
        }
    }

    @Test
    void split_needsReferenceSolutions() {
        List<CodeProblem> set = List.of(new CodeProblem("a", "def f(x):\n", "f", "assert f(1)\n", "", List.of()),
                new CodeProblem("b", "def f(x):\n", "f", "assert f(1)\n", "", List.of()), new CodeProblem("c", "def f(x):\n", "f", "assert f(1)\n", "", List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeTask.split(set, 1, SANDBOX));
        assertTrue(e.getMessage().contains("has no canonical_solution"), e.getMessage());
    }

    @Test
    void verifier_attemptWithoutCode_scoresZeroWithoutRunningAnything() {
        Problem p = CodeProblems.shipped().get(0).toProblem();
        SandboxResult r = VERIFIER.check(p, "I am not sure.");
        assertEquals("the attempt contains no code", r.reason());
        assertEquals(0, r.score());
        assertEquals(VERIFIER.extractAnswer("```python\ndef f():\n\treturn 1  \n```"), VERIFIER.extractAnswer("def f():\n    return 1"));
    }
}
