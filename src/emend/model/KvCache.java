package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import emend.engine.TensorSlices;

/**
 * Keys and values of every layer for a batch being decoded incrementally.
 *
 * <p>Buffers are allocated once at full capacity, {@code (B, kvHeads, capacity, headDim)} per layer, and written
 * in place, so a decoding step costs no copy of the past. All rows share one write position: batches are left
 * padded, and padding keys are masked out by the caller.
 */
public final class KvCache implements AttentionMemory, AutoCloseable {

    private final NDArray[] keys;
    private final NDArray[] values;
    private final int capacity;
    private int length;

    public KvCache(NDManager manager, ModelConfig config, int batch, int capacity) {
        if (capacity > config.contextLength()) {
            throw new IllegalArgumentException("cache capacity " + capacity + " exceeds the context length " + config.contextLength());
        }
        Shape shape = new Shape(batch, config.kvHeads(), capacity, config.headDim());
        this.keys = new NDArray[config.layers()];
        this.values = new NDArray[config.layers()];
        for (int i = 0; i < config.layers(); i++) {
            keys[i] = manager.zeros(shape, DataType.FLOAT32);
            values[i] = manager.zeros(shape, DataType.FLOAT32);
        }
        this.capacity = capacity;
    }

    /**
     * Replaces the batch by rows of it, row b of the new batch a copy of row {@code rowIndex[b]} (int32, B'):
     * prompts prefilled once go on as several rows.
     */
    public void selectRows(NDArray rowIndex) {
        NDIndex rows = new NDIndex("{}", rowIndex.toType(DataType.INT64, false));
        for (int i = 0; i < keys.length; i++) {
            NDArray k = keys[i].get(rows);
            NDArray v = values[i].get(rows);
            NDScope.unregister(k);   // owned by the cache like the buffers they replace: freed by close()
            NDScope.unregister(v);
            keys[i].close();
            values[i].close();
            keys[i] = k;
            values[i] = v;
        }
    }

    /** Every layer's key buffer, {@code (B, kvHeads, capacity, headDim)}, for {@link DecodeStepScript} to write in place. */
    NDArray[] keyBuffers() {
        return keys;
    }

    /** Every layer's value buffer, as {@link #keyBuffers()}. */
    NDArray[] valueBuffers() {
        return values;
    }

    /** Number of positions already stored. */
    public int length() {
        return length;
    }

    /**
     * Writes the new keys and values {@code (B, kvHeads, T, headDim)} of {@code layer} after the stored ones and
     * returns views of everything stored so far, {@code (B, kvHeads, length + T, headDim)}.
     */
    @Override
    public NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        int steps = Math.toIntExact(newKeys.getShape().get(2));
        int end = checkRoom(steps);
        TensorSlices.write(keys[layer], 2, length, newKeys);
        TensorSlices.write(values[layer], 2, length, newValues);
        return new NDArray[] {TensorSlices.view(keys[layer], 2, 0, end), TensorSlices.view(values[layer], 2, 0, end)};
    }

    /** The length after {@code steps} more positions; throws if they do not fit. */
    int checkRoom(int steps) {
        int end = length + steps;
        if (end > capacity) {
            throw new IllegalStateException("KV cache overflow: " + end + " positions, capacity " + capacity);
        }
        return end;
    }

    /** Marks {@code steps} more positions as stored, once every layer has appended them. */
    @Override
    public void advance(int steps) {
        length += steps;
    }

    /** It copies what it is given into its own buffers. */
    @Override
    public boolean keepsGivenArrays() {
        return false;
    }

    @Override
    public void close() {
        for (int i = 0; i < keys.length; i++) {
            keys[i].close();
            values[i].close();
        }
    }
}
