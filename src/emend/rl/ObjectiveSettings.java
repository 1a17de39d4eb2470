package emend.rl;

/**
 * The SCoRe objective's hyperparameters, named as in the paper.
 *
 * @param alphaShapingBonus α: Stage II adds α·(r2 − r1) to attempt 2's reward
 * @param beta1 β1: the small KL weight on both turns (Stage II) and on turn 2 (Stage I)
 * @param beta2FirstTurnKl β2: Stage I's strong KL weight on turn 1
 * @param klEstimator the per-token KL estimator
 * @param klInReward subtract β·KL from each turn's reward instead of adding it to the loss
 * @param clipEpsilon ε of the clipped importance ratio for samples from older policy versions
 * @param normalization how RLOO advantages are rescaled
 * @param copyBaseline subtract from attempt 2's reward what repeating attempt 1 would have earned (r1 in both
 *                     stages): a baseline that depends only on turn 2's context, so the policy gradient stays
 *                     unbiased while copies stop carrying attempt 1's luck into turn 2's advantage
 */
public record ObjectiveSettings(
        double alphaShapingBonus,
        double beta1,
        double beta2FirstTurnKl,
        KlEstimator klEstimator,
        boolean klInReward,
        double clipEpsilon,
        AdvantageNormalization normalization,
        boolean copyBaseline) {

    public ObjectiveSettings {
        if (alphaShapingBonus < 0 || beta1 < 0 || beta2FirstTurnKl < 0) {
            throw new IllegalArgumentException("alpha, beta1 and beta2 must be >= 0, got alpha=" + alphaShapingBonus
                    + " beta1=" + beta1 + " beta2=" + beta2FirstTurnKl);
        }
        if (!(clipEpsilon > 0 && clipEpsilon < 1)) {
            throw new IllegalArgumentException("clip epsilon must be in (0, 1), got " + clipEpsilon);
        }
    }

    /** The paper's values: α = 10, β1 = 0.01, β2 = 0.1, k3 in the loss, plain RLOO. */
    public static ObjectiveSettings paper() {
        return new ObjectiveSettings(10, 0.01, 0.1, KlEstimator.K3, false, 0.2, AdvantageNormalization.NONE, false);
    }

    /** KL weight on the given turn (1 or 2) in the given stage. */
    public double klWeight(Stage stage, int turn) {
        return stage == Stage.STAGE_ONE && turn == 1 ? beta2FirstTurnKl : beta1;
    }

    public ObjectiveSettings withBetas(double newBeta1, double newBeta2) {
        return new ObjectiveSettings(alphaShapingBonus, newBeta1, newBeta2, klEstimator, klInReward, clipEpsilon, normalization, copyBaseline);
    }
}
