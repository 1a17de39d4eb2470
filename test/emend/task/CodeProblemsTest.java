package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class CodeProblemsTest {

    @TempDir
    Path dir;

    private Path write(String... lines) throws IOException {
        return Files.write(dir.resolve("problems.jsonl"), List.of(lines));
    }

    @Test
    void read_acceptsTestsAsListOrSource_andHumanEvalFieldNames() throws IOException {
        Path file = write("{\"id\": \"a\", \"prompt\": \"def f(x):\\n\", \"tests\": [\"assert f(1) == 2\", \"assert f(2) == 3\"], \"entry_point\": \"f\"}",
                "", "{\"task_id\": \"HumanEval/0\", \"prompt\": \"def g(x):\\n\", \"test\": \"def check(candidate):\\n    assert candidate(1)\\n\", "
                        + "\"entry_point\": \"g\", \"canonical_solution\": \"    return x\\n\"}");
        List<CodeProblem> problems = CodeProblems.read(file);
        assertEquals(new CodeProblem("a", "def f(x):\n", "f", "assert f(1) == 2\nassert f(2) == 3\n", "", List.of()), problems.get(0));
        assertEquals("HumanEval/0", problems.get(1).id());
        assertEquals("    return x\n", problems.get(1).solution());
    }

    @Test
    void read_onePrettyPrintedObject_isOneProblem() throws IOException {
        Path file = write("{", "  \"id\": \"p\",", "  \"prompt\": \"def f(x):\\n\",", "  \"tests\": \"assert f(1) == 1\",", "  \"entry_point\": \"f\"", "}");
        assertEquals("p", CodeProblems.read(file).get(0).id());
    }

    @Test
    void badLines_areNamedWithTheirLineNumberAndProblem() throws IOException {
        assertMessage(write("{\"id\": \"a\", \"prompt\": \"p\", \"tests\": \"assert 1\"}"), "line 1", "missing field \"entry_point\"");
        assertMessage(write("{\"id\": \"a\", \"prompt\": \"p\", \"tests\": \"t\", \"entry_point\": \"f(x)\"}"), "line 1", "not a Python function name");
        assertMessage(write("{\"id\": \"a\", \"prompt\": \"p\", \"tests\": [], \"entry_point\": \"f\"}"), "line 1", "tests is empty");
        assertMessage(write("{\"id\": \"a\", \"prompt\": \"p\", \"tests\": \"t\", \"entry_point\": \"f\", \"wrong_solutions\": \"x\"}"), "line 1",
                "wrong_solutions must be a list");
        assertMessage(write("{\"id\": \"a\", \"prompt\": \"p\", \"tests\": \"t\", \"entry_point\": \"f\"}", "{oops"), "line 2", "not valid JSON");
        assertMessage(dir.resolve("absent.jsonl"), "absent.jsonl", "does not exist");
    }

    private static void assertMessage(Path file, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CodeProblems.read(file));
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), e.getMessage());
        }
    }

    @Test
    void unitTests_travelInTheProblemsAnswer() {
        CodeProblem p = new CodeProblem("a", "def f(x):\n", "f", "assert f(1) == 2\n", "", List.of());
        assertEquals(new UnitTests("f", "assert f(1) == 2\n"), UnitTests.of(p.toProblem()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UnitTests.of(new Problem("q", "1+1?", "2")));
        assertTrue(e.getMessage().contains("not a code problem"), e.getMessage());
    }
}
