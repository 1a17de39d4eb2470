package emend.rl;

/**
 * How many attempts of each turn one prompt's group samples: {@code firstAttempts} attempts 1 (turn 1's RLOO group)
 * and, for each of them, {@code secondAttemptsEach} attempts 2 in its context (turn 2's RLOO group when there are
 * two or more: siblings that share attempt 1 differ only in what turn 2 made of it). A group has
 * {@code firstAttempts × max(1, secondAttemptsEach)} rows; the single-turn stage samples no attempt 2.
 */
public record GroupShape(int firstAttempts, int secondAttemptsEach) {

    public GroupShape {
        if (firstAttempts < 1 || secondAttemptsEach < 0) {
            throw new IllegalArgumentException("a group needs >= 1 first attempts and >= 0 second attempts each, got "
                    + firstAttempts + " and " + secondAttemptsEach);
        }
    }

    /** The shape of a step of {@code stage}: no attempt 2 in the single-turn stage. */
    public static GroupShape of(Stage stage, int samplesPerPrompt, int turnTwoSamples) {
        return new GroupShape(samplesPerPrompt, stage.twoTurns() ? turnTwoSamples : 0);
    }

    public boolean twoTurns() {
        return secondAttemptsEach > 0;
    }

    /** Rows (dialogues) the group holds. */
    public int rows() {
        return firstAttempts * Math.max(1, secondAttemptsEach);
    }
}
