package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.actors.node.ClusterDriver;
import emend.actors.node.NodeOptions;
import emend.config.RunSettings;
import emend.config.Settings;
import emend.engine.DeviceSlots;
import emend.run.RlLoop;
import emend.run.RolloutDriver;
import emend.testing.TestControl;
import emend.testing.TinyLearnerJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The actor runtime at eta = 0 computes what the synchronous reference driver computes: same prompts, same
 * per-row seeds, same batch in the same order, so the same losses and rewards at every step, to the last bit.
 */
final class DriverEquivalenceTest {

    @TempDir
    Path dir;

    /** The metrics of every learner step of a short Stage I + Stage II run. */
    private List<JsonObject> steps(RolloutDriver driver, String name) throws IOException {
        Path runDir = dir.resolve(name);
        try (TinyLearnerJob tiny = new TinyLearnerJob(runDir, "[\"stage1:2\", \"stage2:2\"]", 6, Map.of("emend.rl.turn2-samples", "2"))) {
            driver.train(tiny.job());
        }
        return Files.readAllLines(runDir.resolve("metrics.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject())
                .filter(record -> record.has("loss"))
                .toList();
    }

    @Test
    void actorsAndSyncDriver_computeTheSameSteps() throws IOException {
        List<JsonObject> sync = steps(new RlLoop(), "sync");
        List<JsonObject> actors = steps(new ClusterDriver(NodeOptions.singleJvm(1), DeviceSlots.CPU, TestControl.anyPort()), "actors");
        assertEquals(4, sync.size());
        assertEquals(4, actors.size());
        for (int i = 0; i < sync.size(); i++) {
            JsonObject s = sync.get(i);
            JsonObject a = actors.get(i);
            String step = "step " + (i + 1);
            // the sampled tokens themselves: their count and mean log-prob fingerprint the whole batch
            assertEquals(s.get("rollout/generated_tokens").getAsInt(), a.get("rollout/generated_tokens").getAsInt(), step);
            assertEquals(s.get("rollout/mean_logprob").getAsDouble(), a.get("rollout/mean_logprob").getAsDouble(), step);
            for (String key : new String[] {"rewards/t1", "rewards/t2"}) {
                assertEquals(s.get(key).getAsDouble(), a.get(key).getAsDouble(), step + " " + key);
            }
            // exactly, not within a tolerance: the same rows in the same order (their leases', the synchronous
            // driver's), so every sum runs in the same order (RolloutLedgerTest checks the order for results that
            // arrive shuffled)
            assertEquals(s.get("loss").getAsDouble(), a.get("loss").getAsDouble(), step + " loss");
            assertEquals(s.get("grad_norm").getAsDouble(), a.get("grad_norm").getAsDouble(), step + " gradient norm");
        }
    }

    @Test
    void theActorRuntime_refusesOfflineFirstAttemptsBeforeAnyWork() {
        RunSettings offline = RunSettings.fromConfig(Settings.load(null, Map.of("emend.rl.offline-first-attempts", "1")));
        String message = assertThrows(IllegalArgumentException.class,
                () -> new ClusterDriver(NodeOptions.singleJvm(1), DeviceSlots.CPU, TestControl.anyPort()).requireSupported(offline)).getMessage();
        assertTrue(message.contains("--driver sync"), message);
        new RlLoop().requireSupported(offline);
    }
}
