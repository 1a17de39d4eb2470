package emend.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay and global-norm gradient clipping, over the gradients a
 * {@link ai.djl.training.GradientCollector} left on the weights.
 *
 * <p>Written here rather than taken from DJL so that its state (first and second moments, step count) is plain
 * named tensors a checkpoint can save and restore exactly. Weight decay applies to matrices only, not to norm
 * gains. Each step zeroes the gradients it consumed, because PyTorch accumulates gradients across backward calls.
 */
public final class AdamW implements AutoCloseable {

    /**
     * @param beta1 decay of the first-moment estimate
     * @param beta2 decay of the second-moment estimate
     * @param epsilon added to the root of the second moment
     * @param weightDecay decoupled decay per step, multiplied by the learning rate
     * @param maxGradNorm clip the global gradient norm to this (0 = no clipping)
     */
    public record Settings(double beta1, double beta2, double epsilon, double weightDecay, double maxGradNorm) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0) || weightDecay < 0 || maxGradNorm < 0) {
                throw new IllegalArgumentException("Adam epsilon must be > 0, weight decay and max grad norm >= 0");
            }
        }

        public static Settings defaults() {
            return new Settings(0.9, 0.95, 1e-8, 0.0, 1.0);
        }
    }

    private final Map<String, NDArray> params;
    private final Settings settings;
    private final NDManager stateManager;
    private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
    private long step;

    /**
     * @param params the tensors to train, by name; they are marked as requiring gradients
     * @param parent manager under which the optimizer state is allocated
     */
    public AdamW(Map<String, NDArray> params, NDManager parent, Settings settings) {
        this.params = params;
        this.settings = settings;
        this.stateManager = parent.newSubManager();
        params.values().forEach(p -> p.setRequiresGradient(true));
        params.forEach((name, p) -> {
            firstMoment.put(name, stateManager.zeros(p.getShape()));
            secondMoment.put(name, stateManager.zeros(p.getShape()));
        });
    }

    /**
     * Applies one update at {@code learningRate} and zeroes the gradients.
     *
     * @return the global gradient norm before clipping
     * @throws TrainingDivergedException if the gradients are not finite (nothing is updated)
     */
    public double step(double learningRate) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            Map<String, NDArray> grads = new LinkedHashMap<>();
            List<NDArray> squares = new ArrayList<>();
            params.forEach((name, p) -> {
                NDArray g = p.getGradient();
                grads.put(name, g);
                squares.add(g.square().sum());
            });
            double norm = Math.sqrt(NDArrays.stack(new NDList(squares)).sum().getFloat());
            if (!Double.isFinite(norm)) {
                throw new TrainingDivergedException("gradient norm is " + norm + " at optimizer step " + (step + 1)
                        + "; lower the learning rate or check the loss for overflow");
            }
            double scale = settings.maxGradNorm() > 0 && norm > settings.maxGradNorm() ? settings.maxGradNorm() / norm : 1.0;
            step++;
            double correction1 = 1 - Math.pow(settings.beta1(), step);
            double correction2 = 1 - Math.pow(settings.beta2(), step);
            grads.forEach((name, g) -> {
                NDArray p = params.get(name);
                NDArray clipped = g.mul(scale);
                NDArray m = firstMoment.get(name).muli(settings.beta1()).addi(clipped.mul(1 - settings.beta1()));
                NDArray v = secondMoment.get(name).muli(settings.beta2()).addi(clipped.square().muli(1 - settings.beta2()));
                NDArray update = m.div(correction1).divi(v.div(correction2).sqrt().addi(settings.epsilon()));
                if (settings.weightDecay() > 0 && p.getShape().dimension() >= 2) {
                    update.addi(p.mul(settings.weightDecay()));
                }
                p.subi(update.muli(learningRate));
                g.muli(0);
            });
            return norm;
        }
    }

    /** Number of updates applied so far. */
    public long stepCount() {
        return step;
    }

    /** The optimizer's state: updates applied and both moments by parameter name (the live tensors, to read). */
    public record State(long step, Map<String, NDArray> firstMoment, Map<String, NDArray> secondMoment) {}

    public State state() {
        return new State(step, Collections.unmodifiableMap(firstMoment), Collections.unmodifiableMap(secondMoment));
    }

    /**
     * Continues from a saved state (a resumed run): copies of {@code saved}'s moments replace the current ones.
     *
     * @throws IllegalArgumentException naming the first moment whose name or shape does not fit the parameters
     */
    public void restore(State saved) {
        for (String name : params.keySet()) {
            for (Map<String, NDArray> moments : List.of(saved.firstMoment(), saved.secondMoment())) {
                NDArray moment = moments.get(name);
                if (moment == null || !moment.getShape().equals(params.get(name).getShape())) {
                    throw new IllegalArgumentException("saved optimizer state does not fit parameter " + name + ": "
                            + (moment == null ? "missing" : "shape " + moment.getShape() + " vs " + params.get(name).getShape()));
                }
            }
        }
        params.keySet().forEach(name -> {
            replace(firstMoment, name, saved.firstMoment().get(name));
            replace(secondMoment, name, saved.secondMoment().get(name));
        });
        step = saved.step();
    }

    private void replace(Map<String, NDArray> moments, String name, NDArray saved) {
        NDArray copy = saved.duplicate();
        copy.attach(stateManager);
        moments.put(name, copy).close();
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
