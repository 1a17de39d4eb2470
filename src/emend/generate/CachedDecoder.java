package emend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.AttentionMasks;
import emend.model.KvCache;
import emend.model.Tensors;
import emend.model.Transformer;

/** Incremental decoding: each call runs only the new tokens, attending to the KV cache. */
final class CachedDecoder implements Decoder {

    private final Transformer model;
    private final NDManager manager;
    private int[] padCounts;
    private final KvCache cache;

    CachedDecoder(Transformer model, NDManager manager, int[] padCounts, int capacity) {
        this.model = model;
        this.manager = manager;
        this.padCounts = padCounts.clone();
        this.cache = new KvCache(manager, model.config(), padCounts.length, capacity);
    }

    @Override
    public NDArray next(int[] tokens, int steps) {
        int batch = padCounts.length;
        int start = cache.length();
        NDArray input = Tensors.copyOf(manager, tokens, new Shape(batch, steps));
        NDArray positions = Tensors.copyOf(manager, DecodePositions.of(padCounts, start, steps), new Shape(batch, steps));
        NDArray mask = AttentionMasks.leftPadded(manager, padCounts, start, steps, start + steps);
        return model.nextLogits(input, positions, mask, cache); // (B, V)
    }

    @Override
    public void repeatRows(int[] rowOf) {
        padCounts = DecodePositions.rowsOf(padCounts, rowOf);
        try (NDArray index = Tensors.copyOf(manager, rowOf, new Shape(rowOf.length))) {
            cache.selectRows(index);
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
