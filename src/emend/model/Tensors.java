package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.function.Supplier;

/**
 * Host-to-engine array creation that is safe under autograd.
 *
 * <p>On the CPU, DJL's {@code NDManager.create(float[] ...)} and every {@code NDArray.mul(Number)}-style
 * overload wrap a Java direct buffer with {@code from_blob}, without copying. When such a tensor is saved by
 * autograd for the backward pass and its Java owner is closed first (the scalar overloads close it right after
 * the op), the backward pass reads memory the garbage collector may already have freed: intermittent inf/NaN
 * gradients. Everything created here is a copy owned by the engine, so reference counting keeps it alive.
 * Differentiable code uses these helpers only (an architecture test enforces it).
 */
public final class Tensors {

    private Tensors() {}

    /** An engine-owned copy of {@code data} with the given shape. */
    public static NDArray copyOf(NDManager manager, float[] data, Shape shape) {
        try (NDArray view = manager.create(data, shape)) {
            return view.duplicate();
        }
    }

    /** An engine-owned int32 copy of {@code data} with the given shape. */
    public static NDArray copyOf(NDManager manager, int[] data, Shape shape) {
        try (NDArray view = manager.create(data, shape)) {
            return view.duplicate();
        }
    }

    /** An engine-owned float32 scalar, for arithmetic with tensors that need gradients. */
    public static NDArray scalar(NDManager manager, double value) {
        return manager.full(new Shape(), (float) value);
    }

    /**
     * Runs {@code computation} in a scope of its own and keeps only its result, which then belongs to the enclosing
     * scope (if any): whatever else it allocated is freed as soon as it returns. Only for work whose intermediates
     * no backward pass needs (autograd off, or a frozen model).
     */
    public static NDArray keepingOnlyResult(Supplier<NDArray> computation) {
        NDArray result;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            result = computation.get();
            NDScope.unregister(result);
        }
        NDScope.register(result);
        return result;
    }
}
