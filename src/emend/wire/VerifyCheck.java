package emend.wire;

import emend.proto.VerifyRequest;
import emend.task.Problem;
import emend.task.ProblemSet;

/**
 * The verifier's edge: a request names a task, a problem set by its SHA-256 and a problem id; the problem scored
 * is this node's own copy, so no reference (for code: no test program) from the wire is ever used or run.
 */
public final class VerifyCheck {

    public static final String TYPE = "Verify";
    /** More attempts than any RLOO group has (its k attempts 1 and their k x m attempts 2); a request over it is a flood. */
    public static final int MAX_ATTEMPTS = 1024;

    private VerifyCheck() {}

    /** The problem to score {@code request}'s attempts against, or why it is refused. */
    public static Checked<Problem> problem(VerifyRequest request, String taskName, ProblemSet problems) {
        if (!taskName.equals(request.getTask())) {
            return Checked.refused(TYPE, "task", "this verifier scores task '" + taskName + "', not '" + clip(request.getTask())
                    + "': start verifier nodes with the learner's task settings");
        }
        if (request.getAttemptsCount() == 0 || request.getAttemptsCount() > MAX_ATTEMPTS) {
            return Checked.refused(TYPE, "attempts", request.getAttemptsCount() + " attempts (1 to " + MAX_ATTEMPTS + " allowed)");
        }
        ProblemSet.Lookup lookup = problems.find(request.getProblemId(), request.getProblemSetSha256());
        if (lookup instanceof ProblemSet.Refused refused) {
            return Checked.refused(TYPE, refused.reason(), refused.detail());
        }
        return Checked.ok(((ProblemSet.Found) lookup).problem());
    }

    /** A value from the wire as a log may show it: at most 40 characters, control characters as '?' (no forged lines). */
    static String clip(String text) {
        String head = text.length() <= 40 ? text : text.substring(0, 40) + "...";
        return head.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }
}
