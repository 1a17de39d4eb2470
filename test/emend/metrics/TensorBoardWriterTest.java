package emend.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.proto.TensorBoardEvent;
import emend.proto.TensorBoardSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TensorBoardWriterTest {

    @TempDir
    Path tmp;

    @Test
    void scalars_readBackThroughTheRecordFramingAndTheEventMessages() throws IOException {
        Path file;
        try (TensorBoardWriter writer = TensorBoardWriter.open(tmp)) {
            file = writer.file();
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("step", 7);
            record.put("stage", "stage2");
            record.put("rewards/t2", 0.625);
            record.put("kl/t1", Double.NaN);
            record.put("eval", Map.of("acc_t1", 41.5));
            writer.scalars(7, record);
            writer.scalars(8, Map.of("loss", -1.25f));
            writer.scalars(9, Map.of("stage", "stage2")); // nothing numeric: no event
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents."), file.toString());
        List<TensorBoardEvent> events = read(file);
        assertEquals(3, events.size());
        assertEquals("brain.Event:2", events.get(0).getFileVersion());
        assertEquals(7, events.get(1).getStep());
        Map<String, Float> values = new LinkedHashMap<>();
        for (TensorBoardSummary.Value v : events.get(1).getSummary().getValueList()) {
            values.put(v.getTag(), v.getSimpleValue());
        }
        assertEquals(Map.of("rewards/t2", 0.625f, "eval/acc_t1", 41.5f), values);
        assertEquals(8, events.get(2).getStep());
        assertEquals(-1.25f, events.get(2).getSummary().getValue(0).getSimpleValue());
    }

    @Test
    void maskedCrc_matchesTensorFlowsValue() {
        // crc32c("") = 0, masked: rotate(0) + 0xa282ead8; crc32c("123456789") = 0xe3069283 (the CRC-32C check value)
        assertEquals(0xa282ead8, TfRecords.maskedCrc(new byte[0], 0, 0));
        int crc = 0xe3069283;
        assertEquals(((crc >>> 15) | (crc << 17)) + 0xa282ead8, TfRecords.maskedCrc("123456789".getBytes(), 0, 9));
    }

    @Test
    void reader_detectsAFlippedByte() throws IOException {
        Path file;
        try (TensorBoardWriter writer = TensorBoardWriter.open(tmp)) {
            file = writer.file();
            writer.scalars(1, Map.of("loss", 2.0));
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1;
        Files.write(file, bytes);
        assertThrows(IllegalStateException.class, () -> read(file));
    }

    /** A TFRecord reader written from the format's description: length, its masked CRC, data, the data's masked CRC. */
    private static List<TensorBoardEvent> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<TensorBoardEvent> events = new ArrayList<>();
        while (in.hasRemaining()) {
            byte[] length = new byte[8];
            in.get(length);
            if (in.getInt() != TfRecords.maskedCrc(length, 0, 8)) {
                throw new IllegalStateException("length CRC mismatch");
            }
            byte[] data = new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
            in.get(data);
            if (in.getInt() != TfRecords.maskedCrc(data, 0, data.length)) {
                throw new IllegalStateException("data CRC mismatch");
            }
            events.add(TensorBoardEvent.parseFrom(data));
        }
        return events;
    }
}
