package emend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.testing.TestModels;
import org.junit.jupiter.api.Test;

/** The rotate-half matrix against the definition rotateHalf((x₁, x₂)) = (−x₂, x₁), by hand and in the engine. */
final class RotaryTablesTest {

    @Test
    void rotateHalfMatrix_mapsAVectorToMinusItsSecondHalfThenItsFirst() {
        float[] x = {1, 2, 3, 4, 5, 6};
        float[] r = RotaryTables.rotateHalfMatrix(6);
        float[] product = new float[6];
        for (int j = 0; j < 6; j++) {
            for (int i = 0; i < 6; i++) {
                product[j] += x[i] * r[i * 6 + j];
            }
        }
        assertArrayEquals(new float[] {-4, -5, -6, 1, 2, 3}, product);
    }

    @Test
    void theEngineProduct_isExactlyTheSlicedForm() {
        try (NDManager manager = TestModels.manager()) {
            NDArray x = manager.randomNormal(new Shape(2, 3, 5, 8)).mul(1e3f);
            NDArray viaMatrix = x.matMul(Tensors.copyOf(manager, RotaryTables.rotateHalfMatrix(8), new Shape(8, 8)));
            NDArray sliced = x.get("..., 4:").neg().concat(x.get("..., :4"), 3);
            assertArrayEquals(sliced.toFloatArray(), viaMatrix.toFloatArray(), 0f, "a signed permutation loses no bit");
        }
    }
}
