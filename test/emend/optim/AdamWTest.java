package emend.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import emend.testing.TestModels;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class AdamWTest {

    /** Leaves gradient {@code g} on {@code p} through a real backward pass of loss = sum(p · g). */
    private static void setGradient(NDArray p, float g) {
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray loss = p.mul(g).sum();
            collector.backward(loss);
            loss.close();
        }
    }

    @Test
    void step_twoUpdates_matchHandComputedAdam() {
        try (NDManager manager = TestModels.manager()) {
            NDArray p = manager.create(new float[] {1f}, new ai.djl.ndarray.types.Shape(1, 1));
            try (AdamW adam = new AdamW(Map.of("p", p), manager, new AdamW.Settings(0.9, 0.999, 1e-8, 0, 0))) {
                setGradient(p, 0.5f);
                adam.step(0.1);
                assertEquals(0.9, p.getFloat(0, 0), 1e-6);
                setGradient(p, -1f);
                adam.step(0.1);
                // Hand computation: m = -0.055, v = 0.00124975; m̂ = -0.28947, v̂ = 0.62519; p = 0.9 + 0.1·0.36610.
                assertEquals(0.9366104, p.getFloat(0, 0), 1e-6);
            }
        }
    }

    @Test
    void step_zeroesTheGradientItConsumed() {
        try (NDManager manager = TestModels.manager()) {
            NDArray p = manager.create(new float[] {1f, 2f});
            try (AdamW adam = new AdamW(Map.of("p", p), manager, AdamW.Settings.defaults())) {
                setGradient(p, 3f);
                adam.step(0.01);
                assertEquals(0f, p.getGradient().abs().sum().getFloat());
            }
        }
    }

    @Test
    void step_reportsNormBeforeClipping_andWeightDecayShrinksMatrices() {
        try (NDManager manager = TestModels.manager()) {
            NDArray matrix = manager.create(new float[] {2f, 2f}, new ai.djl.ndarray.types.Shape(1, 2));
            NDArray gain = manager.create(new float[] {2f});
            try (AdamW adam = new AdamW(Map.of("matrix", matrix, "gain", gain), manager, new AdamW.Settings(0.9, 0.999, 1e-8, 0.1, 1.0))) {
                setGradient(matrix, 0f);
                setGradient(gain, 3f); // norm over all = sqrt(3²) = 3
                double norm = adam.step(0.1);
                assertEquals(3.0, norm, 1e-5);
                assertEquals(2 - 0.1 * 0.1 * 2, matrix.getFloat(0, 0), 1e-6); // decay only, zero gradient
                assertEquals(2 - 0.1, gain.getFloat(0), 1e-6);                  // Adam's first step moves by lr; no decay on gains
            }
        }
    }

    @Test
    void step_nonFiniteGradient_failsAndSaysWhatToDo() {
        try (NDManager manager = TestModels.manager()) {
            NDArray p = manager.create(new float[] {1f});
            try (AdamW adam = new AdamW(Map.of("p", p), manager, AdamW.Settings.defaults())) {
                setGradient(p, Float.NaN);
                TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> adam.step(0.1));
                assertEquals(true, e.getMessage().contains("lower the learning rate"));
            }
        }
    }
}
