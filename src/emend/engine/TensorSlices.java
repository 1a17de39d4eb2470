package emend.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;

/**
 * Contiguous slices along one axis as single engine calls. DJL's {@code NDArray.get}/{@code set} with an
 * {@code NDIndex} builds a native index object element by element (five or more native calls per use); a decoding
 * step slices the KV cache twice and writes it twice per layer, so there the difference is a sizeable share of the
 * step at small batches. Same results: these are the same views and copies.
 */
public final class TensorSlices {

    private TensorSlices() {}

    /** A view of {@code array} restricted to {@code [start, end)} along {@code axis}. */
    public static NDArray view(NDArray array, int axis, long start, long end) {
        return JniUtils.slice((PtNDArray) array, axis, start, end, 1);
    }

    /**
     * Copies {@code values} (same shape, any device) into {@code target}'s own memory. Unlike DJL's
     * {@code NDArray.set(Buffer)} and {@code copyTo}, which give the target new memory (on the CPU, a Java buffer's),
     * views of the target keep seeing it.
     */
    public static void overwrite(NDArray target, NDArray values) {
        if (!target.getShape().equals(values.getShape())) {
            throw new IllegalArgumentException("cannot overwrite a tensor of shape " + target.getShape() + " with one of shape " + values.getShape());
        }
        write(target, 0, 0, values);
    }

    /** Copies {@code values} into {@code target} at {@code [start, start + values' length)} along {@code axis}. */
    public static void write(NDArray target, int axis, long start, NDArray values) {
        long[] shape = target.getShape().getShape();
        long[] min = new long[shape.length];
        long[] max = shape.clone();
        long[] step = new long[shape.length];
        Arrays.fill(step, 1);
        min[axis] = start;
        max[axis] = start + values.getShape().get(axis);
        JniUtils.indexSet((PtNDArray) target, (PtNDArray) values, min, max, step);
    }
}
