package emend.rl;

/**
 * What Stage I's KL holds the policy to (emend.rl.stage1-reference). The paper anchors Stage I at the base model;
 * with an interleaved schedule that pulls attempt 1 back to the base in every later Stage I phase, undoing what
 * the Stage II phase before it taught attempt 1.
 */
public enum StageOneReference {
    /** The frozen base model, in every Stage I phase (the paper). */
    BASE,
    /**
     * The policy as it was when the Stage I phase began: attempt 1 is held where it is, not returned to the base.
     * The first phase of a schedule that opens with Stage I starts from the base, so it behaves as {@link #BASE}.
     */
    PHASE_START;

    public static StageOneReference parse(String text) {
        return switch (text) {
            case "base" -> BASE;
            case "phase-start" -> PHASE_START;
            default -> throw new IllegalArgumentException("emend.rl.stage1-reference must be base or phase-start, got '" + text + "'");
        };
    }

    public String label() {
        return this == BASE ? "base" : "phase-start";
    }
}
