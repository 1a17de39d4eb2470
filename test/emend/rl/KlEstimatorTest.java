package emend.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.Tensors;
import emend.testing.TestModels;
import org.junit.jupiter.api.Test;

final class KlEstimatorTest {

    private static final double LOG_POLICY = Math.log(0.5);
    private static final double LOG_REFERENCE = Math.log(0.25);

    @Test
    void estimators_matchHandComputedValues() {
        // log r = log(0.25 / 0.5) = -ln 2
        double ln2 = Math.log(2);
        assertEquals(ln2, KlEstimator.K1.value(LOG_POLICY, LOG_REFERENCE), 1e-12);
        assertEquals(0.5 * ln2 * ln2, KlEstimator.K2.value(LOG_POLICY, LOG_REFERENCE), 1e-12);
        assertEquals(0.5 - 1 + ln2, KlEstimator.K3.value(LOG_POLICY, LOG_REFERENCE), 1e-12);
    }

    @Test
    void estimators_areZeroWhenThePoliciesAgree_andK3IsNeverNegative() {
        for (KlEstimator k : KlEstimator.values()) {
            assertEquals(0, k.value(-1.3, -1.3), 1e-12);
        }
        for (double logRatio = -5; logRatio <= 5; logRatio += 0.25) {
            assertTrue(KlEstimator.K3.value(0, logRatio) >= 0);
        }
    }

    @Test
    void tensorForm_equalsScalarForm() {
        float[] policy = {(float) LOG_POLICY, -2f, -0.1f};
        float[] reference = {(float) LOG_REFERENCE, -0.5f, -3f};
        try (NDManager manager = TestModels.manager()) {
            NDArray p = Tensors.copyOf(manager, policy, new Shape(3));
            NDArray r = Tensors.copyOf(manager, reference, new Shape(3));
            for (KlEstimator k : KlEstimator.values()) {
                float[] expected = new float[3];
                for (int i = 0; i < 3; i++) {
                    expected[i] = (float) k.value(policy[i], reference[i]);
                }
                assertArrayEquals(expected, k.tensor(p, r).toFloatArray(), 1e-5f, k.name());
            }
        }
    }
}
