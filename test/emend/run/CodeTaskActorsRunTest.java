package emend.run;

import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.actors.node.ClusterDriver;
import emend.actors.node.NodeOptions;
import emend.engine.DeviceSlots;
import emend.testing.TestControl;
import emend.testing.TinyRuns;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code task through the actors: rollout workers send groups to verifier actors that run every attempt in the
 * real sandbox, side by side under the group deadline. Not a quality assertion: every group is scored on its first
 * sending, and a verify-timeout shorter than the group deadline stops the job before it starts.
 */
final class CodeTaskActorsRunTest {

    @TempDir
    Path dir;

    private Map<String, String> settings() throws Exception {
        Path problems = dir.resolve("problems.jsonl");
        try (InputStream shipped = getClass().getResourceAsStream("/emend/task/code-problems.jsonl")) {
            List<String> lines = new String(shipped.readAllBytes(), StandardCharsets.UTF_8).lines().limit(6).toList();
            Files.write(problems, lines);
        }
        Map<String, String> overrides = TinyRuns.overrides(dir.resolve("cache"), "[\"stage1:1\", \"stage2:1\"]");
        overrides.put("emend.task.name", "code");
        overrides.put("emend.task.problems", "\"" + problems + "\"");
        overrides.put("emend.model.context-length", "778");
        overrides.put("emend.eval.sampled-per-problem", "0");
        overrides.put("emend.run-dir", "\"" + dir.resolve("run") + "\"");
        return overrides;
    }

    @Test
    void groupsAreScoredInTheSandboxOnTheirFirstSending() throws Exception {
        var config = Settings.load(null, settings());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        new MainJob(RunSettings.fromConfig(config), RuntimeSettings.fromConfig(config),
                new ClusterDriver(NodeOptions.singleJvm(1), DeviceSlots.CPU, TestControl.anyPort()), Settings.emendJson(config),
                new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("code problems checked: 6 canonical solutions pass"), text);
        List<JsonObject> steps = Files.readAllLines(dir.resolve("run").resolve("metrics.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject()).filter(o -> o.has("rewards/t1")).toList();
        assertEquals(2, steps.size(), "one record per RL step");
        for (JsonObject step : steps) {
            assertEquals(0, step.get("verify_timeouts").getAsInt(), "no verification failed or was sent again: " + step);
        }
    }

    @Test
    void aVerifyTimeoutShorterThanTheGroupDeadline_stopsTheJobAtStart() throws Exception {
        Map<String, String> overrides = settings();
        overrides.put("emend.runtime.verify-timeout", "5s");
        var config = Settings.load(null, overrides);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MainJob(RunSettings.fromConfig(config),
                RuntimeSettings.fromConfig(config), new ClusterDriver(NodeOptions.singleJvm(1), DeviceSlots.CPU, TestControl.anyPort()),
                Settings.emendJson(config), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).run());
        // the tiny run's group: 2 attempts 1 and 2 x 2 sibling attempts 2 = 6 attempts, 4 at a time: 2 rounds of 5 s + 1 s
        assertTrue(e.getMessage().contains("emend.runtime.verify-timeout (5000 ms)") && e.getMessage().contains("is 12000 ms")
                && e.getMessage().contains("emend.verify.timeout"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("cache")), "refused before any warm-up");
    }
}
