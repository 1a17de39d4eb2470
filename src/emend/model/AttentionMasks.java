package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Additive attention masks: 0 where a query may attend to a key, {@link Transformer#MASKED} elsewhere.
 *
 * <p>Built on the host and copied in once: one native call per mask instead of a dozen small operators at every
 * decoding step.
 */
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
        float[] mask = new float[padCounts.length * steps * keys];
        int at = 0;
        for (int pads : padCounts) {
            for (int t = 0; t < steps; t++) {
                int query = queryStart + t;
                for (int s = 0; s < keys; s++) {
                    mask[at++] = s <= query && s >= pads ? 0f : Transformer.MASKED;
                }
            }
        }
        return Tensors.copyOf(manager, mask, new Shape(padCounts.length, 1, steps, keys));
    }

    /**
     * Mask for continuations of shared prefixes ({@link PrefixedRows}): the keys are a prefix's P positions, then the
     * continuation's own C; query t of row r sees prefix key s iff {@code s < visiblePrefix[r]}, and its own key j
     * iff {@code j <= t}.
     *
     * @return (R, 1, C, P + C) with R = visiblePrefix.length
     */
    public static NDArray continuations(NDManager manager, int[] visiblePrefix, int prefixWidth, int steps) {
        int keys = prefixWidth + steps;
        float[] mask = new float[visiblePrefix.length * steps * keys];
        int at = 0;
        for (int visible : visiblePrefix) {
            for (int t = 0; t < steps; t++) {
                for (int s = 0; s < keys; s++) {
                    boolean seen = s < prefixWidth ? s < visible : s - prefixWidth <= t;
                    mask[at++] = seen ? 0f : Transformer.MASKED;
                }
            }
        }
        return Tensors.copyOf(manager, mask, new Shape(visiblePrefix.length, 1, steps, keys));
    }
}
