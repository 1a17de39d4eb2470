package emend.rollout;

import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Verifier;
import java.util.ArrayList;
import java.util.List;

/**
 * How a group's attempts are laid out for its verifier and its scores put back, one rule for both drivers: each
 * distinct attempt 1 of the group once, in order, then every row's attempt 2 (a single-turn row's empty one
 * included, so the layout does not depend on the stage). Attempt 1 number a takes score a, row i's attempt 2 takes
 * score {@code firstAttempts + i}; siblings get their shared attempt 1's one score, so they cannot disagree on it
 * whatever a verifier answers, and no attempt 1 is verified more than once. A row without an attempt 2 earns 0
 * for it ({@link Trajectory#withRewards}).
 */
public final class GroupScoring {

    private GroupScoring() {}

    /** The texts the verifier scores, in the layout above. */
    public static List<String> attempts(RlooGroup group, Dialogue dialogue) {
        List<String> out = new ArrayList<>(scoreCount(group));
        for (int a = 0; a < group.firstAttempts(); a++) {
            out.add(dialogue.attemptText(group.firstRowOf(a).attemptOne()));
        }
        group.rows().forEach(t -> out.add(dialogue.attemptText(t.attemptTwo())));
        return out;
    }

    /** Scores a verifier returns for {@code group}: one per attempt of {@link #attempts}. */
    public static int scoreCount(RlooGroup group) {
        return group.firstAttempts() + group.rows().size();
    }

    /** The group with {@code scores} (in the layout above) as its rewards. */
    public static RlooGroup scored(RlooGroup group, int[] scores) {
        List<Trajectory> rows = group.rows();
        if (scores.length != scoreCount(group)) {
            throw new IllegalArgumentException(scores.length + " scores for a group of " + group.firstAttempts() + " attempts 1 and "
                    + rows.size() + " rows; expected " + scoreCount(group));
        }
        List<Trajectory> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            out.add(rows.get(i).withRewards(scores[i / group.siblingsEach()], scores[group.firstAttempts() + i]));
        }
        return group.withRows(out);
    }

    /**
     * Scores {@code group} with a verifier in this thread (the synchronous driver); an absent attempt 2 is not run
     * through the verifier at all.
     */
    public static RlooGroup score(RlooGroup group, Problem problem, Dialogue dialogue, Verifier verifier) {
        List<Trajectory> rows = group.rows();
        List<String> texts = attempts(group, dialogue);
        int firstAttempts = group.firstAttempts();
        int[] scores = new int[texts.size()];
        for (int i = 0; i < scores.length; i++) {
            boolean absent = i >= firstAttempts && !rows.get(i - firstAttempts).hasTurnTwo();
            scores[i] = absent ? 0 : verifier.score(problem, texts.get(i));
        }
        return scored(group, scores);
    }
}
