package emend.rl;

import ai.djl.ndarray.NDArray;
import emend.model.Tensors;
import java.util.Locale;

/**
 * Per-token estimators of KL(π ‖ π_ref) from a token sampled from π (Schulman, "Approximating KL divergence"),
 * with log r = log π_ref(y) − log π(y):
 * k1 = −log r (unbiased, can be negative), k2 = ½ (log r)² (biased, low variance),
 * k3 = (r − 1) − log r (unbiased and never negative).
 */
public enum KlEstimator {
    K1, K2, K3;

    /** The estimate for one token. */
    public double value(double logPolicy, double logReference) {
        double logRatio = logReference - logPolicy;
        return switch (this) {
            case K1 -> -logRatio;
            case K2 -> 0.5 * logRatio * logRatio;
            case K3 -> Math.expm1(logRatio) - logRatio;
        };
    }

    /** The estimate per token, differentiable in {@code logPolicy}; same shapes in and out. */
    public NDArray tensor(NDArray logPolicy, NDArray logReference) {
        NDArray logRatio = logReference.sub(logPolicy);
        return switch (this) {
            case K1 -> logRatio.neg();
            case K2 -> logRatio.square().mul(Tensors.scalar(logRatio.getManager(), 0.5));
            case K3 -> logRatio.exp().sub(logRatio).sub(1f);
        };
    }

    public static KlEstimator parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown KL estimator '" + text + "': use k1, k2 or k3");
        }
    }
}
