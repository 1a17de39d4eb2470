package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Additive attention masks: 0 where a query may attend to a key, {@link Transformer#MASKED} elsewhere. */
public final class AttentionMasks {

    private AttentionMasks() {}

    /** Causal mask for a self-contained sequence of {@code steps} tokens: (1, 1, T, T). */
    public static NDArray causal(NDManager manager, int steps) {
        return leftPadded(manager, new int[] {0}, 0, steps, steps);
    }

    /**
     * Mask for left-padded rows: query t (absolute position {@code queryStart + t}) sees key s iff
     * {@code s <= queryStart + t} and s is not one of the row's {@code padCounts[b]} leading pads.
     *
     * @return (B, 1, T, S) with B = padCounts.length, T = steps, S = keys
     */
    public static NDArray leftPadded(NDManager manager, int[] padCounts, int queryStart, int steps, int keys) {
        NDArray keyIndex = manager.arange(0, keys, 1, DataType.INT32).reshape(1, 1, 1, keys);
        NDArray queryIndex = manager.arange(queryStart, queryStart + steps, 1, DataType.INT32).reshape(1, 1, steps, 1);
        NDArray pads = Tensors.copyOf(manager, padCounts, new Shape(padCounts.length, 1, 1, 1));
        NDArray allowed = keyIndex.lte(queryIndex).logicalAnd(keyIndex.gte(pads)); // (B, 1, T, S)
        return allowed.toType(DataType.FLOAT32, false).sub(1f).mul(Tensors.scalar(manager, -Transformer.MASKED));
    }
}
