package emend.config;

/** The baselines a run can train instead of the RL schedule ({@code emend.baseline}), with their rounds. */
public enum BaselineMethod {
    STAR("star", 3),
    STAR_D_PLUS("star-dplus", 3),
    PAIR_SFT("pair-sft", 1);

    private final String label;
    private final int rounds;

    BaselineMethod(String label, int rounds) {
        this.label = label;
        this.rounds = rounds;
    }

    public String label() {
        return label;
    }

    /** Rounds of generate, filter, fine-tune. */
    public int rounds() {
        return rounds;
    }

    public static BaselineMethod parse(String name) {
        for (BaselineMethod m : values()) {
            if (m.label.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("emend.baseline must be empty (the RL schedule), star, star-dplus or pair-sft, got '" + name + "'");
    }
}
