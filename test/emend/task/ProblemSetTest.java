package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** A node's own problem set: its digest names it, and a lookup answers only for that set and its ids. */
final class ProblemSetTest {

    private static Task linear(long seed) {
        return new LinearEquationTask(new LinearEquationTask.Settings(2, 9, 20, 40, 10, 10, seed));
    }

    @Test
    void sha256_isTheSameForTheSameSettingsAndDiffersForOthers() {
        assertEquals(ProblemSet.of(linear(1)).sha256(), ProblemSet.of(linear(1)).sha256());
        assertNotEquals(ProblemSet.of(linear(1)).sha256(), ProblemSet.of(linear(2)).sha256());
        assertEquals(64, ProblemSet.of(linear(1)).sha256().length());
    }

    @Test
    void find_answersWithTheNodesOwnProblemOnlyForItsSetAndIds() {
        Task task = linear(1);
        ProblemSet set = ProblemSet.of(task);
        Problem problem = task.test().get(0);
        assertSame(problem, ((ProblemSet.Found) set.find(problem.id(), set.sha256())).problem());
        assertEquals("problem_set", ((ProblemSet.Refused) set.find(problem.id(), ProblemSet.of(linear(2)).sha256())).reason());
        assertEquals("problem_set", ((ProblemSet.Refused) set.find(problem.id(), "")).reason());
        assertEquals("problem_id", ((ProblemSet.Refused) set.find("no-such-problem", set.sha256())).reason());
    }
}
