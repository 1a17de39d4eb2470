package emend.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import emend.model.ModelConfig;
import emend.model.Tensors;
import emend.model.Weights;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The byte layout of published weights, {@value #ENCODING}: every parameter as float32 little-endian, in the
 * order of {@link ModelConfig#parameterShapes()}. No header: the manifest carries the config, and the byte size
 * is checked against it, so the layout cannot be misread silently.
 */
public final class WeightCodec {

    public static final String ENCODING = "f32le-v1";

    private WeightCodec() {}

    public static byte[] encode(Weights weights) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(weights.config().parameterCount() * 4)).order(ByteOrder.LITTLE_ENDIAN);
        weights.config().parameterShapes().forEach((name, shape) -> {
            NDArray tensor = weights.get(name);
            if (tensor.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("parameter " + name + " is " + tensor.getDataType() + "; " + ENCODING + " publishes float32 weights only");
            }
            // The tensor's bytes in the host's order: on a little-endian host they are copied as they are, without
            // a detour through a float[] (this runs between a learner step and the workers' next generation).
            ByteBuffer data = tensor.toByteBuffer();
            if (data.order() == ByteOrder.LITTLE_ENDIAN) {
                out.put(data);
            } else {
                out.asFloatBuffer().put(data.asFloatBuffer());
                out.position(out.position() + data.remaining());
            }
        });
        return out.array();
    }

    /** New weights on a child manager of {@code parent}. */
    public static Weights decode(ModelConfig config, byte[] bytes, NDManager parent) {
        checkSize(config, bytes);
        FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        config.parameterShapes().forEach((name, shape) -> tensors.put(name, Tensors.copyOf(manager, next(floats, shape), shape)));
        return Weights.of(config, manager, tensors);
    }

    /** Overwrites {@code target}'s values in place (a worker swapping versions keeps its native buffers). */
    public static void loadInto(Weights target, byte[] bytes) {
        checkSize(target.config(), bytes);
        FloatBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        target.config().parameterShapes().forEach((name, shape) -> target.get(name).set(next(floats, shape)));
    }

    private static float[] next(FloatBuffer floats, Shape shape) {
        float[] values = new float[Math.toIntExact(shape.size())];
        floats.get(values);
        return values;
    }

    private static void checkSize(ModelConfig config, byte[] bytes) {
        long expected = config.parameterCount() * 4;
        if (bytes.length != expected) {
            throw new IllegalArgumentException("weights of " + bytes.length + " bytes do not fit the model config ("
                    + config.parameterCount() + " float32 parameters = " + expected + " bytes)");
        }
    }
}
