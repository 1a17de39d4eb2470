package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.sandbox.TestSandboxes;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ProblemSetCheckTest {

    private static CodeProblem problem(String id, String solution, List<String> wrong) {
        return new CodeProblem(id, "def " + id + "(a, b):\n    \"\"\"Sum.\"\"\"\n", id, "assert " + id + "(1, 2) == 3\n", solution, wrong);
    }

    @Test
    void brokenCanonicalSolutions_andWrongSolutionsThatPass_areNamed() {
        List<CodeProblem> set = List.of(
                problem("sound", "    return a + b\n", List.of("    return a - b\n")),
                problem("badref", "    return a * b\n", List.of()),
                problem("weaktests", "    return a + b\n", List.of("    return 3\n")));
        CodeTask task = CodeTask.allAsTest(set, TestSandboxes.shortLimits());
        List<ProblemSetCheck.Finding> findings = ProblemSetCheck.run(task, 2);
        assertEquals(2, findings.size(), findings.toString());
        assertEquals("badref", findings.get(0).problemId());
        assertTrue(findings.get(0).what().contains("canonical solution fails"), findings.toString());
        assertEquals("weaktests", findings.get(1).problemId());
        assertTrue(findings.get(1).what().contains("wrong_solutions[0] passes"), findings.toString());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ProblemSetCheck.require(task, "set.jsonl", 2));
        assertTrue(refused.getMessage().contains("badref") && refused.getMessage().contains("weaktests"), refused.getMessage());
    }
}
