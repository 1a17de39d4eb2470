package emend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.testing.TestModels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

final class SequenceScorerTest {

    private static final int[][] ROWS = {{1, 5, 9, 3, 7}, {1, 4, 4, 8, 2}, {1, 6, 2, 2, 9}};

    /** Rows sampled at different temperatures (a live change) are each scored as if alone at their own. */
    @Test
    void rowTemperatures_scoreEachRowAtItsOwnTemperature() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 16), 3);
            float[] temperatures = {0.5f, 1.0f, 2.0f};
            NDArray batch = manager.create(Arrays.stream(ROWS).flatMapToInt(Arrays::stream).toArray(), new Shape(ROWS.length, 5));
            float[] mixed = SequenceScorer.tokenLogProbs(model, batch, temperatures).toFloatArray();
            for (int b = 0; b < ROWS.length; b++) {
                float[] alone = SequenceScorer.tokenLogProbs(model, manager.create(ROWS[b], new Shape(1, 5)), temperatures[b]).toFloatArray();
                assertArrayEquals(alone, Arrays.copyOfRange(mixed, b * 4, (b + 1) * 4), 1e-5f, "row " + b);
            }
            float[] atOne = SequenceScorer.tokenLogProbs(model, manager.create(ROWS[0], new Shape(1, 5)), 1.0).toFloatArray();
            assertNotEquals(atOne[0], mixed[0], 1e-4f, "row 0 is not scored at the batch's other temperatures");
            assertThrows(IllegalArgumentException.class, () -> SequenceScorer.tokenLogProbs(model, batch, new float[] {1f, 1f}));
            assertThrows(IllegalArgumentException.class, () -> SequenceScorer.tokenLogProbs(model, batch, new float[] {1f, 0f, 1f}));
        }
    }
}
