package emend.eval;

import emend.task.Verifier;

/**
 * How often attempt 2 changes attempt 1's answer, as the task's verifier reads the answers: the evaluation's
 * {@code chg|wrong} / {@code chg|right} and the rollouts' {@code change_when_wrong} / {@code change_when_right}.
 * Add the dialogues of one kind (e.g. those whose attempt 1 is wrong), then read the rate.
 */
public final class AnswerChanges {

    private final Verifier verifier;
    private int cases;
    private int changed;

    public AnswerChanges(Verifier verifier) {
        this.verifier = verifier;
    }

    /** One dialogue, by the text of its two attempts. */
    public void add(String attemptOne, String attemptTwo) {
        cases++;
        changed += verifier.extractAnswer(attemptOne).equals(verifier.extractAnswer(attemptTwo)) ? 0 : 1;
    }

    /** The share of the dialogues added whose answer changed; NaN when none was added. */
    public double rate() {
        return cases == 0 ? Double.NaN : (double) changed / cases;
    }
}
