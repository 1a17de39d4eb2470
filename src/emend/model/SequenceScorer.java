package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Log-probabilities of the tokens of given sequences under a model, the quantity the learner and the
 * reference policy need.
 *
 * <p>Only the chosen tokens' log-probabilities are formed: log p(token) = logit(token) − logsumexp(logits),
 * so no (B, T, V) log-softmax tensor is built. Rows are right-padded; the caller masks padding positions.
 */
public final class SequenceScorer {

    private SequenceScorer() {}

    /**
     * Log-probabilities of {@code tokens[:, 1:]} given their prefixes.
     *
     * @param tokens (B, T) int ids, right-padded
     * @return (B, T-1) float: entry [b, t] = log p(tokens[b, t+1] | tokens[b, ..t])
     */
    public static NDArray tokenLogProbs(Transformer model, NDArray tokens) {
        return tokenLogProbs(model, tokens, 1.0);
    }

    /**
     * Log-probabilities of {@code tokens[:, 1:]} under the model's distribution at {@code temperature}
     * (logits / temperature), the distribution a sampler at that temperature draws from.
     */
    public static NDArray tokenLogProbs(Transformer model, NDArray tokens, double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("scoring temperature must be > 0 and finite, got " + temperature);
        }
        NDManager manager = tokens.getManager();
        int steps = Math.toIntExact(tokens.getShape().get(1));
        NDArray positions = manager.arange(0, steps, 1, DataType.INT32).reshape(1, steps);
        NDArray hidden = model.hidden(tokens, positions, AttentionMasks.causal(manager, steps), null); // (B, T, C)
        NDArray logits = model.logits(hidden.get(":, :-1"));                                            // (B, T-1, V)
        if (temperature != 1.0) {
            logits = logits.div(Tensors.scalar(manager, temperature));
        }
        NDArray targets = tokens.get(":, 1:").toType(DataType.INT64, false).expandDims(-1);            // (B, T-1, 1)
        NDArray chosen = logits.gather(targets, -1).squeeze(-1);                                        // (B, T-1)
        return chosen.sub(logSumExp(logits));
    }

    /** logsumexp over the last axis, stabilised by the (gradient-free) row maximum. */
    public static NDArray logSumExp(NDArray logits) {
        NDArray max = logits.max(new int[] {-1}, true).stopGradient();
        return logits.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1));
    }
}
