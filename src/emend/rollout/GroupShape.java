package emend.rollout;

/**
 * How many attempts of each turn one prompt's group samples: {@code firstAttempts} attempts 1 (turn 1's RLOO group)
 * and, for each of them, {@code secondAttemptsEach} attempts 2 in its context (turn 2's RLOO group when there are
 * two or more: siblings that share attempt 1 differ only in what turn 2 made of it). A group has
 * {@code firstAttempts × max(1, secondAttemptsEach)} rows; the single-turn stage samples no attempt 2.
 *
 * <p>The last {@code offlineFirstAttempts} of the attempts 1 come from the frozen base model instead of the
 * policy (the paper's offline base-model first attempts, Stage II only): turn-2 contexts the policy learns to
 * correct from, outside turn 1's RLOO group, which keeps the policy's own {@code firstAttempts − offline}.
 */
public record GroupShape(int firstAttempts, int secondAttemptsEach, int offlineFirstAttempts) {

    public GroupShape {
        if (firstAttempts < 1 || secondAttemptsEach < 0) {
            throw new IllegalArgumentException("a group needs >= 1 first attempts and >= 0 second attempts each, got "
                    + firstAttempts + " and " + secondAttemptsEach);
        }
        if (offlineFirstAttempts < 0 || offlineFirstAttempts > 0 && (secondAttemptsEach == 0 || firstAttempts - offlineFirstAttempts < 2)) {
            throw new IllegalArgumentException("offline first attempts must be >= 0, only with attempts 2, and leave turn 1's RLOO group"
                    + " two attempts of the policy's own; got " + offlineFirstAttempts + " of " + firstAttempts + " with "
                    + secondAttemptsEach + " attempts 2 each");
        }
    }

    /**
     * The group a step samples: {@code samplesPerPrompt} attempts 1 and, when the step has two turns,
     * {@code turnTwoSamples} attempts 2 each (at least one; a spec from a learner that sends none means one).
     */
    public static GroupShape of(int samplesPerPrompt, int turnTwoSamples, boolean twoTurns, int offlineFirstAttempts) {
        return new GroupShape(samplesPerPrompt, twoTurns ? Math.max(1, turnTwoSamples) : 0, offlineFirstAttempts);
    }

    /** Every attempt 1 from the policy. */
    public GroupShape(int firstAttempts, int secondAttemptsEach) {
        this(firstAttempts, secondAttemptsEach, 0);
    }

    public boolean twoTurns() {
        return secondAttemptsEach > 0;
    }

    /**
     * The id of a group's row: the group, the attempt 1 it continues and, when attempts 1 have several attempts 2,
     * which sibling it is ({@code 3/7/1.2}).
     */
    public String rowId(String groupId, int firstAttempt, int sibling) {
        return groupId + "/" + firstAttempt + (secondAttemptsEach > 1 ? "." + sibling : "");
    }

    /** Rows (dialogues) the group holds. */
    public int rows() {
        return firstAttempts * rowsPerFirstAttempt();
    }

    /** Rows that continue each attempt 1: its attempts 2, or one row when it has one or none ({@link RlooGroup#siblingsEach}). */
    public int rowsPerFirstAttempt() {
        return Math.max(1, secondAttemptsEach);
    }

    /** Attempts 1 the policy samples. */
    public int onlineFirstAttempts() {
        return firstAttempts - offlineFirstAttempts;
    }
}
