package emend.rl;

/**
 * The instantaneous reward of each turn (discount 0: attempt-1 tokens see only the turn-1 reward).
 *
 * <p>With binary r1, r2 and α = 10, Stage II gives attempt 2: wrong→right 11, right→wrong −10, right→right 1,
 * wrong→wrong 0 (paper.md).
 */
public record TurnRewards(double turnOne, double turnTwo) {

    /**
     * @param r1 verifier reward of attempt 1 (0 or 1)
     * @param r2 verifier reward of attempt 2 (ignored by the single-turn stage)
     * @param alphaShapingBonus α, the weight of the progress bonus r2 − r1 in Stage II
     */
    public static TurnRewards of(Stage stage, int r1, int r2, double alphaShapingBonus) {
        return switch (stage) {
            case STAGE_ONE -> new TurnRewards(0, r2);
            case STAGE_TWO -> new TurnRewards(r1, r2 + alphaShapingBonus * (r2 - r1));
            case SINGLE_TURN -> new TurnRewards(r1, 0);
        };
    }
}
