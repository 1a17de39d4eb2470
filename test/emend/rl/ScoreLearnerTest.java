package emend.rl;

import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import emend.testing.Groups;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.ModelConfig;
import emend.model.SequenceScorer;
import emend.model.Tensors;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.testing.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ScoreLearnerTest {

    private static final int[] PROMPT = {1, 3, 10, 4};
    private static final int[] GOOD = {20, 21, 22, 2};
    private static final int[] BAD = {30, 31, 32, 2};

    private static Trajectory single(String id, int[] attempt, int reward) {
        return new Trajectory(id, "g", 0, "p", 0, 1.0, PROMPT, attempt, new float[attempt.length], new int[0], new int[0], new float[0], reward, 0);
    }

    private static double sequenceLogProb(Transformer model, NDManager manager, int[] attempt) {
        int[] tokens = new int[PROMPT.length + attempt.length];
        System.arraycopy(PROMPT, 0, tokens, 0, PROMPT.length);
        System.arraycopy(attempt, 0, tokens, PROMPT.length, attempt.length);
        try (NDManager scope = manager.newSubManager()) {
            NDArray logProbs = SequenceScorer.tokenLogProbs(model, Tensors.copyOf(scope, tokens, new Shape(1, tokens.length)));
            float[] values = logProbs.toFloatArray();
            double sum = 0;
            for (int i = PROMPT.length - 1; i < values.length; i++) {
                sum += values[i];
            }
            return sum;
        }
    }

    private static Trajectory outcome(int r1, int r2) {
        return new Trajectory("t" + r1 + r2, "g", 0, "p", 0, 1.0, PROMPT, GOOD, new float[GOOD.length], new int[] {3}, BAD,
                new float[BAD.length], r1, r2);
    }

    private static Trajectory distinct(int i, int r1, int r2) {
        int[] one = i % 2 == 0 ? new int[] {20 + i, 21, 2} : new int[] {20 + i, 2};
        int[] two = new int[] {30 + i, 31 + i, 2};
        return new Trajectory("d" + i, "g", i, "p", 0, 1.0, PROMPT, one, new float[one.length], new int[] {3, 12, 4}, two,
                new float[two.length], r1, r2);
    }

    @Test
    void shapedRewards_copyBaselineLeavesOnlyProgress_inBothStages() {
        List<Trajectory> cases = List.of(outcome(0, 0), outcome(0, 1), outcome(1, 0), outcome(1, 1));
        ObjectiveSettings paper = ObjectiveSettings.paper();
        ObjectiveSettings withBaseline = new ObjectiveSettings(10, 0.01, 0.1, KlEstimator.K3, false, 0.2, AdvantageNormalization.NONE, true);
        assertRewards(new double[][] {{0, 0}, {0, 1}, {0, 0}, {0, 1}}, ScoreLearner.shapedRewards(cases, Stage.STAGE_ONE, paper));
        assertRewards(new double[][] {{0, 0}, {0, 1}, {0, -1}, {0, 0}}, ScoreLearner.shapedRewards(cases, Stage.STAGE_ONE, withBaseline));
        assertRewards(new double[][] {{0, 0}, {0, 11}, {1, -10}, {1, 1}}, ScoreLearner.shapedRewards(cases, Stage.STAGE_TWO, paper));
        assertRewards(new double[][] {{0, 0}, {0, 11}, {1, -11}, {1, 0}}, ScoreLearner.shapedRewards(cases, Stage.STAGE_TWO, withBaseline));
    }

    /**
     * With the copy baseline attempt 2 earns (1 + alpha)(r2 - r1), so a normalised advantage does not depend on
     * alpha; without the baseline (the paper's reward) it does. This is why the ablation without shaping also drops
     * the baseline.
     */
    @Test
    void stageTwoAdvantages_withTheCopyBaselineAndNormalisation_doNotDependOnAlpha() {
        List<Trajectory> group = List.of(outcome(0, 1), outcome(1, 1), outcome(1, 0), outcome(0, 0), outcome(0, 1), outcome(1, 1));
        for (AdvantageNormalization normalization : List.of(AdvantageNormalization.BATCH, AdvantageNormalization.GROUP)) {
            double[][] shaped = advantages(group, 10, true, normalization);
            double[][] unshaped = advantages(group, 0, true, normalization);
            for (int b = 0; b < group.size(); b++) {
                assertEquals(unshaped[b][1], shaped[b][1], 1e-5, normalization + " row " + b); // the normalisation's epsilon
            }
            double[][] paper = advantages(group, 10, false, normalization);
            double[][] plain = advantages(group, 0, false, normalization);
            assertTrue(java.util.stream.IntStream.range(0, group.size()).anyMatch(b -> Math.abs(paper[b][1] - plain[b][1]) > 0.1),
                    normalization + ": without the baseline alpha changes the advantages");
        }
    }

    private static double[][] advantages(List<Trajectory> batch, double alpha, boolean copyBaseline, AdvantageNormalization normalization) {
        ObjectiveSettings settings = new ObjectiveSettings(alpha, 0.01, 0.1, KlEstimator.K3, false, 0.2, normalization, copyBaseline);
        return ScoreLearner.advantagesPerTurn(Groups.numbered(batch), ScoreLearner.shapedRewards(batch, Stage.STAGE_TWO, settings), Stage.STAGE_TWO, normalization);
    }

    private static void assertRewards(double[][] expected, double[][] actual) {
        for (int i = 0; i < expected.length; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected[i], actual[i], 1e-12, "row " + i);
        }
    }

    @Test
    void step_raisesThePositiveAdvantageSequence_andLowersTheNegativeOne() {
        ModelConfig config = TestModels.smallConfig(64, 16);
        try (NDManager manager = TestModels.manager()) {
            Weights base = Weights.initialize(config, 11, manager);
            Transformer reference = new Transformer(base);
            Transformer policy = new Transformer(base.copy(manager));
            double goodBefore = sequenceLogProb(policy, manager, GOOD);
            double badBefore = sequenceLogProb(policy, manager, BAD);
            try (AdamW optimizer = new AdamW(policy.weights().tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1.0))) {
                ScoreLearner learner = new ScoreLearner(policy, reference, optimizer, 0, 1);
                ObjectiveSettings noKl = ObjectiveSettings.paper().withBetas(0, 0);
                LearnerStats stats = learner.step(Groups.numbered(List.of(single("a", GOOD, 1), single("b", BAD, 0))), Stage.SINGLE_TURN, noKl, 1e-2);
                assertEquals(0.5, stats.rewardOne(), 1e-12);
                assertEquals(1, learner.version());
            }
            double goodAfter = sequenceLogProb(policy, manager, GOOD);
            double badAfter = sequenceLogProb(policy, manager, BAD);
            assertTrue(goodAfter > goodBefore, "positive advantage: " + goodBefore + " -> " + goodAfter);
            assertTrue(badAfter < badBefore, "negative advantage: " + badBefore + " -> " + badAfter);
            // the reference stays frozen
            assertEquals(goodBefore, sequenceLogProb(reference, manager, GOOD), 1e-6);
        }
    }

    @Test
    void microBatching_givesTheSameUpdateAsTheWholeBatch() {
        ModelConfig config = TestModels.smallConfig(64, 16);
        // distinct sequences of different lengths (identical ones would make the RLOO gradient cancel exactly)
        List<Trajectory> batch = List.of(distinct(0, 0, 1), distinct(1, 1, 1), distinct(2, 0, 0), distinct(3, 1, 0));
        float[][] after = new float[2][];
        int[] microBatches = {4, 1};
        for (int run = 0; run < 2; run++) {
            try (NDManager manager = TestModels.manager()) {
                Weights base = Weights.initialize(config, 13, manager);
                Transformer policy = new Transformer(base.copy(manager));
                float[] before = base.get("model.embed_tokens.weight").toFloatArray();
                // epsilon 1 makes Adam's first update about lr * gradient (with a tiny epsilon it is lr * sign(gradient),
                // which turns float noise in near-zero gradients into full-size differences)
                try (AdamW optimizer = new AdamW(policy.weights().tensors(), manager, new AdamW.Settings(0.9, 0.95, 1.0, 0, 0))) {
                    new ScoreLearner(policy, new Transformer(base), optimizer, 0, microBatches[run])
                            .step(Groups.of(batch), Stage.STAGE_TWO, ObjectiveSettings.paper(), 1.0);
                }
                float[] updated = policy.weights().get("model.embed_tokens.weight").toFloatArray();
                after[run] = new float[updated.length];
                for (int i = 0; i < updated.length; i++) {
                    after[run][i] = updated[i] - before[i];
                }
            }
        }
        // equal up to float rounding (different matmul shapes sum in a different order): relative L1 below 0.1%
        double moved = 0;
        double differ = 0;
        for (int i = 0; i < after[0].length; i++) {
            moved += Math.abs(after[0][i]);
            differ += Math.abs(after[0][i] - after[1][i]);
        }
        assertTrue(moved > 0, "the step must move the embedding");
        assertTrue(differ < 1e-3 * moved, "micro-batched update differs: " + differ + " of " + moved);
    }

    @Test
    void klTerm_alonePullsThePolicyBackTowardTheReference() {
        ModelConfig config = TestModels.smallConfig(64, 16);
        try (NDManager manager = TestModels.manager()) {
            Weights base = Weights.initialize(config, 12, manager);
            Transformer reference = new Transformer(base);
            Weights moved = base.copy(manager);
            moved.tensors().values().forEach(t -> t.addi(Tensors.copyOf(manager, randomNoise(t.size(), 0.05f), t.getShape())));
            Transformer policy = new Transformer(moved);
            try (AdamW optimizer = new AdamW(policy.weights().tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1.0))) {
                ScoreLearner learner = new ScoreLearner(policy, reference, optimizer, 0, 1);
                ObjectiveSettings klOnly = ObjectiveSettings.paper().withBetas(1.0, 1.0);
                List<RlooGroup> equalRewards = Groups.numbered(List.of(single("a", GOOD, 1), single("b", BAD, 1)));
                double first = learner.step(equalRewards, Stage.SINGLE_TURN, klOnly, 3e-3).klOne();
                double last = first;
                for (int i = 0; i < 20; i++) {
                    last = learner.step(equalRewards, Stage.SINGLE_TURN, klOnly, 3e-3).klOne();
                }
                assertTrue(first > 0 && last < first * 0.5, "KL " + first + " -> " + last);
            }
        }
    }

    /** emend.rl.stage1-reference = phase-start: Stage I measures KL to the policy as anchored, Stage II still to the base. */
    @Test
    void anchoredStageOne_measuresKlToTheAnchoredPolicy_stageTwoStillToTheBase() {
        ModelConfig config = TestModels.smallConfig(64, 16);
        try (NDManager manager = TestModels.manager()) {
            Weights base = Weights.initialize(config, 14, manager);
            Weights moved = base.copy(manager);
            moved.tensors().values().forEach(t -> t.addi(Tensors.copyOf(manager, randomNoise(t.size(), 0.05f), t.getShape())));
            Transformer policy = new Transformer(moved);
            try (AdamW optimizer = new AdamW(policy.weights().tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0, 1.0))) {
                ScoreLearner learner = new ScoreLearner(policy, new Transformer(base), optimizer, 0, 1);
                List<RlooGroup> batch = Groups.numbered(List.of(outcome(0, 1), outcome(1, 1)));
                ObjectiveSettings settings = ObjectiveSettings.paper();
                assertTrue(learner.stageOneReference().isEmpty());
                LearnerStats toBase = learner.step(batch, Stage.STAGE_ONE, settings, 1e-9);
                assertTrue(toBase.klOne() > 1e-3 && toBase.klTwo() > 1e-3, "the moved policy is away from the base: " + toBase);

                learner.anchorStageOne();
                LearnerStats toAnchor = learner.step(batch, Stage.STAGE_ONE, settings, 1e-9);
                assertEquals(0, toAnchor.klOne(), 1e-6);
                assertEquals(0, toAnchor.klTwo(), 1e-6);
                LearnerStats stageTwo = learner.step(batch, Stage.STAGE_TWO, settings, 1e-9);
                assertEquals(toBase.klOne(), stageTwo.klOne(), 1e-4 * toBase.klOne());
                float[] anchored = learner.stageOneReference().orElseThrow().get("model.embed_tokens.weight").toFloatArray();
                org.junit.jupiter.api.Assertions.assertArrayEquals(moved.get("model.embed_tokens.weight").toFloatArray(), anchored, 1e-6f,
                        "the anchor is the policy as it was (three 1e-9 steps later)");

                for (int i = 0; i < 3; i++) {
                    learner.step(batch, Stage.STAGE_TWO, settings, 1e-2);       // the policy moves off the anchor
                }
                assertTrue(learner.step(batch, Stage.STAGE_ONE, settings, 1e-9).klOne() > 1e-4, "moved away from the first anchor");
                learner.anchorStageOne();                                           // the next Stage I phase re-anchors
                assertEquals(0, learner.step(batch, Stage.STAGE_ONE, settings, 1e-9).klOne(), 1e-6);
            }
        }
    }

    private static float[] randomNoise(long size, float scale) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        float[] out = new float[Math.toIntExact(size)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (random.nextGaussian() * scale);
        }
        return out;
    }
}
