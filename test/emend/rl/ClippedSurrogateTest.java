package emend.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import emend.model.Tensors;
import emend.testing.TestModels;
import org.junit.jupiter.api.Test;

final class ClippedSurrogateTest {

    private static NDArray row(NDManager m, float... values) {
        return Tensors.copyOf(m, values, new Shape(1, values.length));
    }

    @Test
    void staleTargets_useTheClippedRatio_onTheSideThatLimitsTheUpdate() {
        try (NDManager m = TestModels.manager()) {
            float lp = (float) Math.log(0.6);
            float behaviour = (float) Math.log(0.4);     // ratio 1.5
            float lower = (float) Math.log(0.9);          // ratio 0.6 / 0.9 = 2/3
            NDArray logProbs = row(m, lp, lp, lp, lp);
            NDArray behaviourLogProbs = row(m, behaviour, behaviour, lower, lower);
            NDArray advantage = row(m, 1, -1, 1, -1);
            ClippedSurrogate.Result r = ClippedSurrogate.of(logProbs, behaviourLogProbs, row(m, 1, 1, 1, 1), advantage, 0.2);
            // A=+1, ρ=1.5: min(1.5, 1.2) = 1.2;  A=-1, ρ=1.5: min(-1.5, -1.2) = -1.5
            // A=+1, ρ=2/3: min(0.667, 0.8) = 0.667;  A=-1, ρ=2/3: min(-0.667, -0.8) = -0.8
            assertArrayEquals(new float[] {1.2f, -1.5f, 2f / 3, -0.8f}, r.surrogate().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void onPolicyTargets_haveRatioExactlyOne_andTheReinforceGradient() {
        try (NDManager m = TestModels.manager()) {
            NDArray logProbs = row(m, -0.3f, -2f);
            logProbs.setRequiresGradient(true);
            NDArray advantage = row(m, 2f, -0.5f);
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                ClippedSurrogate.Result r = ClippedSurrogate.of(logProbs, row(m, -9f, -9f), row(m, 0, 0), advantage, 0.2);
                assertArrayEquals(new float[] {1f, 1f}, r.ratio().toFloatArray(), 0f);
                collector.backward(r.surrogate().sum());
            }
            assertArrayEquals(new float[] {2f, -0.5f}, logProbs.getGradient().toFloatArray(), 1e-6f);
        }
    }
}
