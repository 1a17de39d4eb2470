package emend.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.rollout.Trajectory;
import emend.testing.Groups;
import emend.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code emend.rl.kl-in-reward = true}: each turn's reward loses β·Σ k3(behaviour, reference) over its sampled tokens,
 * and the loss has no KL term. With the policy equal to the reference and on-policy rows every ratio is 1, so the
 * step's loss is −Σ_rows Σ_turns A·n / rows, a figure computed here by hand from the offsets put into the behaviour
 * log-probs.
 */
final class KlInRewardTest {

    private static final int[] PROMPT = {1, 3, 10, 4};
    private static final int[] SUFFIX = {3};
    /** Row a: behaviour log-probs offset from the reference's by DA1 and DA2; 4 tokens in attempt 1, 3 in attempt 2. */
    private static final int[] ONE_A = {20, 21, 22, 2};
    private static final int[] TWO_A = {30, 31, 2};
    /** Row b: behaviour log-probs offset from the reference's by D1 on attempt 1, D2 on attempt 2; 2 and 5 tokens. */
    private static final int[] ONE_B = {23, 2};
    private static final int[] TWO_B = {33, 34, 35, 36, 2};
    private static final double DA1 = 0.2;
    private static final double DA2 = 0.1;
    private static final double D1 = 0.5;
    private static final double D2 = -0.3;
    private static final double ALPHA = 3;
    private static final double BETA1 = 0.2;
    private static final double BETA2 = 0.5;

    /**
     * The loss by hand when attempt 1's KL weighs {@code betaOne} and attempt 2's {@code betaTwo}: A1 of a =
     * betaOne·(K1b − K1a) = −A1 of b, the same for turn 2, loss = −(A1a·(4 − 2) + A2a·(3 − 5)) / 2.
     */
    private static double expectedLoss(double betaOne, double betaTwo) {
        double a1 = betaOne * (ONE_B.length * k3(D1) - ONE_A.length * k3(DA1));
        double a2 = betaTwo * (TWO_B.length * k3(D2) - TWO_A.length * k3(DA2));
        return -(a1 * (ONE_A.length - ONE_B.length) + a2 * (TWO_A.length - TWO_B.length)) / 2;
    }

    /** k3 of one token whose behaviour log-prob is the reference's plus d: e^(−d) − 1 + d. */
    private static double k3(double d) {
        return Math.exp(-d) - 1 + d;
    }

    @Test
    void stageTwo_subtractsBetaOneTimesEachTurnsSampledKlFromItsReward() {
        // verifier rewards 1, 1 on both rows, so shaping adds nothing; each row loses beta1·K on each turn
        double expected = expectedLoss(BETA1, BETA1);
        assertEquals(expected, loss(Stage.STAGE_TWO, true, 1), 1e-6);
        assertEquals(expected, loss(Stage.STAGE_TWO, true, 2), 1e-6, "the same over one micro-batch");
    }

    @Test
    void stageOne_usesBetaTwoOnAttemptOne() {
        assertEquals(expectedLoss(BETA2, BETA1), loss(Stage.STAGE_ONE, true, 1), 1e-6);
    }

    @Test
    void klInTheLoss_leavesEqualRewardsEqual() {
        // the policy is the reference: the loss's KL term is 0 and so is every advantage
        assertEquals(0, loss(Stage.STAGE_TWO, false, 1), 1e-7);
    }

    private static double loss(Stage stage, boolean klInReward, int microBatchRows) {
        try (NDManager manager = TestModels.manager()) {
            Weights base = Weights.initialize(TestModels.smallConfig(64, 16), 21, manager);
            Transformer reference = new Transformer(base);
            Transformer policy = new Transformer(base.copy(manager));
            float[][] a = TurnLogProbs.of(reference, PROMPT, ONE_A, SUFFIX, TWO_A);
            float[][] b = TurnLogProbs.of(reference, PROMPT, ONE_B, SUFFIX, TWO_B);
            List<Trajectory> batch = List.of(
                    new Trajectory("g/0", "g", 0, "p", 0, 1.0, PROMPT, ONE_A, TurnLogProbs.shifted(a[0], DA1), SUFFIX, TWO_A,
                            TurnLogProbs.shifted(a[1], DA2), 1, 1),
                    new Trajectory("g/1", "g", 1, "p", 0, 1.0, PROMPT, ONE_B, TurnLogProbs.shifted(b[0], D1), SUFFIX, TWO_B,
                            TurnLogProbs.shifted(b[1], D2), 1, 1));
            ObjectiveSettings settings = new ObjectiveSettings(ALPHA, BETA1, BETA2, KlEstimator.K3, klInReward, 0.2,
                    AdvantageNormalization.NONE, false);
            try (AdamW optimizer = new AdamW(policy.weights().tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1.0))) {
                return new ScoreLearner(policy, reference, optimizer, 0, microBatchRows).step(Groups.of(batch), stage, settings, 1e-3).loss();
            }
        }
    }
}
