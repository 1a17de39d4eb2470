package emend.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.config.Settings;
import emend.run.RlLoop;
import emend.testing.TinyRuns;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A smoke run of the whole experiment on a tiny budget: every method runs and every output file is written. */
final class AblationExperimentTest {

    @TempDir
    Path dir;

    @Test
    void tinyBudget_runsEveryMethodAndWritesTheComparison() throws Exception {
        Map<String, String> overrides = TinyRuns.overrides(dir.resolve("cache"), "[\"stage1:1\", \"stage2:2\"]");
        Path experiment = dir.resolve("experiment");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path table = AblationExperiment.run(Settings.load(null, overrides), experiment, 1, List.of(), RlLoop::new,
                new PrintStream(console, true, StandardCharsets.UTF_8));

        String md = Files.readString(table);
        for (String label : AblationExperiment.LABELS.values()) {
            assertTrue(md.contains("| " + label + " | 1 |"), label + " missing from\n" + md);
        }
        assertTrue(md.contains("Ordering by mean Acc@t2: "), md);
        JsonObject json = JsonParser.parseString(Files.readString(experiment.resolve(AblationReport.JSON))).getAsJsonObject();
        assertEquals(9, json.getAsJsonArray("rows").size());
        for (String png : List.of("delta.png", "rewards-t1.png", "rewards-t2.png", "dev-delta.png")) {
            assertNotNull(ImageIO.read(experiment.resolve(png).toFile()), png);
        }
        // the STaR rows trained by supervision on their own budget, the RL rows on theirs
        assertTrue(Files.readString(experiment.resolve("seed1/star/results.json")).contains("\"method\": \"star\""));
        JsonObject noShaping = JsonParser.parseString(Files.readString(experiment.resolve("seed1/no-shaping/settings.json"))).getAsJsonObject();
        assertEquals(0.0, noShaping.getAsJsonObject("rl").get("alpha").getAsDouble());
        assertEquals(false, noShaping.getAsJsonObject("rl").get("copy-baseline").getAsBoolean());
        assertTrue(Files.exists(experiment.resolve("seed1/star-stage2-stage1/checkpoint")));
        // the comparison is made from the saved files alone, so it can be made again
        Files.delete(table);
        assertEquals(table, AblationReport.write(experiment));
        assertTrue(Files.readString(table).contains("| SCoRe | 1 |"));

        // run again on the same directory: every finished run is reused (so seeds can be added later) ...
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        String before = Files.readString(experiment.resolve("seed1/score/metrics.jsonl"));
        AblationExperiment.run(Settings.load(null, overrides), experiment, 1, List.of(), RlLoop::new, new PrintStream(again, true, StandardCharsets.UTF_8));
        assertEquals(9, again.toString(StandardCharsets.UTF_8).split("reusing the finished run", -1).length - 1, again.toString(StandardCharsets.UTF_8));
        assertEquals(before, Files.readString(experiment.resolve("seed1/score/metrics.jsonl")));
        // ... and other settings are refused instead of being mixed into the same table
        Map<String, String> otherAlpha = new LinkedHashMap<>(overrides);
        otherAlpha.put("emend.rl.alpha", "5");
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () ->
                AblationExperiment.run(Settings.load(null, otherAlpha), experiment, 1, List.of("score"), RlLoop::new, new PrintStream(again)));
        assertTrue(mixed.getMessage().contains("rl.alpha: saved 3, now 5"), mixed.getMessage());
    }
}
