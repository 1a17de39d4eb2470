package emend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import emend.model.SequenceScorer;
import emend.model.Tensors;

/**
 * Picks one token per row from next-token logits, on the model's device.
 *
 * <p>Sampling is inverse-CDF with one uniform number per row supplied by the caller, so the result depends only
 * on the logits and the caller's per-row random streams (not on the engine's global RNG or on batch order).
 */
final class TokenSampler {

    /** Keeps the uniform strictly below 1 so the inverse CDF never runs past the last kept token. */
    private static final float MAX_UNIFORM = 1f - 0x1p-24f;

    private TokenSampler() {}

    /** A batch of picks: token ids and their log-probabilities. */
    record Picks(int[] tokens, float[] logProbs) {}

    /**
     * @param logits (B, V)
     * @param uniforms one number in [0, 1) per row (ignored when greedy)
     */
    static Picks pick(NDArray logits, float[] uniforms, SamplingConfig config) {
        if (!config.greedy() && config.topP() >= 1) {
            // the common case (rollouts sample at a temperature without a nucleus) in one native call
            return SamplingScript.pick(logits, clamped(uniforms), config.temperature());
        }
        return byOperators(logits, uniforms, config);
    }

    /** Each uniform kept strictly below 1 ({@link #MAX_UNIFORM}). */
    static float[] clamped(float[] uniforms) {
        float[] clamped = new float[uniforms.length];
        for (int i = 0; i < uniforms.length; i++) {
            clamped[i] = Math.min(uniforms[i], MAX_UNIFORM);
        }
        return clamped;
    }

    /** {@link #pick} one engine operator at a time: greedy, with a nucleus, and the reference of {@link SamplingScript}. */
    static Picks byOperators(NDArray logits, float[] uniforms, SamplingConfig config) {
        if (config.greedy()) {
            NDArray tokens = logits.argMax(-1).expandDims(1);                                  // (B, 1)
            NDArray logProbs = logits.gather(tokens, 1).squeeze(1).sub(SequenceScorer.logSumExp(logits));
            return new Picks(tokens.squeeze(1).toType(DataType.INT32, false).toIntArray(), logProbs.toFloatArray());
        }
        NDArray scaled = logits.div(Tensors.scalar(logits.getManager(), config.temperature()));
        NDArray logNormaliser = SequenceScorer.logSumExp(scaled).expandDims(1);               // (B, 1)
        NDArray probs = scaled.sub(logNormaliser).exp();                                       // (B, V)
        NDArray order = null;
        if (config.topP() < 1) {
            order = probs.argSort(1, false);                                                   // descending
            probs = probs.gather(order, 1);
            NDArray before = probs.cumSum(1).sub(probs);                                       // mass ahead of each token
            probs = probs.mul(before.lt(config.topP()).toType(DataType.FLOAT32, false));      // nucleus; keeps the top token
        }
        NDArray cumulative = probs.cumSum(1);
        NDArray total = cumulative.get(":, -1:");                                             // (B, 1)
        float[] clamped = clamped(uniforms);
        NDArray threshold = Tensors.copyOf(logits.getManager(), clamped, new Shape(clamped.length, 1)).mul(total);
        long vocab = logits.getShape().get(1);
        NDArray index = cumulative.lte(threshold).toType(DataType.INT64, false).sum(new int[] {1}, true)
                .clip(0, vocab - 1);                                                          // (B, 1) first slot past the threshold
        NDArray logProbs = probs.gather(index, 1).div(total).log().squeeze(1);
        NDArray tokens = order == null ? index : order.gather(index, 1);
        return new Picks(tokens.squeeze(1).toType(DataType.INT32, false).toIntArray(), logProbs.toFloatArray());
    }
}
