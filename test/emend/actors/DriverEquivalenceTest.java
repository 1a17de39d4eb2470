package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.actors.node.ClusterDriver;
import emend.actors.node.NodeOptions;
import emend.testing.TestControl;
import emend.run.RlLoop;
import emend.run.RolloutDriver;
import emend.testing.TinyLearnerJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The actor runtime at eta = 0 computes what the synchronous reference driver computes: same prompts, same
 * per-row seeds, same batch, so the same first-step loss and rewards.
 */
final class DriverEquivalenceTest {

    @TempDir
    Path dir;

    private JsonObject firstStep(RolloutDriver driver, String name) throws IOException {
        Path runDir = dir.resolve(name);
        try (TinyLearnerJob tiny = new TinyLearnerJob(runDir, "[\"stage1:1\"]", 3, Map.of())) {
            driver.train(tiny.job());
        }
        return Files.readAllLines(runDir.resolve("metrics.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject())
                .filter(record -> record.has("loss"))
                .findFirst().orElseThrow();
    }

    @Test
    void actorsAndSyncDriver_giveTheSameFirstStep() throws IOException {
        JsonObject sync = firstStep(new RlLoop(), "sync");
        JsonObject actors = firstStep(new ClusterDriver(NodeOptions.singleJvm(1), "cpu", TestControl.anyPort()), "actors");
        // the sampled tokens themselves: their count and mean log-prob fingerprint the whole batch
        assertEquals(sync.get("rollout/generated_tokens").getAsInt(), actors.get("rollout/generated_tokens").getAsInt());
        assertEquals(sync.get("rollout/mean_logprob").getAsDouble(), actors.get("rollout/mean_logprob").getAsDouble(), 1e-6);
        for (String key : new String[] {"rewards/t1", "rewards/t2"}) {
            assertEquals(sync.get(key).getAsDouble(), actors.get(key).getAsDouble(), key);
        }
        assertEquals(sync.get("loss").getAsDouble(), actors.get("loss").getAsDouble(), 1e-5, "first-step loss");
        assertEquals(sync.get("grad_norm").getAsDouble(), actors.get("grad_norm").getAsDouble(), 1e-4, "first-step gradient norm");
    }
}
