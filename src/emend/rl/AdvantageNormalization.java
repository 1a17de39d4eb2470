package emend.rl;

/** How RLOO advantages are rescaled after the leave-one-out baseline. */
public enum AdvantageNormalization {
    /** Raw leave-one-out advantages (the paper's RLOO). */
    NONE,
    /** Divide by the standard deviation of the group's rewards (GRPO-style); groups with equal rewards stay 0. */
    GROUP,
    /** Divide by the standard deviation of the turn's rewards over the whole batch. */
    BATCH,
    /**
     * Divide both turns' raw advantages by one scale, their root mean square pooled over the turns the stage
     * rewards: steps have a comparable size, and the turns keep the weights the rewards give them (with α = 10 in
     * Stage II, turn 2 dominates, as in the paper).
     */
    JOINT;

    public static AdvantageNormalization parse(String text) {
        try {
            return valueOf(text.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown advantage normalization '" + text + "': use none, group, batch or joint");
        }
    }
}
