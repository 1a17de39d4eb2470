package emend.model;

import ai.djl.ndarray.NDArray;

/**
 * Keys and values of positions before a forward pass's tokens: the decoder's {@link KvCache}, or the prefixes a
 * batch of continuations shares ({@link SharedPrefixes}). At each layer the pass hands over its new keys and values
 * and attends to what comes back.
 */
public interface AttentionMemory {

    /**
     * Takes {@code layer}'s new keys and values {@code (B, kvHeads, T, headDim)} and returns everything the pass's
     * queries attend to, {@code (B, kvHeads, S, headDim)} (the caller's mask says which of the S they may see).
     */
    NDArray[] append(int layer, NDArray keys, NDArray values);

    /** Called once every layer has appended {@code steps} positions. */
    void advance(int steps);

    /**
     * Whether it holds on to the very arrays it is given: then the pass must not free a layer's arrays when the
     * layer is done (a cache that copies them into buffers of its own returns false).
     */
    boolean keepsGivenArrays();
}
