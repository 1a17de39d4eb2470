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
import emend.checkpoint.Checkpoint;
import emend.engine.DeviceSlots;
import emend.task.Dialogue;
import emend.task.LinearEquationTask;
import emend.testing.TestControl;
import emend.testing.TinyRuns;
import emend.tokenize.ByteTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short end-to-end run: it completes and writes its outputs (not a quality assertion). */
final class MainJobTest {

    @TempDir
    Path dir;

    @Test
    void tinyRun_writesSettingsMetricsResultsAndACheckpoint() throws Exception {
        Map<String, String> overrides = TinyRuns.overrides(dir.resolve("cache"), "[\"stage1:1\", \"stage2:2\"]");
        overrides.put("emend.run-dir", "\"" + dir.resolve("run") + "\"");
        var config = Settings.load(null, overrides);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        new MainJob(RunSettings.fromConfig(config), RuntimeSettings.fromConfig(config), new ClusterDriver(NodeOptions.singleJvm(1), DeviceSlots.CPU, TestControl.anyPort()),
                Settings.emendJson(config), new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        Path run = dir.resolve("run");
        JsonObject results = JsonParser.parseString(Files.readString(run.resolve("results.json"))).getAsJsonObject();
        for (String key : List.of("seed", "base", "trained", "wall_seconds", "selected_step", "dev_curve")) {
            assertTrue(results.has(key), "results.json lacks " + key);
        }
        JsonObject greedy = results.getAsJsonObject("trained").getAsJsonObject("greedy");
        assertEquals(greedy.get("accT2").getAsDouble(),
                greedy.get("accT1").getAsDouble() + greedy.get("incorrectToCorrect").getAsDouble() - greedy.get("correctToIncorrect").getAsDouble(), 1e-9);
        List<String> metricLines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(3, metricLines.stream().filter(l -> l.contains("\"rewards/t1\"")).count(), "one record per RL step");
        assertTrue(metricLines.stream().anyMatch(l -> l.contains("eval/dev/acc_t2")));
        assertTrue(Files.exists(run.resolve("settings.json")));
        assertEquals(Integer.parseInt(results.get("selected_step").getAsString()), Checkpoint.readManifest(run.resolve("checkpoint")).getStep());
        String text = console.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Acc@t1") && text.contains("SCoRe (greedy)") && text.contains("base (greedy)"), text);
        // a second run with the same settings reuses the cached base model (through the synchronous driver)
        overrides.put("emend.run-dir", "\"" + dir.resolve("run2") + "\"");
        var again = Settings.load(null, overrides);
        ByteArrayOutputStream console2 = new ByteArrayOutputStream();
        new MainJob(RunSettings.fromConfig(again), RuntimeSettings.fromConfig(again), new RlLoop(), Settings.emendJson(again),
                new PrintStream(console2, true, StandardCharsets.UTF_8)).run();
        assertTrue(console2.toString(StandardCharsets.UTF_8).contains("base model: reusing"));
    }

    @Test
    void requireContext_tooShortForTheTask_namesTheSettingAndTheValue() {
        LinearEquationTask task = new LinearEquationTask(LinearEquationTask.Settings.defaults(1));
        Dialogue dialogue = new Dialogue(new ByteTokenizer(), task.instruction());
        // longest prompt: <bos><user>9*x+40=220<assistant> = 13 tokens; 2 x (48 + <eos>); instruction suffix 52
        MainJob.requireContext(task, dialogue, 163);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MainJob.requireContext(task, dialogue, 162));
        assertTrue(e.getMessage().contains("--set emend.model.context-length=163"), e.getMessage());
    }
}
