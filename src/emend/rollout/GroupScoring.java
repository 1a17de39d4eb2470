package emend.rollout;

import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Verifier;
import java.util.ArrayList;
import java.util.List;

/**
 * How a group's attempts are laid out for its verifier and its scores put back, one rule for both drivers: every
 * attempt 1 of the group in row order, then every attempt 2 (a single-turn row's empty one included, so the layout
 * does not depend on the stage); row i takes scores i and rows + i. A row without an attempt 2 earns 0 for it
 * ({@link Trajectory#withRewards}).
 */
public final class GroupScoring {

    private GroupScoring() {}

    /** The texts the verifier scores, in the layout above. */
    public static List<String> attempts(List<Trajectory> group, Dialogue dialogue) {
        List<String> out = new ArrayList<>(scoreCount(group));
        group.forEach(t -> out.add(dialogue.attemptText(t.attemptOne())));
        group.forEach(t -> out.add(dialogue.attemptText(t.attemptTwo())));
        return out;
    }

    /** Scores a verifier returns for {@code group}: one per attempt of {@link #attempts}. */
    public static int scoreCount(List<Trajectory> group) {
        return 2 * group.size();
    }

    /** The group with {@code scores} (in the layout above) as its rewards. */
    public static List<Trajectory> scored(List<Trajectory> group, int[] scores) {
        if (scores.length != scoreCount(group)) {
            throw new IllegalArgumentException(scores.length + " scores for a group of " + group.size() + " rows");
        }
        List<Trajectory> out = new ArrayList<>(group.size());
        for (int i = 0; i < group.size(); i++) {
            out.add(group.get(i).withRewards(scores[i], scores[group.size() + i]));
        }
        return out;
    }

    /**
     * Scores {@code group} with a verifier in this thread (the synchronous driver); an absent attempt 2 is not run
     * through the verifier at all.
     */
    public static List<Trajectory> score(List<Trajectory> group, Problem problem, Dialogue dialogue, Verifier verifier) {
        List<String> texts = attempts(group, dialogue);
        int[] scores = new int[texts.size()];
        for (int i = 0; i < scores.length; i++) {
            boolean absent = i >= group.size() && !group.get(i - group.size()).hasTurnTwo();
            scores[i] = absent ? 0 : verifier.score(problem, texts.get(i));
        }
        return scored(group, scores);
    }
}
