package emend.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import emend.model.Tensors;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.rollout.Trajectory;
import emend.testing.Groups;
import emend.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a learner step reports ({@link LearnerStats}), against each figure's definition computed here row by row. */
final class LearnerStatsTest {

    private static final int[] PROMPT = {1, 3, 10, 4};
    private static final int[] SUFFIX = {3};
    private static final int[][] ONE = {{20, 21, 22, 2}, {23, 2}, {24, 25, 2}};
    private static final int[][] TWO = {{30, 31, 2}, {33, 34, 35, 36, 2}, {37, 2}};

    /**
     * Three rows after one update: a and b sampled by version 0 (stale), a with behaviour log-probs one nat below
     * the policy's (ratio e, clipped), b with the policy's (ratio 1); c current, its attempt 1 the base model's.
     */
    @Test
    void stageTwoStep_reportsRewardsKlClippingStalenessAndTokensByTheirDefinitions() {
        try (NDManager manager = TestModels.manager()) {
            Weights base = Weights.initialize(TestModels.smallConfig(64, 16), 31, manager);
            Transformer reference = new Transformer(base);
            Weights moved = base.copy(manager);
            java.util.SplittableRandom random = new java.util.SplittableRandom(5);
            moved.tensors().values().forEach(t -> {
                float[] noise = new float[Math.toIntExact(t.size())];
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (float) (random.nextGaussian() * 0.05);
                }
                t.addi(Tensors.copyOf(manager, noise, t.getShape()));
            });
            Transformer policy = new Transformer(moved);
            ObjectiveSettings settings = ObjectiveSettings.paper();
            try (AdamW optimizer = new AdamW(policy.weights().tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1.0))) {
                ScoreLearner learner = new ScoreLearner(policy, reference, optimizer, 0, 2);
                LearnerStats fresh = learner.step(Groups.of(List.of(row(policy, 0, 0, 0, 1, 1, false))), Stage.STAGE_TWO, settings, 1e-12);
                assertEquals(0, fresh.clippedFraction(), "no stale target: nothing to clip (not 0 / 0)");
                assertEquals(0, fresh.staleRows());
                assertEquals(ONE[0].length + TWO[0].length, fresh.generatedTokens());
                assertEquals(3.5, fresh.tokensPerSecond(2.0), 1e-12, "7 tokens in 2 s");
                List<Trajectory> batch = List.of(row(policy, 0, 0, -1, 0, 1, false), row(policy, 1, 0, 0, 1, 1, false),
                        row(policy, 2, 1, 0, 1, 0, true));
                LearnerStats stats = learner.step(Groups.of(batch), Stage.STAGE_TWO, settings, 1e-12);

                assertEquals(0.5, stats.rewardOne(), 1e-12, "attempt 1's mean reward over the policy's own attempts (a, b)");
                assertEquals(2.0 / 3, stats.rewardTwo(), 1e-12, "attempt 2's over all three rows");
                assertEquals(2, stats.staleRows());
                int staleA = ONE[0].length + TWO[0].length;
                int staleB = ONE[1].length + TWO[1].length;
                assertEquals((double) staleA / (staleA + staleB), stats.clippedFraction(), 1e-9);
                int tokens = 0;
                for (int r = 0; r < 3; r++) {
                    tokens += ONE[r].length + TWO[r].length;
                }
                assertEquals(tokens, stats.generatedTokens());
                // mean per-row k3(policy, reference); c's attempt 1 (the base model's) has no KL term
                double klOne = 0;
                double klTwo = 0;
                for (int r = 0; r < 3; r++) {
                    float[][] mine = TurnLogProbs.of(policy, PROMPT, ONE[r], SUFFIX, TWO[r]);
                    float[][] theirs = TurnLogProbs.of(reference, PROMPT, ONE[r], SUFFIX, TWO[r]);
                    klOne += r == 2 ? 0 : k3Sum(mine[0], theirs[0]);
                    klTwo += k3Sum(mine[1], theirs[1]);
                }
                assertTrue(klOne > 1e-4 && klTwo > 1e-4, "the moved policy differs from the reference");
                assertEquals(klOne / 3, stats.klOne(), 1e-3 * klOne);
                assertEquals(klTwo / 3, stats.klTwo(), 1e-3 * klTwo);

                Trajectory alone = new Trajectory("h/0", "h", 0, "p", 2, 1.0, PROMPT, ONE[0], new float[ONE[0].length], new int[0], new int[0],
                        new float[0], 1, 0);
                LearnerStats singleTurn = learner.step(Groups.of(List.of(alone)), Stage.SINGLE_TURN, settings, 1e-12);
                assertTrue(Double.isNaN(singleTurn.rewardTwo()), "a single-turn step has no attempt 2: " + singleTurn.rewardTwo());
            }
        }
    }

    /**
     * Row {@code r} of the group, sampled by {@code version}, its behaviour log-probs the policy's now plus
     * {@code offset}.
     */
    private static Trajectory row(Transformer policy, int r, long version, double offset, int r1, int r2, boolean offline) {
        float[][] logProbs = TurnLogProbs.of(policy, PROMPT, ONE[r], SUFFIX, TWO[r]);
        return new Trajectory("g/" + r, "g", r, "p", version, 1.0, PROMPT, ONE[r], TurnLogProbs.shifted(logProbs[0], offset), SUFFIX,
                TWO[r], TurnLogProbs.shifted(logProbs[1], offset), r1, r2, offline);
    }

    private static double k3Sum(float[] policy, float[] reference) {
        double sum = 0;
        for (int i = 0; i < policy.length; i++) {
            double logRatio = reference[i] - policy[i];
            sum += Math.exp(logRatio) - 1 - logRatio;
        }
        return sum;
    }
}
