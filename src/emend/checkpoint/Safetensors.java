package emend.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import emend.model.Tensors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON header mapping
 * each tensor name to its dtype, shape and byte range, then the raw little-endian data.
 *
 * <p>Writing streams float32 tensors; reading accepts F32, F16 and BF16 (as Hugging Face checkpoints use) and
 * converts to float32. Every inconsistency of a file (header out of range, sizes that do not add up, a file
 * shorter than its header says) is reported with the file and tensor name.
 */
public final class Safetensors {

    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final Gson GSON = new Gson();

    private Safetensors() {}

    /** Writes float32 tensors in the given order; returns the number of bytes written. */
    public static long write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray array = e.getValue();
            if (array.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("tensor " + e.getKey() + " is " + array.getDataType() + "; only float32 is written");
            }
            long bytes = array.size() * 4;
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : array.getShape().getShape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray range = new JsonArray();
            range.add(offset);
            range.add(offset + bytes);
            entry.add("data_offsets", range);
            header.add(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // the format pads the header with spaces to 8-byte alignment
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        out.write(prefix.array());
        for (NDArray array : tensors.values()) {
            float[] values = array.toFloatArray();
            ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            data.asFloatBuffer().put(values);
            out.write(data.array());
        }
        return 8L + padded + offset;
    }

    /**
     * Reads every tensor of {@code file} as float32 arrays on {@code manager}, in header order.
     *
     * @throws CheckpointException if the file is not valid safetensors
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw invalid(file, "the file has " + fileSize + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer lengthBytes = readFully(channel, 0, 8);
            long headerLength = lengthBytes.order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > fileSize - 8) {
                throw invalid(file, "header length " + headerLength + " does not fit a file of " + fileSize + " bytes");
            }
            JsonObject header;
            try {
                String json = StandardCharsets.UTF_8.decode(readFully(channel, 8, (int) headerLength)).toString();
                header = GSON.fromJson(json.trim(), JsonObject.class);
            } catch (JsonParseException e) {
                throw invalid(file, "the header is not valid JSON (" + e.getMessage() + ")");
            }
            long dataStart = 8 + headerLength;
            long dataSize = fileSize - dataStart;
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                TensorEntry entry = TensorEntry.parse(file, e.getKey(), e.getValue());
                if (entry.end() > dataSize) {
                    throw invalid(file, "tensor " + e.getKey() + " ends at byte " + entry.end() + " of the data but the file holds only "
                            + dataSize + " data bytes: the file is truncated; copy it again or use another checkpoint");
                }
                ByteBuffer raw = readFully(channel, dataStart + entry.begin(), Math.toIntExact(entry.end() - entry.begin()));
                tensors.put(e.getKey(), Tensors.copyOf(manager, entry.toFloats(raw), entry.shape()));
            }
            return tensors;
        } catch (IOException e) {
            throw new CheckpointException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
            }
        }
        return buffer.flip();
    }

    static CheckpointException invalid(Path file, String problem) {
        return new CheckpointException("invalid safetensors file " + file + ": " + problem);
    }

    /** One header entry, checked for internal consistency. */
    private record TensorEntry(String dtype, Shape shape, long begin, long end) {

        static TensorEntry parse(Path file, String name, JsonElement element) {
            try {
                JsonObject o = element.getAsJsonObject();
                String dtype = o.get("dtype").getAsString();
                JsonArray dims = o.getAsJsonArray("shape");
                long[] shape = new long[dims.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = dims.get(i).getAsLong();
                }
                JsonArray range = o.getAsJsonArray("data_offsets");
                TensorEntry entry = new TensorEntry(dtype, new Shape(shape), range.get(0).getAsLong(), range.get(1).getAsLong());
                long expected = entry.shape.size() * bytesPer(file, name, dtype);
                if (entry.begin < 0 || entry.end - entry.begin != expected) {
                    throw invalid(file, "tensor " + name + " has byte range [" + entry.begin + ", " + entry.end + ") but "
                            + dtype + " " + entry.shape + " needs " + expected + " bytes");
                }
                return entry;
            } catch (RuntimeException e) {
                if (e instanceof CheckpointException c) {
                    throw c;
                }
                throw invalid(file, "header entry of tensor " + name + " is malformed (" + e + ")");
            }
        }

        private static int bytesPer(Path file, String name, String dtype) {
            return switch (dtype) {
                case "F32" -> 4;
                case "F16", "BF16" -> 2;
                default -> throw invalid(file, "tensor " + name + " has dtype " + dtype + "; supported: F32, F16, BF16");
            };
        }

        float[] toFloats(ByteBuffer raw) {
            raw.order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[Math.toIntExact(shape.size())];
            switch (dtype) {
                case "F32" -> raw.asFloatBuffer().get(values);
                case "BF16" -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Float.intBitsToFloat((raw.getShort() & 0xFFFF) << 16);
                    }
                }
                default -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = halfToFloat(raw.getShort());
                    }
                }
            }
            return values;
        }

        /** IEEE 754 binary16 to float32 (Java 17 has no Float.float16ToFloat). */
        private static float halfToFloat(short bits) {
            int sign = (bits & 0x8000) << 16;
            int exponent = (bits >>> 10) & 0x1F;
            int mantissa = bits & 0x3FF;
            if (exponent == 0x1F) {
                return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13));
            }
            if (exponent == 0) {
                float magnitude = mantissa * 0x1p-24f; // subnormal (or zero)
                return sign == 0 ? magnitude : -magnitude;
            }
            return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
        }
    }
}
