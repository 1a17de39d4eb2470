package emend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.AttentionMasks;
import emend.model.Tensors;
import emend.model.Transformer;

/** Decoding without a cache: every call reruns the whole sequence so far (the baseline the cache must beat). */
final class RecomputeDecoder implements Decoder {

    private final Transformer model;
    private final NDManager manager;
    private int[] padCounts;
    private int[][] rows;
    private int length;

    RecomputeDecoder(Transformer model, NDManager manager, int[] padCounts, int capacity) {
        this.model = model;
        this.manager = manager;
        this.padCounts = padCounts.clone();
        this.rows = new int[padCounts.length][capacity];
    }

    @Override
    public NDArray next(int[] tokens, int steps) {
        int batch = padCounts.length;
        for (int b = 0; b < batch; b++) {
            System.arraycopy(tokens, b * steps, rows[b], length, steps);
        }
        length += steps;
        int[] flat = new int[batch * length];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(rows[b], 0, flat, b * length, length);
        }
        NDArray input = Tensors.copyOf(manager, flat, new Shape(batch, length));
        NDArray positions = Tensors.copyOf(manager, DecodePositions.of(padCounts, 0, length), new Shape(batch, length));
        NDArray mask = AttentionMasks.leftPadded(manager, padCounts, 0, length, length);
        NDArray hidden = model.hidden(input, positions, mask, null);
        return model.logits(hidden.get(":, -1, :"));
    }

    @Override
    public void repeatRows(int[] rowOf) {
        padCounts = DecodePositions.rowsOf(padCounts, rowOf);
        int[][] repeated = new int[rowOf.length][];
        for (int b = 0; b < rowOf.length; b++) {
            repeated[b] = rows[rowOf[b]].clone();
        }
        rows = repeated;
    }

    @Override
    public void close() {}
}
