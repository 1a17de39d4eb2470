package emend.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.testing.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SafetensorsTest {

    @TempDir
    Path tmp;

    /** A file laid out by hand from the format description: F32 [2,2], BF16 [3] and F16 [2]. */
    private Path handWrittenFile() throws IOException {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[22,26]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + 26).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        buf.putFloat(1f).putFloat(-2f).putFloat(0.5f).putFloat(3.25f);
        buf.putShort((short) 0x3F80).putShort((short) 0xC040).putShort((short) 0x0000); // bf16: 1, -3, 0
        buf.putShort((short) 0x3C00).putShort((short) 0xC100);                          // f16: 1, -2.5
        Path file = tmp.resolve("hand.safetensors");
        Files.write(file, buf.array());
        return file;
    }

    @Test
    void read_handWrittenFile_givesTheValuesItHolds() throws IOException {
        try (NDManager manager = TestModels.manager()) {
            Map<String, NDArray> tensors = Safetensors.read(handWrittenFile(), manager);
            assertEquals(new Shape(2, 2), tensors.get("w").getShape());
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 3.25f}, tensors.get("w").toFloatArray());
            assertArrayEquals(new float[] {1f, -3f, 0f}, tensors.get("b").toFloatArray());
            assertArrayEquals(new float[] {1f, -2.5f}, tensors.get("h").toFloatArray());
        }
    }

    @Test
    void write_layoutFollowsTheFormat() throws IOException {
        try (NDManager manager = TestModels.manager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("x", manager.create(new float[] {1f, 2f, 3f}, new Shape(3)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long written = Safetensors.write(out, tensors, Map.of());
            ByteBuffer bytes = ByteBuffer.wrap(out.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = bytes.getLong();
            assertEquals(0, headerLength % 8, "header must be padded to 8 bytes");
            assertEquals(written, out.size());
            assertEquals(8 + headerLength + 12, written);
            String header = new String(out.toByteArray(), 8, (int) headerLength, StandardCharsets.UTF_8).trim();
            assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}", header);
            bytes.position((int) (8 + headerLength));
            assertEquals(1f, bytes.getFloat());
            assertEquals(2f, bytes.getFloat());
            assertEquals(3f, bytes.getFloat());
        }
    }

    @Test
    void read_truncatedData_namesTheTensorAndSaysTruncated() throws IOException {
        Path file = handWrittenFile();
        byte[] all = Files.readAllBytes(file);
        Path cut = tmp.resolve("cut.safetensors");
        try (OutputStream out = Files.newOutputStream(cut)) {
            out.write(all, 0, all.length - 3);
        }
        try (NDManager manager = TestModels.manager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(cut, manager));
            assertTrue(e.getMessage().contains("tensor h") && e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void read_garbage_isRejectedWithTheReason() throws IOException {
        Path file = tmp.resolve("garbage.safetensors");
        Files.write(file, "this is not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
        try (NDManager manager = TestModels.manager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.read(file, manager));
            assertTrue(e.getMessage().contains("header length"), e.getMessage());
        }
    }
}
