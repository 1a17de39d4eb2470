package emend.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import emend.engine.TensorSlices;
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
            // A weight on a GPU is copied to the host here and freed after, not left to the engine, which would
            // attach its copy to the weights' manager until the run ends.
            boolean onHost = tensor.getDevice().equals(Device.cpu());
            try (NDArray host = onHost ? null : tensor.toDevice(Device.cpu(), true)) {
                // A view of the memory in the host's order, not a copy: on a little-endian host its bytes go into the
                // output as they are. This runs between a learner step and the workers' next generation.
                ByteBuffer data = (onHost ? tensor : host).toByteBuffer(true);
                if (data.order() == ByteOrder.LITTLE_ENDIAN) {
                    out.put(data);
                } else {
                    out.asFloatBuffer().put(data.asFloatBuffer());
                    out.position(out.position() + data.remaining());
                }
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

    /**
     * Writes these values into {@code target}'s tensors (a worker swapping versions between two generations). On
     * the CPU each tensor's memory is written in place through a view, one copy and no allocation (a fresh
     * 49 MB direct buffer costs about 35 ms of page faults here); on a GPU the values are copied to the device.
     */
    public static void loadInto(Weights target, byte[] bytes) {
        checkSize(target.config(), bytes);
        ByteBuffer source = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        target.config().parameterShapes().forEach((name, shape) -> {
            int length = Math.toIntExact(shape.size() * 4);
            ByteBuffer values = source.slice(source.position(), length).order(ByteOrder.LITTLE_ENDIAN);
            source.position(source.position() + length);
            NDArray tensor = target.get(name);
            if (tensor.getDevice().isGpu()) {
                float[] floats = new float[Math.toIntExact(shape.size())];
                values.asFloatBuffer().get(floats);
                try (NDArray device = Tensors.copyOf(tensor.getManager(), floats, shape)) {
                    TensorSlices.overwrite(tensor, device);   // in place: views of the tensor must see the new values
                }
                return;
            }
            // the weights are contiguous float32 tensors, so the engine's view is their memory, in the host's order
            ByteBuffer memory = tensor.toByteBuffer(true);
            if (memory.order() == ByteOrder.LITTLE_ENDIAN) {
                memory.put(values);
            } else {
                memory.asFloatBuffer().put(values.asFloatBuffer());
            }
        });
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
