package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.sandbox.SandboxResult;
import emend.sandbox.TestSandboxes;
import emend.sandbox.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Public data sets read as they are published: records below are in each set's exact layout (field names, value
 * types, line endings), written by hand in the style of the originals.
 */
final class PublicFormatsTest {

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines));
    }

    @Test
    void gsm8k_referenceIsTheNumberAfterTheMarks_comparedAsANumber() throws IOException {
        Path file = write("gsm8k.jsonl",
                "{\"question\": \"Ann buys 3 pens at $400 each. How much does she pay?\", \"answer\": \"She pays 3 * 400 = <<3*400=1200>>1200 dollars.\\n#### 1,200\"}",
                "{\"question\": \"Tom has 5 apples and eats 2. How many are left?\", \"answer\": \"5 - 2 = <<5-2=3>>3\\n#### 3\"}",
                "{\"question\": \"What is half of 9?\", \"answer\": \"9 / 2 = <<9/2=4.5>>4.5\\n#### 4.5\"}");
        JsonlTask.Read read = JsonlTask.read(file, ProblemFormat.AUTO);
        assertEquals(ProblemFormat.GSM8K, read.format());
        Problem pens = read.problems().get(0);
        assertEquals("gsm8k-1", pens.id());
        assertEquals("1,200", pens.answer());
        Verifier v = JsonlTask.allAsTest(file).verifier();
        assertEquals(1, v.score(pens, "3 pens cost 1200.0 dollars. answer: $1200"));
        assertEquals(1, v.score(pens, "answer: 1,200"));
        assertEquals(0, v.score(pens, "answer: 1201"));
        assertEquals(1, v.score(read.problems().get(2), "answer: 4.50"));
    }

    @Test
    void math_referenceIsTheAnswerField_elseTheLastBoxedOfTheSolution_comparedAsLatex() throws IOException {
        Path math = write("math.jsonl",
                "{\"problem\": \"Compute $\\\\frac{3}{6}$.\", \"level\": \"Level 1\", \"type\": \"Prealgebra\", "
                        + "\"solution\": \"We have $\\\\frac{3}{6} = \\\\boxed{\\\\frac{1}{2}}$.\"}",
                "{\"problem\": \"What is $\\\\sqrt{4}$?\", \"level\": \"Level 1\", \"type\": \"Algebra\", \"solution\": \"It is $\\\\boxed{2}$.\"}");
        JsonlTask.Read read = JsonlTask.read(math, ProblemFormat.AUTO);
        assertEquals(ProblemFormat.MATH, read.format());
        assertEquals("\\frac{1}{2}", read.problems().get(0).answer());
        assertEquals("math-1", read.problems().get(0).id());
        Verifier v = JsonlTask.allAsTest(math).verifier();
        assertEquals(1, v.score(read.problems().get(0), "The value is \\boxed{0.5}"));
        assertEquals(1, v.score(read.problems().get(0), "answer: \\dfrac12"));
        assertEquals(0, v.score(read.problems().get(0), "\\boxed{\\frac{1}{3}}"));

        Path math500 = write("math500.jsonl",
                "{\"problem\": \"Convert $(0,3)$ to polar coordinates.\", \"solution\": \"... $\\\\boxed{\\\\left( 3, \\\\frac{\\\\pi}{2} \\\\right)}$\", "
                        + "\"answer\": \"\\\\left( 3, \\\\frac{\\\\pi}{2} \\\\right)\", \"subject\": \"Precalculus\", \"level\": 2, "
                        + "\"unique_id\": \"test/precalculus/807.json\"}");
        Problem polar = JsonlTask.read(math500, ProblemFormat.AUTO).problems().get(0);
        assertEquals("test/precalculus/807.json", polar.id());
        assertEquals(1, FinalAnswerVerifier.math().score(polar, "\\boxed{(3,\\frac{\\pi}{2})}"));
    }

    /** A chain of thought needs more than the default 64 tokens: the attempt length is a setting. */
    @Test
    void attemptLength_isASetting() throws IOException {
        Path file = write("gsm8k.jsonl",
                "{\"question\": \"1 + 1?\", \"answer\": \"1 + 1 = 2\\n#### 2\"}",
                "{\"question\": \"2 + 2?\", \"answer\": \"2 + 2 = 4\\n#### 4\"}",
                "{\"question\": \"3 + 3?\", \"answer\": \"3 + 3 = 6\\n#### 6\"}");
        assertEquals(JsonlTask.DEFAULT_ATTEMPT_TOKENS, JsonlTask.split(file, 1).maxAttemptTokens());
        var settings = emend.config.RunSettings.fromConfig(emend.config.Settings.load(null, java.util.Map.of("emend.task.name", "jsonl",
                "emend.task.problems", "\"" + file + "\"", "emend.task.max-attempt-tokens", "384")));
        assertEquals(384, emend.config.Tasks.create(settings.task(), settings.sandbox()).maxAttemptTokens());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JsonlTask.split(file, ProblemFormat.AUTO, 1, -5));
        assertTrue(e.getMessage().contains("emend.task.max-attempt-tokens must be >= 1"), e.getMessage());
    }

    @Test
    void aRecordThatDoesNotFitItsFormat_isRefusedNamingTheLineAndTheFix() throws IOException {
        Path file = write("mixed.jsonl",
                "{\"question\": \"1 + 1?\", \"answer\": \"1 + 1 = 2\\n#### 2\"}",
                "{\"question\": \"2 + 2?\", \"answer\": \"4\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonlTask.read(file, ProblemFormat.AUTO));
        assertTrue(e.getMessage().contains("line 2: a GSM8K answer ends in \"#### <number>\""), e.getMessage());
        IllegalArgumentException wrongTask = assertThrows(IllegalArgumentException.class, () -> JsonlTask.read(file, ProblemFormat.MBPP));
        assertTrue(wrongTask.getMessage().contains("use it with --task code"), wrongTask.getMessage());
        assertEquals(ProblemFormat.GSM8K, ProblemFormat.parse(" GSM8K "));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> ProblemFormat.parse("gsm9k"));
        assertTrue(unknown.getMessage().contains("auto, emend, gsm8k, math, humaneval, mbpp"), unknown.getMessage());
    }

    /** MBPP as published (CRLF inside the code, an integer task_id, test_setup_code): run by the sandbox like HumanEval. */
    @Test
    void mbpp_becomesACodeProblemWhoseTestsTheSandboxRuns() throws IOException {
        Path file = write("mbpp.jsonl",
                "{\"text\": \"Write a function to find the shared elements from the given two lists.\", "
                        + "\"code\": \"def similar_elements(test_tup1, test_tup2):\\r\\n  res = tuple(set(test_tup1) & set(test_tup2))\\r\\n  return (res) \", "
                        + "\"task_id\": 2, \"test_setup_code\": \"\", \"test_list\": [\"assert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\", "
                        + "\"assert set(similar_elements((1, 2, 3, 4),(5, 4, 3, 7))) == set((3, 4))\"], \"challenge_test_list\": []}",
                "{\"text\": \"Write a python function to identify non-prime numbers.\", \"code\": \"import math\\r\\ndef is_not_prime(n):\\r\\n"
                        + "    result = False\\r\\n    for i in range(2,int(math.sqrt(n)) + 1):\\r\\n        if n % i == 0:\\r\\n            result = True\\r\\n"
                        + "    return result\", \"task_id\": 3, \"test_setup_code\": \"import math\", \"test_list\": [\"assert is_not_prime(2) == False\", "
                        + "\"assert is_not_prime(10) == True\"], \"challenge_test_list\": []}");
        List<CodeProblem> problems = CodeProblems.read(file, ProblemFormat.AUTO);
        CodeProblem shared = problems.get(0);
        assertEquals("mbpp/2", shared.id());
        assertEquals("similar_elements", shared.entryPoint());
        assertTrue(shared.prompt().contains("shared elements") && shared.prompt().contains("assert set(similar_elements("), shared.prompt());
        CodeVerifier verifier = new CodeVerifier(TestSandboxes.shortLimits());
        for (CodeProblem p : problems) {
            SandboxResult right = verifier.check(p.toProblem(), p.solution());
            assertEquals(Verdict.PASSED, right.verdict(), p.id() + ": " + right);
        }
        SandboxResult wrong = verifier.check(problems.get(1).toProblem(), "def is_not_prime(n):\n    return False\n");
        assertEquals(Verdict.ASSERTION, wrong.verdict(), wrong.toString());
    }
}
