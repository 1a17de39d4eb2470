package emend.report;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class RunReportTest {

    @TempDir
    Path tmp;

    private static final String METRICS = """
            {"step":0,"stage":"base","eval/dev/acc_t1":0.5,"eval/dev/acc_t2":0.5,"eval/dev/delta":0.0,"eval/dev/i_to_c":0.0,"eval/dev/c_to_i":0.0}
            {"step":1,"stage":"stage1","rewards/t1":0.25,"rewards/t2":0.5,"kl/t1":0.0,"kl/t2":0.0,"loss":0.1,"grad_norm":1.0,"perf/tokens_per_s":100.0}
            {"step":2,"stage":"stage2","rewards/t1":0.5,"rewards/t2":0.75,"kl/t1":0.01,"kl/t2":NaN,"loss":0.2,"grad_norm":2.0,"perf/tokens_per_s":120.0}
            {"step":2,"stage":"stage2","eval/dev/acc_t1":0.5,"eval/dev/acc_t2":0.625,"eval/dev/delta":0.125,"eval/dev/i_to_c":0.125,"eval/dev/c_to_i":0.0}
            {"step":2,"event":"checkpoint","path":"x"}
            """;

    private static final String RESULTS = """
            {"seed": 3, "task": "linear", "schedule": ["stage1:1", "stage2:1"], "selected_step": 2, "wall_seconds": 61.4,
             "base": {"greedy": {"accT1": 0.5, "accT2": 0.5, "delta": 0.0, "incorrectToCorrect": 0.0, "correctToIncorrect": 0.0},
                      "sampled": {"accT1": 0.4, "accT2": 0.4, "delta": 0.0, "incorrectToCorrect": 0.0, "correctToIncorrect": 0.0},
                      "counterfactuals": {"accT2GivenRight": 1.0, "accT2GivenWrong": 0.2}},
             "trained": {"greedy": {"accT1": 0.55, "accT2": 0.6, "delta": 0.05, "incorrectToCorrect": 0.07, "correctToIncorrect": 0.02},
                      "sampled": {"accT1": 0.45, "accT2": 0.5, "delta": 0.05, "incorrectToCorrect": 0.06, "correctToIncorrect": 0.01},
                      "counterfactuals": {"accT2GivenRight": 0.99, "accT2GivenWrong": 0.3}}}
            """;

    @Test
    void write_makesTheMarkdownAndEveryCurveFromTheSavedFiles() throws IOException {
        Files.writeString(tmp.resolve("metrics.jsonl"), METRICS + "{\"step\":3,\"rew");  // a line cut off by a running job
        Files.writeString(tmp.resolve("results.json"), RESULTS);
        Path markdown = RunReport.write(tmp);
        String md = Files.readString(markdown);
        assertTrue(md.contains("| trained | greedy | 55.0 | 60.0 | +5.0 | 7.0 | 2.0 | 99.0 | 30.0 |"), md);
        assertTrue(md.contains("| 2 | stage2 | 50.0 | 62.5 | +12.5 | 12.5 | 0.0 |"), md);
        assertTrue(md.contains("2 steps logged (last: step 2, stage2): reward t1 0.500, t2 0.750"), md);
        assertTrue(md.contains("wall time 61 s"), md);
        for (String png : new String[] {"rewards.png", "kl.png", "loss.png", "throughput.png", "dev.png"}) {
            assertNotNull(ImageIO.read(markdown.resolveSibling(png).toFile()), png);
            assertTrue(md.contains("![" + png + "](" + png + ")"), png);
        }
    }

    @Test
    void write_refusesADirectoryWithoutMetrics() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunReport.write(tmp));
        assertTrue(e.getMessage().contains("metrics.jsonl"), e.getMessage());
    }
}
