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
import java.util.Arrays;
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

    /**
     * Writes the weights' bytes into {@code out}, every parameter as float32 little-endian in the config's order, and
     * hands each chunk to {@code written} once its bytes are in place. On the CPU the chunks are copied from the
     * tensors' memory on every core and handed over by the thread that copied them, while they are in its cache (a
     * publication hashes them there, in the same pass); a GPU's weights are copied to the host one tensor at a time
     * first, then handed over.
     */
    static void encodeInto(Weights weights, byte[] out, int chunkBytes, WeightPublication.ChunkRange written) {
        checkSize(weights.config(), out);
        Map<String, Shape> shapes = weights.config().parameterShapes();
        long[] starts = new long[shapes.size() + 1];
        boolean onHost = true;
        int t = 0;
        for (String name : shapes.keySet()) {
            NDArray tensor = weights.get(name);
            if (tensor.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("parameter " + name + " is " + tensor.getDataType() + "; " + ENCODING + " publishes float32 weights only");
            }
            onHost &= tensor.getDevice().equals(Device.cpu());
            starts[t + 1] = starts[t] + tensor.size() * 4;
            t++;
        }
        // on the CPU a view of each tensor's memory in the host's order, not a copy
        ByteBuffer[] sources = onHost ? shapes.keySet().stream().map(name -> littleEndian(weights.get(name).toByteBuffer(true)))
                .toArray(ByteBuffer[]::new) : null;
        if (!onHost) {
            // a weight on a GPU is copied to the host one tensor at a time and freed at once, not left to the engine,
            // which would attach its copy to the weights' manager until the run ends
            t = 0;
            for (String name : shapes.keySet()) {
                try (NDArray host = weights.get(name).toDevice(Device.cpu(), true)) {
                    littleEndian(host.toByteBuffer(true)).get(0, out, Math.toIntExact(starts[t]), Math.toIntExact(starts[t + 1] - starts[t]));
                }
                t++;
            }
        }
        WeightPublication.eachChunk(out.length, chunkBytes, (index, from, length) -> {
            if (sources != null) {
                copy(sources, starts, from, from + length, out);
            }
            written.at(index, from, length);
        });
    }

    /** Bytes [from, to) of the tensors laid end to end, into {@code out} at the same offsets. */
    private static void copy(ByteBuffer[] sources, long[] starts, int from, int to, byte[] out) {
        int tensor = Arrays.binarySearch(starts, from);
        tensor = tensor >= 0 ? tensor : -tensor - 2;
        for (int at = from; at < to; tensor++) {
            int offset = Math.toIntExact(at - starts[tensor]);
            int length = Math.toIntExact(Math.min(to, starts[tensor + 1]) - at);
            sources[tensor].get(offset, out, at, length);   // absolute: threads share the buffer without moving it
            at += length;
        }
    }

    /** The bytes as float32 little-endian: the view itself on a little-endian host, a reordered copy on another. */
    private static ByteBuffer littleEndian(ByteBuffer data) {
        if (data.order() == ByteOrder.LITTLE_ENDIAN) {
            return data;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.asFloatBuffer().put(data.asFloatBuffer());
        return copy;
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
