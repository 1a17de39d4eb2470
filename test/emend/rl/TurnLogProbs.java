package emend.rl;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.SequenceScorer;
import emend.model.Tensors;
import emend.model.Transformer;
import emend.util.IntArrays;

/** A model's log-probs (temperature 1) of the tokens of each attempt of one dialogue, for hand-computed expectations. */
final class TurnLogProbs {

    private TurnLogProbs() {}

    /** {log-probs of attempt 1's tokens, log-probs of attempt 2's tokens} in the context prompt + 1 + suffix + 2. */
    static float[][] of(Transformer model, int[] prompt, int[] one, int[] suffix, int[] two) {
        int[] tokens = IntArrays.concat(prompt, one, suffix, two);
        float[] all;
        try (NDManager scope = model.weights().manager().newSubManager()) {
            all = SequenceScorer.tokenLogProbs(model, Tensors.copyOf(scope, tokens, new Shape(1, tokens.length))).toFloatArray();
        }
        float[] first = new float[one.length];
        System.arraycopy(all, prompt.length - 1, first, 0, one.length);        // target i predicts token i + 1
        float[] second = new float[two.length];
        System.arraycopy(all, prompt.length + one.length + suffix.length - 1, second, 0, two.length);
        return new float[][] {first, second};
    }

    /** {@code values} with {@code offset} added to each. */
    static float[] shifted(float[] values, double offset) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) (values[i] + offset);
        }
        return out;
    }
}
