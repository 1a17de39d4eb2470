package emend.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.Tensors;
import java.util.List;

/**
 * Variable-length token sequences right-padded into one (B, T) batch, with a (B, T-1) mask of the positions
 * that carry loss: entry [b, t] is 1 when token t+1 of row b is a trained target.
 */
public record TokenBatch(int[] tokens, float[] targetMask, int rows, int length) {

    /**
     * @param sequences token ids per row
     * @param trained per row, which tokens are targets (same lengths as the rows; index 0 is never a target)
     */
    public static TokenBatch of(List<int[]> sequences, List<boolean[]> trained, int padToken) {
        int rows = sequences.size();
        int length = sequences.stream().mapToInt(s -> s.length).max().orElseThrow();
        int[] tokens = new int[rows * length];
        float[] mask = new float[rows * (length - 1)];
        java.util.Arrays.fill(tokens, padToken);
        for (int b = 0; b < rows; b++) {
            int[] seq = sequences.get(b);
            boolean[] target = trained.get(b);
            if (target.length != seq.length) {
                throw new IllegalArgumentException("row " + b + ": " + seq.length + " tokens but " + target.length + " target flags");
            }
            System.arraycopy(seq, 0, tokens, b * length, seq.length);
            for (int t = 1; t < seq.length; t++) {
                mask[b * (length - 1) + t - 1] = target[t] ? 1f : 0f;
            }
        }
        return new TokenBatch(tokens, mask, rows, length);
    }

    public NDArray tokenArray(NDManager manager) {
        return Tensors.copyOf(manager, tokens, new Shape(rows, length));
    }

    public NDArray maskArray(NDManager manager) {
        return Tensors.copyOf(manager, targetMask, new Shape(rows, length - 1));
    }

    /** Number of target tokens. */
    public int targetCount() {
        int n = 0;
        for (float m : targetMask) {
            n += m > 0 ? 1 : 0;
        }
        return n;
    }
}
