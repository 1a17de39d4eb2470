package emend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
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

    // prefixes {1 5 9 3} and {1 4 4 8 2 7} (width 6); continuations start at their prefix's last token
    private static final int[][] PREFIXES = {{1, 5, 9, 3}, {1, 4, 4, 8, 2, 7}};
    private static final int[][] CONTINUATIONS = {{3, 7, 2}, {3, 6}, {7, 8, 9, 10, 11}};
    private static final int[] PREFIX_OF = {0, 0, 1};
    private static final float[] TEMPERATURES = {0.7f, 1.0f};

    private static PrefixedRows prefixedRows() {
        int width = 6;
        int steps = 6;                       // one more than the longest: the last row's padding runs past the context
        int[] prefixTokens = new int[2 * width];
        int[] continuationTokens = new int[3 * steps];
        Arrays.fill(prefixTokens, 19);       // padding: any id
        Arrays.fill(continuationTokens, 19);
        for (int u = 0; u < 2; u++) {
            System.arraycopy(PREFIXES[u], 0, prefixTokens, u * width, PREFIXES[u].length);
        }
        float[] continuationTemperatures = new float[3];
        for (int r = 0; r < 3; r++) {
            System.arraycopy(CONTINUATIONS[r], 0, continuationTokens, r * steps, CONTINUATIONS[r].length);
            continuationTemperatures[r] = TEMPERATURES[PREFIX_OF[r]];
        }
        return new PrefixedRows(prefixTokens, width, new int[] {4, 6}, TEMPERATURES, continuationTokens, steps, PREFIX_OF,
                continuationTemperatures);
    }

    /** The whole row continuation r stands for: its prefix without the last token, then the continuation. */
    private static int[] wholeRow(int r) {
        int[] prefix = PREFIXES[PREFIX_OF[r]];
        int[] row = Arrays.copyOf(prefix, prefix.length - 1 + CONTINUATIONS[r].length);
        System.arraycopy(CONTINUATIONS[r], 0, row, prefix.length - 1, CONTINUATIONS[r].length);
        return row;
    }

    /**
     * Scoring shared prefixes once gives every target the log-prob (and, summed into a loss, every weight the gradient)
     * it gets in its whole row, scored alone; the last row runs past the context length, whose padding must not fail.
     */
    @Test
    void sharedPrefixes_scoreEachTargetAsInItsWholeRow_valuesAndGradients() {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(20, 10);
            Weights base = Weights.initialize(config, 7, manager);
            Transformer shared = new Transformer(base.copy(manager));
            Transformer whole = new Transformer(base.copy(manager));
            PrefixedRows rows = prefixedRows();
            NDArray sharedLoss;
            NDArray wholeLoss = null;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                shared.weights().tensors().values().forEach(p -> p.setRequiresGradient(true));
                whole.weights().tensors().values().forEach(p -> p.setRequiresGradient(true));
                NDArray logProbs = SequenceScorer.tokenLogProbs(shared, manager, rows);
                assertEquals(rows.targets(), logProbs.size());
                float[] values = logProbs.toFloatArray();
                float[] weights = new float[values.length];  // a loss over the real targets, each with its own weight
                int at = 0;
                for (int u = 0; u < 2; u++) {
                    NDArray alone = SequenceScorer.tokenLogProbs(whole, manager.create(PREFIXES[u], new Shape(1, PREFIXES[u].length)), TEMPERATURES[u]);
                    float[] expected = alone.toFloatArray();
                    assertArrayEquals(expected, Arrays.copyOfRange(values, at, at + expected.length), 1e-5f, "prefix " + u);
                    NDArray w = Tensors.copyOf(manager, weights(expected.length, u), new Shape(expected.length));
                    wholeLoss = add(wholeLoss, alone.squeeze(0).mul(w).sum());
                    System.arraycopy(w.toFloatArray(), 0, weights, at, expected.length);
                    at += 5;
                }
                for (int r = 0; r < 3; r++) {
                    int[] row = wholeRow(r);
                    NDArray alone = SequenceScorer.tokenLogProbs(whole, manager.create(row, new Shape(1, row.length)), TEMPERATURES[PREFIX_OF[r]]);
                    int from = PREFIXES[PREFIX_OF[r]].length - 1;            // the continuation's targets in its whole row
                    int count = CONTINUATIONS[r].length - 1;
                    NDArray own = alone.squeeze(0).get(from + ":" + (from + count));
                    assertArrayEquals(own.toFloatArray(), Arrays.copyOfRange(values, at, at + count), 1e-5f, "continuation " + r);
                    NDArray w = Tensors.copyOf(manager, weights(count, 10 + r), new Shape(count));
                    wholeLoss = wholeLoss.add(own.mul(w).sum());
                    System.arraycopy(w.toFloatArray(), 0, weights, at, count);
                    at += steps(rows);
                }
                sharedLoss = logProbs.mul(Tensors.copyOf(manager, weights, new Shape(weights.length))).sum();
                assertEquals(wholeLoss.getFloat(), sharedLoss.getFloat(), 1e-4f);
                collector.backward(sharedLoss);
                collector.backward(wholeLoss);
            }
            for (String name : base.tensors().keySet()) {
                float[] a = shared.weights().get(name).getGradient().toFloatArray();
                float[] b = whole.weights().get(name).getGradient().toFloatArray();
                double norm = 0;
                double differ = 0;
                for (int i = 0; i < a.length; i++) {
                    norm += Math.abs(b[i]);
                    differ += Math.abs(a[i] - b[i]);
                }
                assertTrue(norm > 0, name + " gets a gradient");
                assertTrue(differ <= 1e-5 * norm + 1e-7, name + ": shared-prefix gradient differs by " + differ + " of " + norm);
            }
        }
    }

    private static int steps(PrefixedRows rows) {
        return rows.continuationWidth() - 1;
    }

    private static NDArray add(NDArray sum, NDArray term) {
        return sum == null ? term : sum.add(term);
    }

    /** Weights in [-1, 1) that differ per target and per row. */
    private static float[] weights(int count, int salt) {
        float[] w = new float[count];
        for (int i = 0; i < count; i++) {
            w[i] = ((i * 7 + salt * 13) % 17) / 8.5f - 1f;
        }
        return w;
    }

    @Test
    void prefixesWithoutContinuations_areScoredAlone_andABadLayoutIsRefused() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 16), 3);
            PrefixedRows alone = new PrefixedRows(new int[] {1, 5, 9, 3}, 4, new int[] {4}, new float[] {1f}, new int[0], 0, new int[0], new float[0]);
            float[] expected = SequenceScorer.tokenLogProbs(model, manager.create(new int[] {1, 5, 9, 3}, new Shape(1, 4))).toFloatArray();
            assertArrayEquals(expected, SequenceScorer.tokenLogProbs(model, manager, alone).toFloatArray(), 1e-6f);
        }
        assertThrows(IllegalArgumentException.class, () -> new PrefixedRows(new int[] {1, 5, 9, 3}, 4, new int[] {5}, new float[] {1f},
                new int[0], 0, new int[0], new float[0]), "a prefix longer than its width");
        assertThrows(IllegalArgumentException.class, () -> new PrefixedRows(new int[] {1, 5, 9, 3}, 4, new int[] {4}, new float[] {1f},
                new int[] {3, 7}, 2, new int[] {1}, new float[] {1f}), "a continuation of a prefix that is not there");
        assertThrows(IllegalArgumentException.class, () -> new PrefixedRows(new int[] {1, 5, 9, 3}, 4, new int[] {4}, new float[] {1f},
                new int[] {3, 7}, 2, new int[] {0}, new float[0]), "a continuation without its temperature");
    }
}
