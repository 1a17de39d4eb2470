package emend.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import emend.engine.DjlRuntime;
import emend.model.Tensors;
import emend.model.Transformer;
import emend.model.Weights;

/**
 * An exponential moving average of a model's weights (Polyak averaging), kept beside the model it follows:
 * after every update {@code average = decay · average + (1 − decay) · weights}. The average never feeds back into
 * training; it is what a run evaluates and keeps, so the answer to "which weights" does not hinge on where the
 * last few noisy updates happened to leave the policy.
 */
public final class WeightAverage {

    private final double decay;
    private final Weights average;
    private final Transformer model;

    /** Starts the average at a copy of {@code start} (on a child of its manager). */
    public WeightAverage(Weights start, double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("the decay of a weight average must be in (0, 1), got " + decay);
        }
        this.decay = decay;
        this.average = start.copy(start.manager());
        this.model = new Transformer(average);
    }

    /** Folds {@code current} (same config) into the average, in place. */
    public void update(Weights current) {
        DjlRuntime.withoutGradients(() -> {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray keep = Tensors.scalar(average.manager(), decay);
                NDArray take = Tensors.scalar(average.manager(), 1 - decay);
                average.tensors().forEach((name, a) -> a.muli(keep).addi(current.get(name).mul(take)));
            }
            return null;
        });
    }

    /** Replaces the average by saved values (a resume). */
    public void restore(Weights saved) {
        average.overwriteWith(saved);
    }

    public Weights weights() {
        return average;
    }

    /** The averaged weights as a model (it sees every update, being built on the same tensors). */
    public Transformer model() {
        return model;
    }
}
