package emend.generate;

/**
 * One generated continuation.
 *
 * @param tokens generated ids, ending with the stop token when {@code stopped}
 * @param logProbs for each token, its log-probability under the distribution it was drawn from (temperature
 *     and top-p applied; for greedy decoding, under the untempered model)
 * @param stopped true if a stop token ended it, false if it ran out of budget
 */
public record Completion(int[] tokens, float[] logProbs, boolean stopped) {

    public int length() {
        return tokens.length;
    }
}
