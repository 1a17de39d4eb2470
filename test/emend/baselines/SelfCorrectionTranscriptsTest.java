package emend.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.optim.LearningRateSchedule;
import emend.rollout.Trajectory;
import emend.sft.SupervisedTrainer;
import emend.sft.TokenBatch;
import emend.testing.TestModels;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class SelfCorrectionTranscriptsTest {

    private static final int[] PROMPT = {1, 2};
    private static final int[] SUFFIX = {9};

    private static Trajectory trace(String id, String problem, int[] one, int r1, int[] two, int r2) {
        return new Trajectory(id, problem + "-g", 0, problem, 0, 1.0, PROMPT, one, new float[one.length], SUFFIX, two, new float[two.length], r1, r2);
    }

    private static Trajectory single(String id, String problem, int[] one, int r1) {
        return trace(id, problem, one, r1, new int[0], 0);
    }

    @Test
    void star_keepsWrongToRight_andDPlusAddsRightToRight_lossOnRightAttemptsOnly() {
        List<Trajectory> traces = List.of(
                trace("wr", "p", new int[] {5}, 0, new int[] {6, 7}, 1),
                trace("rr", "p", new int[] {6, 7}, 1, new int[] {6, 7}, 1),
                trace("rw", "p", new int[] {6, 7}, 1, new int[] {5}, 0),
                trace("ww", "p", new int[] {5}, 0, new int[] {4}, 0));
        SelfCorrectionTranscripts star = SelfCorrectionTranscripts.star(traces, false);
        assertEquals(1, star.size());
        assertArrayEquals(new int[] {1, 2, 5, 9, 6, 7}, star.tokens().get(0));
        assertArrayEquals(new boolean[] {false, false, false, false, true, true}, star.targets().get(0));
        SelfCorrectionTranscripts plus = SelfCorrectionTranscripts.star(traces, true);
        assertEquals(2, plus.size());
        assertArrayEquals(new int[] {1, 2, 6, 7, 9, 6, 7}, plus.tokens().get(1));
        assertArrayEquals(new boolean[] {false, false, true, true, false, true, true}, plus.targets().get(1));
        assertThrows(IllegalArgumentException.class, () -> SelfCorrectionTranscripts.star(List.of(single("s", "p", new int[] {5}, 0)), false));
    }

    @Test
    void starTranscripts_trainTheRevision_supervisedLossFalls() {
        List<Trajectory> traces = List.of(
                trace("a", "p", new int[] {5, 6}, 0, new int[] {7, 8, 9, 10}, 1),
                trace("b", "q", new int[] {11}, 0, new int[] {12, 13, 14}, 1));
        SelfCorrectionTranscripts data = SelfCorrectionTranscripts.star(traces, false);
        try (NDManager manager = TestModels.manager()) {
            Weights weights = Weights.initialize(TestModels.smallConfig(20, 16), 3, manager);
            try (AdamW optimizer = new AdamW(weights.tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0.0, 1.0))) {
                SupervisedTrainer trainer = new SupervisedTrainer(new Transformer(weights), optimizer,
                        LearningRateSchedule.constant(1e-2));
                double first = trainer.step(data.batch(0, 2, 0)).loss();
                double last = first;
                for (int step = 1; step < 30; step++) {
                    last = trainer.step(data.batch(step * 2, 2, 0)).loss();
                }
                assertEquals(7, data.batch(0, 2, 0).targetCount(), "the revisions' tokens only: 4 + 3");
                assertTrue(last < first / 4, "loss " + first + " -> " + last);
            }
        }
    }

    @Test
    void pairs_matchEachWrongAnswerWithARightOneOfTheSameProblem() {
        List<Trajectory> samples = List.of(
                single("a1", "a", new int[] {5}, 0),
                single("a2", "a", new int[] {6}, 1),
                single("a3", "a", new int[] {4}, 0),
                single("b1", "b", new int[] {3}, 0),   // no right answer to b: no pair
                single("c1", "c", new int[] {8}, 1));  // no wrong answer to c: no pair
        SelfCorrectionTranscripts pairs = SelfCorrectionTranscripts.pairs(samples, SUFFIX, new SplittableRandom(1));
        assertEquals(2, pairs.size());
        assertArrayEquals(new int[] {1, 2, 5, 9, 6}, pairs.tokens().get(0));
        assertArrayEquals(new int[] {1, 2, 4, 9, 6}, pairs.tokens().get(1));
        assertArrayEquals(new boolean[] {false, false, false, false, true}, pairs.targets().get(1));
        TokenBatch batch = pairs.batch(1, 3, 0);
        assertEquals(3, batch.rows());
        assertEquals(3, batch.targetCount(), "one revised token per row, rows wrapping around");
    }
}
