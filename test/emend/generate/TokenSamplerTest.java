package emend.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.Tensors;
import emend.testing.TestModels;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The scripted pick against the operators it is written from: the same tokens and log-probabilities, bit for bit. */
final class TokenSamplerTest {

    private static final int VOCAB = 261;

    @Test
    void scriptedPick_equalsTheOperatorPathBitForBit() {
        Random random = new Random(11);
        // rows from nearly flat to sharply peaked (the last with most probabilities exactly 0, where a uniform of 0
        // must skip the leading zero-mass tokens); uniforms at 0, in between, and above the clamp
        float[] uniforms = {0.5f, 0.999_999_9f, 1f, 0.25f, 0.75f, 0.1f, 0.9f, 0f};
        int rows = uniforms.length;
        float[] values = new float[rows * VOCAB];
        for (int b = 0; b < rows; b++) {
            double scale = 0.05 * Math.pow(4, b);
            for (int v = 0; v < VOCAB; v++) {
                values[b * VOCAB + v] = (float) (random.nextGaussian() * scale);
            }
        }
        try (NDManager manager = TestModels.manager()) {
            NDArray logits = Tensors.copyOf(manager, values, new Shape(rows, VOCAB));
            int distinctTokens = 0;
            for (double temperature : new double[] {1.0, 0.7, 1.3}) {
                SamplingConfig config = SamplingConfig.sampled(temperature, 8);
                TokenSampler.Picks scripted = SamplingScript.pick(logits, TokenSampler.clamped(uniforms), temperature);
                TokenSampler.Picks operators = TokenSampler.byOperators(logits, uniforms, config);
                assertArrayEquals(operators.tokens(), scripted.tokens(), "tokens at T = " + temperature);
                assertArrayEquals(operators.logProbs(), scripted.logProbs(), "log-probabilities at T = " + temperature);
                distinctTokens = Math.max(distinctTokens, (int) Arrays.stream(scripted.tokens()).distinct().count());
                for (float logProb : scripted.logProbs()) {
                    assertTrue(logProb <= 0 && Float.isFinite(logProb), "a log-probability: " + logProb);
                }
            }
            assertTrue(distinctTokens > rows / 2, "the rows pick different tokens, so a wrong index would show");
        }
    }
}
