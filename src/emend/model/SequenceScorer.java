package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.stream.IntStream;

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
        float[] rows = new float[Math.toIntExact(tokens.getShape().get(0))];
        Arrays.fill(rows, (float) temperature);
        return tokenLogProbs(model, tokens, rows);
    }

    /**
     * Log-probabilities of {@code tokens[:, 1:]}, row b under the model's distribution at {@code temperatures[b]}
     * (rows sampled at different temperatures, as after a live change, are each scored at their own).
     */
    public static NDArray tokenLogProbs(Transformer model, NDArray tokens, float[] temperatures) {
        if (temperatures.length != tokens.getShape().get(0)) {
            throw new IllegalArgumentException(temperatures.length + " temperatures for " + tokens.getShape().get(0) + " rows");
        }
        checkTemperatures(temperatures);
        NDManager manager = tokens.getManager();
        int steps = Math.toIntExact(tokens.getShape().get(1));
        NDArray positions = manager.arange(0, steps, 1, DataType.INT32).reshape(1, steps);
        NDArray hidden = model.hidden(tokens, positions, AttentionMasks.causal(manager, steps), null); // (B, T, C)
        return chosenLogProbs(model, hidden, tokens, temperatures);
    }

    /**
     * Log-probabilities of the targets of {@code rows}, flattened: each prefix's {@code tokens[1:]} (U x (P-1)), then
     * each continuation's {@code tokens[1:]} (R x (C-1)), every target scored as in the whole row it belongs to. Each
     * prefix goes through the model once however many continuations extend it; the continuations attend to its keys
     * and values, and with autograd their gradient reaches it.
     */
    public static NDArray tokenLogProbs(Transformer model, NDManager manager, PrefixedRows rows) {
        for (float[] temperatures : new float[][] {rows.prefixTemperatures(), rows.continuationTemperatures()}) {
            checkTemperatures(temperatures);
        }
        int width = rows.prefixWidth();
        NDArray prefixes = Tensors.copyOf(manager, rows.prefixTokens(), new Shape(rows.prefixes(), width));
        NDArray prefixPositions = manager.arange(0, width, 1, DataType.INT32).reshape(1, width);
        SharedPrefixes memory = new SharedPrefixes(model.config().layers());
        NDArray prefixHidden = model.hidden(prefixes, prefixPositions, AttentionMasks.causal(manager, width), memory);
        NDArray prefixLogProbs = chosenLogProbs(model, prefixHidden, prefixes, rows.prefixTemperatures()).reshape(-1);
        if (rows.continuations() == 0) {
            return prefixLogProbs;
        }
        int steps = rows.continuationWidth();
        int[] visiblePrefix = new int[rows.continuations()];
        int[] positions = new int[rows.continuations() * steps];
        int lastPosition = model.config().contextLength() - 1;
        for (int r = 0; r < visiblePrefix.length; r++) {
            visiblePrefix[r] = rows.prefixLengths()[rows.prefixOf()[r]] - 1;   // the prefix's last token is the row's first
            for (int t = 0; t < steps; t++) {
                positions[r * steps + t] = Math.min(visiblePrefix[r] + t, lastPosition); // padding past the context: any position
            }
        }
        NDArray continuations = Tensors.copyOf(manager, rows.continuationTokens(), new Shape(visiblePrefix.length, steps));
        NDArray prefixOf = Tensors.copyOf(manager, rows.prefixOf(), new Shape(visiblePrefix.length)).toType(DataType.INT64, false);
        NDArray hidden = model.hidden(continuations, Tensors.copyOf(manager, positions, new Shape(visiblePrefix.length, steps)),
                AttentionMasks.continuations(manager, visiblePrefix, width, steps), memory.forContinuations(prefixOf));
        NDArray continuationLogProbs = chosenLogProbs(model, hidden, continuations, rows.continuationTemperatures()).reshape(-1);
        return NDArrays.concat(new NDList(prefixLogProbs, continuationLogProbs));
    }

    private static void checkTemperatures(float[] temperatures) {
        for (float temperature : temperatures) {
            if (!(temperature > 0) || Float.isInfinite(temperature)) {
                throw new IllegalArgumentException("scoring temperature must be > 0 and finite, got " + temperature);
            }
        }
    }

    /** Entry [b, t] = log p(tokens[b, t+1]) from hidden states (B, T, C) at row b's temperature: (B, T-1). */
    private static NDArray chosenLogProbs(Transformer model, NDArray hidden, NDArray tokens, float[] temperatures) {
        NDManager manager = tokens.getManager();
        NDArray logits = model.logits(hidden.get(":, :-1"));                                            // (B, T-1, V)
        float first = temperatures[0];
        boolean uniform = IntStream.range(0, temperatures.length).allMatch(b -> temperatures[b] == first);
        if (!uniform) {
            logits = logits.div(Tensors.copyOf(manager, temperatures, new Shape(temperatures.length, 1, 1)));
        } else if (first != 1f) {
            logits = logits.div(Tensors.scalar(manager, first));
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
