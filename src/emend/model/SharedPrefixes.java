package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * Keys and values of prefixes that several continuations share, so each prefix goes through the model once: the
 * prefixes' own pass leaves its keys and values here (with their autograd graph, so a continuation's gradient
 * reaches the prefix's tokens and weights), and a pass over continuations attends to the keys and values of the
 * prefix each row continues ({@link #forContinuations}).
 */
final class SharedPrefixes implements AttentionMemory {

    private final NDArray[] keys;
    private final NDArray[] values;
    private boolean captured;

    SharedPrefixes(int layers) {
        keys = new NDArray[layers];
        values = new NDArray[layers];
    }

    /** Keeps the prefixes' keys and values (U, kvHeads, P, headDim) of {@code layer}; they attend to themselves. */
    @Override
    public NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        if (captured) {
            throw new IllegalStateException("the prefixes already went through the model; continuations use forContinuations");
        }
        keys[layer] = newKeys;
        values[layer] = newValues;
        return new NDArray[] {newKeys, newValues};
    }

    @Override
    public void advance(int steps) {
        captured = true;
    }

    @Override
    public boolean keepsGivenArrays() {
        return true;
    }

    /**
     * The memory of a pass over continuations: row r attends to the keys and values of prefix {@code prefixOfRow[r]}
     * (all P positions; the caller's mask hides those the row may not see) followed by its own.
     *
     * @param prefixOfRow (R) int64 prefix index of each continuation row
     */
    AttentionMemory forContinuations(NDArray prefixOfRow) {
        if (!captured) {
            throw new IllegalStateException("run the prefixes through the model before their continuations");
        }
        NDIndex rows = new NDIndex("{}", prefixOfRow);
        return new AttentionMemory() {
            @Override
            public NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
                return new NDArray[] {
                    NDArrays.concat(new NDList(keys[layer].get(rows), newKeys), 2),
                    NDArrays.concat(new NDList(values[layer].get(rows), newValues), 2)};
            }

            @Override
            public void advance(int steps) {}

            @Override
            public boolean keepsGivenArrays() {
                return false;
            }
        };
    }
}
