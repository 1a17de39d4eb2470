package emend.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.util.JsonNumbers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl is strict JSON: a number that is not finite is written null and read back as NaN. */
final class RunDirectoryTest {

    @TempDir
    Path dir;

    @Test
    void aShareOverNoCases_isWrittenNull_notTheBareWordNaN() throws Exception {
        try (RunDirectory run = RunDirectory.open(dir.toString(), 1)) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("step", 3);
            record.put("eval/dev/chg_wrong", Double.NaN);
            record.put("rewards/t1", 0.25);
            run.metric(record);
        }
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(1, lines.size());
        assertFalse(lines.get(0).contains("NaN"), lines.get(0));
        assertTrue(lines.get(0).contains("\"eval/dev/chg_wrong\":null"), lines.get(0));
        JsonObject parsed = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertTrue(Double.isNaN(JsonNumbers.of(parsed, "eval/dev/chg_wrong")));
        assertEquals(0.25, JsonNumbers.of(parsed, "rewards/t1"));
    }
}
