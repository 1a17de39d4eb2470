package emend.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import emend.model.ModelConfig;
import emend.model.Weights;
import emend.testing.TestModels;
import org.junit.jupiter.api.Test;

final class WeightAverageTest {

    private static final String NAME = "model.embed_tokens.weight";

    /** decay 0.75 after updates with w1 then w2: 0.75²·w0 + 0.75·0.25·w1 + 0.25·w2, each tensor, the start untouched. */
    @Test
    void update_isTheExponentialMovingAverage_andLeavesItsInputsAlone() {
        ModelConfig config = TestModels.smallConfig(64, 16);
        try (NDManager manager = TestModels.manager()) {
            Weights w0 = Weights.initialize(config, 1, manager);
            Weights w1 = Weights.initialize(config, 2, manager);
            Weights w2 = Weights.initialize(config, 3, manager);
            float[] start = w0.get(NAME).toFloatArray();
            WeightAverage average = new WeightAverage(w0, 0.75);
            average.update(w1);
            average.update(w2);
            float[] a = w0.get(NAME).toFloatArray();
            float[] b = w1.get(NAME).toFloatArray();
            float[] c = w2.get(NAME).toFloatArray();
            float[] expected = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                expected[i] = (float) (0.5625 * a[i] + 0.1875 * b[i] + 0.25 * c[i]);
            }
            assertArrayEquals(expected, average.weights().get(NAME).toFloatArray(), 1e-6f);
            assertArrayEquals(start, w0.get(NAME).toFloatArray(), "the starting weights are copied, not averaged in place");
            // the model built on the average sees the updates (it shares the tensors)
            assertArrayEquals(expected, average.model().weights().get(NAME).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void decayOutsideTheOpenUnitInterval_isRefused() {
        ModelConfig config = TestModels.smallConfig(64, 16);
        try (NDManager manager = TestModels.manager()) {
            Weights w0 = Weights.initialize(config, 1, manager);
            assertThrows(IllegalArgumentException.class, () -> new WeightAverage(w0, 1.0));
            assertThrows(IllegalArgumentException.class, () -> new WeightAverage(w0, 0.0));
        }
    }
}
