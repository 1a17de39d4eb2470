package emend.rl;

import ai.djl.ndarray.NDArray;

/**
 * PPO's clipped surrogate per target: {@code min(ρ·A, clip(ρ, 1−ε, 1+ε)·A)} with ρ = π(y) / π_behaviour(y).
 *
 * <p>For targets of on-policy rows the behaviour log-prob is the current one, detached, so ρ is exactly 1 and
 * the gradient is the plain REINFORCE term A·∇log π(y); only rows from an older policy version see a ratio.
 */
final class ClippedSurrogate {

    /** The surrogate per target (differentiable in {@code logProbs}) and the ratio that went into it. */
    record Result(NDArray surrogate, NDArray ratio, NDArray clippedRatio) {}

    private ClippedSurrogate() {}

    /**
     * @param logProbs current log-probs, (B, T-1), with gradient
     * @param behaviourLogProbs log-probs at sampling time, (B, T-1)
     * @param stale 1 for targets of rows sampled by an older policy version, else 0, (B, T-1)
     * @param advantage per-target advantage, (B, T-1)
     */
    static Result of(NDArray logProbs, NDArray behaviourLogProbs, NDArray stale, NDArray advantage, double epsilon) {
        NDArray onPolicy = stale.neg().add(1f);
        NDArray behaviour = logProbs.stopGradient().mul(onPolicy).add(behaviourLogProbs.mul(stale));
        NDArray ratio = logProbs.sub(behaviour).exp();
        NDArray clipped = ratio.clip(1 - epsilon, 1 + epsilon);
        return new Result(ratio.mul(advantage).minimum(clipped.mul(advantage)), ratio, clipped);
    }
}
