package emend.rl;

import emend.rollout.GroupShape;
import emend.rollout.PromptDraw;
import emend.rollout.RolloutSampler;
import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import emend.testing.Groups;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import emend.config.RunSettings;
import emend.config.Settings;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.model.ModelConfig;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.testing.TestModels;
import emend.tokenize.ByteTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Offline base-model attempts 1 (emend.rl.offline-first-attempts): where they come from and what they earn. */
final class OfflineFirstAttemptsTest {

    private static final int[] PROMPT = {1, 3, 10, 4};

    private static Trajectory row(int firstAttempt, int sibling, int r1, int r2, boolean offline) {
        return new Trajectory("g/" + firstAttempt + "." + sibling, "g", firstAttempt, "p", 0, 1.0, PROMPT, new int[] {20 + firstAttempt, 2},
                new float[2], new int[] {3}, new int[] {30 + sibling, 2}, new float[2], r1, r2, offline);
    }

    /** Attempts 1: right, wrong (the policy's), wrong (the base model's); two attempts 2 each. */
    private static List<Trajectory> group() {
        return List.of(row(0, 0, 1, 1, false), row(0, 1, 1, 1, false), row(1, 0, 0, 1, false), row(1, 1, 0, 0, false),
                row(2, 0, 0, 1, true), row(2, 1, 0, 0, true));
    }

    @Test
    void anOfflineAttemptOne_isOutsideTurnOnesGroup_butItsAttemptsTwoAreTrained() {
        ObjectiveSettings paper = new ObjectiveSettings(10, 0.01, 0.1, KlEstimator.K3, false, 0.2, AdvantageNormalization.NONE, false);
        double[][] a = ScoreLearner.advantagesPerTurn(Groups.of(group()), ScoreLearner.shapedRewards(group(), Stage.STAGE_TWO, paper), Stage.STAGE_TWO,
                AdvantageNormalization.NONE);
        // turn 1 over the policy's two attempts 1 only (r1 = 1, 0): +1, -1; the base model's attempt gets 0
        // (had it counted, the group 1, 0, 0 would give +1, -0.5, -0.5)
        // turn 2 (r2 + 10 (r2 - r1)) over siblings: 1, 1 -> 0, 0 | 11, 0 -> 11, -11 | 11, 0 -> 11, -11
        double[][] expected = {{1, 0}, {1, 0}, {-1, 11}, {-1, -11}, {0, 11}, {0, -11}};
        for (int b = 0; b < expected.length; b++) {
            assertArrayEquals(expected[b], a[b], 1e-12, "row " + b);
        }
    }

    @Test
    void anOfflineAttemptOne_hasNoTargetTokens_itsAttemptTwoHas() {
        PolicyGradientBatch data = new PolicyGradientBatch(List.of(row(0, 0, 1, 1, false), row(2, 0, 0, 1, true)),
                new double[][] {{1, 0}, {0, 11}}, new double[][] {{0.01, 0.01}, {0.01, 0.01}}, 0, 0);
        int prefixTargets = data.rows.prefixWidth() - 1;      // two prefixes, then two continuations
        int continuationTargets = data.rows.continuationWidth() - 1;
        assertEquals(2, sum(data.turnOne, 0, prefixTargets), "the policy's attempt 1: both tokens are targets");
        assertEquals(0, sum(data.turnOne, prefixTargets, 2 * prefixTargets), "the base model's attempt 1: no policy-gradient or KL target");
        int secondContinuation = 2 * prefixTargets + continuationTargets;
        assertEquals(2, sum(data.turnTwo, secondContinuation, secondContinuation + continuationTargets), "its attempt 2 is trained");
        assertEquals(0, sum(data.klWeight, prefixTargets, 2 * prefixTargets), "nor a KL weight on attempt 1's tokens");
    }

    private static double sum(float[] values, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += values[i];
        }
        return s;
    }

    @Test
    void shapes_offlineOnlyInStageTwo_andTurnOneKeepsTwoOfThePolicysOwn() {
        assertEquals(3, new GroupShape(4, 2, 1).onlineFirstAttempts());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GroupShape(4, 2, 3)).getMessage().contains("two attempts"));
        assertThrows(IllegalArgumentException.class, () -> new GroupShape(4, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new GroupShape(4, 1, -1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Groups.of(List.of(row(0, 0, 0, 1, false), row(0, 1, 0, 1, true))))
                .getMessage().contains("differ in it"), "siblings disagree on whether their attempt 1 is the base model's");
    }

    @Test
    void theSetting_leavesTurnOneTwoAttemptsOfThePolicysOwn() {
        // four attempts 1 a prompt (the default is three): two may come from the base model, not three
        assertEquals(2, RunSettings.fromConfig(Settings.load(null, Map.of("emend.rl.samples-per-prompt", "4",
                "emend.rl.offline-first-attempts", "2"))).rl().offlineFirstAttempts());
        String message = assertThrows(IllegalArgumentException.class, () -> RunSettings.fromConfig(Settings.load(null,
                Map.of("emend.rl.samples-per-prompt", "4", "emend.rl.offline-first-attempts", "3")))).getMessage();
        assertTrue(message.contains("emend.rl.offline-first-attempts") && message.contains("samples-per-prompt - 2 = 2"), message);
    }

    @Test
    void theSampler_takesTheOfflineSlotsFromTheBaseModel_andTheRestFromThePolicy() {
        ByteTokenizer tokenizer = new ByteTokenizer();
        ModelConfig config = TestModels.smallConfig(tokenizer.vocabSize(), 96);
        int pad = tokenizer.specials().pad();
        try (NDManager manager = TestModels.manager()) {
            Generator policy = new Generator(TestModels.model(manager, config, 1), pad);
            Generator base = new Generator(TestModels.model(manager, config, 2), pad);
            Dialogue dialogue = new Dialogue(tokenizer, "Fix it.");
            List<PromptDraw> draws = List.of(new PromptDraw(new Problem("p1", "2*x+1=7", "3"), 5, 1), new PromptDraw(new Problem("p2", "3*x+0=9", "3"), 8, 1));
            GroupShape shape = new GroupShape(3, 2, 1);
            SamplingConfig sampling = SamplingConfig.sampled(1.0, 8, tokenizer.specials().eos());
            List<Trajectory> mixed = RlooGroup.rowsOf(new RolloutSampler(policy, base, dialogue).generateUnscored(draws, shape, sampling, 7, 0));
            List<Trajectory> allBase = RlooGroup.rowsOf(new RolloutSampler(base, base, dialogue).generateUnscored(draws, shape, sampling, 7, 0));
            List<Trajectory> allPolicy = RlooGroup.rowsOf(new RolloutSampler(policy, policy, dialogue).generateUnscored(draws, shape, sampling, 7, 0));
            assertEquals(12, mixed.size());
            boolean differsFromPolicy = false;
            for (int i = 0; i < mixed.size(); i++) {
                Trajectory t = mixed.get(i);
                assertEquals(t.firstAttempt() == 2, t.offlineFirstAttempt(), "row " + i);
                Trajectory same = (t.offlineFirstAttempt() ? allBase : allPolicy).get(i);
                assertArrayEquals(same.attemptOne(), t.attemptOne(), "row " + i + ": attempt 1 from the " + (t.offlineFirstAttempt() ? "base model" : "policy"));
                differsFromPolicy |= t.offlineFirstAttempt() && !Arrays.equals(t.attemptOne(), allPolicy.get(i).attemptOne());
            }
            assertTrue(differsFromPolicy, "two different models drew the same offline attempts: the test cannot tell them apart");
            assertThrows(IllegalStateException.class, () -> new RolloutSampler(policy, dialogue).generateUnscored(draws, shape, sampling, 7, 0));
            assertFalse(RlooGroup.rowsOf(new RolloutSampler(policy, dialogue).generateUnscored(draws, new GroupShape(3, 2), sampling, 7, 0))
                    .stream().anyMatch(Trajectory::offlineFirstAttempt));
        }
    }
}
