package emend.rl;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What one RL step optimises: SCoRe's two stages, or the single-turn baseline. */
public enum Stage {
    /** Reward attempt 2 only; a strong KL (β2) holds attempt 1 at the reference, β1 on attempt 2. */
    STAGE_ONE("stage1"),
    /** Reward both attempts, attempt 2 shaped by α·(r2 − r1); β1 KL on both. */
    STAGE_TWO("stage2"),
    /** The "w/o multi-turn training" baseline: attempt 1 only, reward r1, β1 KL. */
    SINGLE_TURN("single-turn");

    private final String label;

    Stage(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether rollouts for this stage sample attempt 2 at all. */
    public boolean twoTurns() {
        return this != SINGLE_TURN;
    }

    public static Stage parse(String label) {
        return Arrays.stream(values()).filter(s -> s.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown stage '" + label + "': use one of "
                        + Arrays.stream(values()).map(Stage::label).collect(Collectors.joining(", "))));
    }
}
