package emend.rl;

/**
 * What one learner step did, for progress lines and metrics.
 *
 * @param rewardOne mean verifier reward of attempt 1
 * @param rewardTwo mean verifier reward of attempt 2 (NaN for single-turn steps)
 * @param klOne mean per-sequence KL estimate of attempt 1 to the reference
 * @param klTwo the same for attempt 2
 * @param clippedFraction share of stale targets whose importance ratio was clipped
 * @param staleRows rows sampled by an older policy version
 */
public record LearnerStats(
        double loss,
        double rewardOne,
        double rewardTwo,
        double klOne,
        double klTwo,
        double gradNorm,
        double clippedFraction,
        int staleRows,
        int generatedTokens) {

    /** Generation speed: the batch's generated tokens over the time its rollouts took. */
    public double tokensPerSecond(double rolloutSeconds) {
        return generatedTokens / rolloutSeconds;
    }
}
