package emend.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import emend.proto.VerifyRequest;
import emend.task.LinearEquationTask;
import emend.task.Problem;
import emend.task.ProblemSet;
import emend.task.Task;
import java.util.Collections;
import org.junit.jupiter.api.Test;

/** The verifier's edge: one rule per test. */
final class VerifyCheckTest {

    private static final Task TASK = new LinearEquationTask(new LinearEquationTask.Settings(2, 9, 20, 40, 10, 10, 1));
    private static final ProblemSet SET = ProblemSet.of(TASK);
    private static final Problem PROBLEM = TASK.train().get(0);

    private static VerifyRequest.Builder valid() {
        return VerifyRequest.newBuilder().setTask("linear").setProblemId(PROBLEM.id()).setProblemSetSha256(SET.sha256()).addAttempts("x=1");
    }

    private static String reason(VerifyRequest request) {
        return ((Checked.Refused<Problem>) VerifyCheck.problem(request, TASK.name(), SET)).rejection().reason();
    }

    @Test
    void validRequest_resolvesToTheNodesOwnProblem() {
        assertSame(PROBLEM, ((Checked.Ok<Problem>) VerifyCheck.problem(valid().build(), TASK.name(), SET)).value());
    }

    @Test
    void anotherTask_isRefused() {
        assertEquals("task", reason(valid().setTask("code").build()));
    }

    @Test
    void noAttemptsOrAFlood_isRefused() {
        assertEquals("attempts", reason(valid().clearAttempts().build()));
        assertEquals("attempts", reason(valid().addAllAttempts(Collections.nCopies(VerifyCheck.MAX_ATTEMPTS, "x")).build()));
    }

    @Test
    void anotherProblemSetOrAnUnknownId_isRefused() {
        assertEquals("problem_set", reason(valid().setProblemSetSha256("ab").build()));
        assertEquals("problem_id", reason(valid().setProblemId("p-999").build()));
    }
}
