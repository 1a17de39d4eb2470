package emend.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.testing.TinyLearnerJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline base-model attempts 1 through the synchronous driver (the objective's side is in
 * emend.rl.OfflineFirstAttemptsTest; this one runs a whole step, so it lives with the driver, outside the rl tests
 * that mutation testing reruns for every mutant).
 */
final class OfflineAttemptsDriverTest {

    @TempDir
    Path dir;

    /** The synchronous driver hands its sampler the base model (a sampler without one refuses the shape). */
    @Test
    void theSyncDriver_runsAStageTwoStepWithOfflineAttempts() throws IOException {
        Path runDir = dir.resolve("offline");
        try (TinyLearnerJob tiny = new TinyLearnerJob(runDir, "[\"stage2:1\"]", 2,
                Map.of("emend.rl.turn2-samples", "2", "emend.rl.samples-per-prompt", "3", "emend.rl.offline-first-attempts", "1"))) {
            new RlLoop().train(tiny.job());
        }
        List<JsonObject> steps = Files.readAllLines(runDir.resolve("metrics.jsonl")).stream().map(line -> JsonParser.parseString(line).getAsJsonObject())
                .filter(record -> record.has("loss")).toList();
        assertEquals(1, steps.size());
        assertTrue(steps.get(0).get("rollout/generated_tokens").getAsInt() > 0, steps.toString());
    }
}
