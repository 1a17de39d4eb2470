package emend.rollout;

import emend.task.Problem;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The order of training prompts, the one both drivers draw from (the synchronous driver, run/RlLoop, and the actor runtime's ledger):
 * the n-th fresh prompt is drawn for step {@code n / B + 1}, so with the same seed both paths sample the same
 * problems with the same seeds, and a resumed run continues with the draws the first run would have made next.
 * Prompts put back (a lease that expired, a result too stale) come back first.
 */
public final class PromptQueue {

    private final List<Problem> problems;
    private final ProblemStream stream;
    private final int batchSize;
    private final Deque<PromptDraw> returned = new ArrayDeque<>();
    private long drawn;

    /** @param stepsDone learner steps already taken (a resumed run): drawing starts with step {@code stepsDone + 1} */
    public PromptQueue(List<Problem> problems, long seed, int batchSize, int stepsDone) {
        this.problems = problems;
        this.stream = new ProblemStream(problems.size(), seed);
        this.batchSize = batchSize;
        this.drawn = (long) stepsDone * batchSize;
        stream.skip(drawn);
    }

    public PromptDraw next() {
        if (!returned.isEmpty()) {
            return returned.pollFirst();
        }
        int index = stream.next(1)[0];
        return new PromptDraw(problems.get(index), index, drawn++ / batchSize + 1);
    }

    /** Puts back a prompt that must be sampled again. */
    public void putBack(PromptDraw draw) {
        returned.addLast(draw);
    }
}
