package emend.sft;

import emend.optim.AdamW;
import emend.optim.LearningRateSchedule;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.testing.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class SupervisedTrainerTest {

    private static final int VOCAB = 16;

    /** Counting sequences: a random start in 1..10, then +1 each token; every token after the first is determined. */
    private static TokenBatch countingBatch(Random random, int rows, int length) {
        List<int[]> sequences = new ArrayList<>();
        List<boolean[]> trained = new ArrayList<>();
        for (int b = 0; b < rows; b++) {
            int start = 1 + random.nextInt(10);
            int[] seq = new int[length];
            boolean[] target = new boolean[length];
            for (int t = 0; t < length; t++) {
                seq[t] = 1 + (start + t - 1) % (VOCAB - 1);
                target[t] = t >= 2; // the first token is random, the second depends on it: both learnable only from t >= 2
            }
            sequences.add(seq);
            trained.add(target);
        }
        return TokenBatch.of(sequences, trained, 0);
    }

    private static double[] train(long initSeed, int steps) {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(VOCAB, 32);
            Weights weights = Weights.initialize(config, initSeed, manager);
            try (AdamW adam = new AdamW(weights.tensors(), manager, AdamW.Settings.defaults())) {
                SupervisedTrainer trainer = new SupervisedTrainer(new Transformer(weights), adam,
                        new LearningRateSchedule(3e-3, 20, steps, 0.1));
                Random data = new Random(99);
                double[] losses = new double[steps];
                for (int s = 0; s < steps; s++) {
                    losses[s] = trainer.step(countingBatch(data, 16, 16)).loss();
                }
                return losses;
            }
        }
    }

    @Test
    void step_fewHundredSteps_driveLearnableSequenceLossNearZero() {
        double[] losses = train(1, 300);
        double last = Arrays.stream(losses, 290, 300).average().orElseThrow();
        assertTrue(losses[0] > 2.0, "initial loss " + losses[0] + " should be near log(16)");
        assertTrue(last < 0.05, "loss after 300 steps is " + last);
    }

    @Test
    void step_sameSeed_sameLossCurve_differentSeed_differentCurve() {
        double[] a = train(7, 15);
        double[] b = train(7, 15);
        double[] c = train(8, 15);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }
}
