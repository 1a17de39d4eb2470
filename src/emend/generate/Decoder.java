package emend.generate;

import ai.djl.ndarray.NDArray;

/** Feeds tokens to a model one chunk at a time and returns the next-token logits of every row. */
interface Decoder extends AutoCloseable {

    /**
     * Appends {@code steps} tokens per row (row-major, B × steps) and returns the logits at the last position,
     * (B, V). The first call passes the left-padded prompts.
     */
    NDArray next(int[] tokens, int steps);

    /**
     * From now on row b of the batch is row {@code rowOf[b]} of the batch so far, with its own copy of everything
     * fed before: rows that share a prompt prefill it once and then go on separately.
     */
    void repeatRows(int[] rowOf);

    @Override
    void close();
}
