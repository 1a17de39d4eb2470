package emend.rl;

/** How RLOO advantages are rescaled after the leave-one-out baseline. */
public enum AdvantageNormalization {
    /** Raw leave-one-out advantages (the paper's RLOO). */
    NONE,
    /** Divide by the standard deviation of the group's rewards (GRPO-style); groups with equal rewards stay 0. */
    GROUP,
    /** Divide by the standard deviation of the turn's rewards over the whole batch. */
    BATCH;

    public static AdvantageNormalization parse(String text) {
        try {
            return valueOf(text.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown advantage normalization '" + text + "': use none, group or batch");
        }
    }
}
