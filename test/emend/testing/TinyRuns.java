package emend.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Settings of an end-to-end run small enough for a test: three warm-up steps, four dev and test problems, batches of 2 x 2. */
public final class TinyRuns {

    private TinyRuns() {}

    /** @param schedule the stage schedule, e.g. {@code ["stage1:1", "stage2:2"]} */
    public static Map<String, String> overrides(Path cacheDir, String schedule) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("emend.warmup.cache-dir", "\"" + cacheDir + "\"");
        overrides.put("emend.warmup.steps", "3");
        overrides.put("emend.warmup.batch-size", "4");
        overrides.put("emend.task.linear.test-size", "4");
        overrides.put("emend.task.linear.dev-size", "4");
        overrides.put("emend.rl.schedule", schedule);
        overrides.put("emend.rl.prompts-per-step", "2");
        overrides.put("emend.rl.samples-per-prompt", "2");
        overrides.put("emend.rl.dev-eval-every", "1");
        overrides.put("emend.eval.sampled-per-problem", "1");
        return overrides;
    }
}
