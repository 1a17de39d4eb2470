package emend.cli;

import com.typesafe.config.Config;
import emend.run.MainJob;
import emend.run.RunSettings;
import emend.run.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code emend train}: the main job (warm-up or cached base model, Stage I, Stage II, evaluation). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Run SCoRe end to end: base model (warm-up, cached), the stage schedule, evaluation on held-out problems.")
final class TrainCommand implements Runnable {

    @Option(names = "--config", description = "HOCON file overriding cluster-config/reference.conf.")
    Path config;

    @Option(names = "--set", description = "Override one key, e.g. --set emend.rl.alpha=5 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--seed", description = "Run seed (emend.seed).")
    Long seed;

    @Option(names = "--run-dir", description = "Run directory (default: a new folder under runs/).")
    String runDir;

    @Option(names = "--schedule", split = ",", description = "Stage schedule, e.g. stage1:60,stage2:120 or single-turn:180.")
    List<String> schedule;

    @Option(names = "--task", description = "linear (built in), jsonl, or code (Python functions checked by unit tests in the sandbox).")
    String task;

    @Option(names = "--problems", description = "JSONL problem file for --task jsonl, or for --task code (default: the shipped set).")
    String problems;

    @Option(names = "--device", description = "cpu, gpu or gpu:N.")
    String device;

    @Override
    public void run() {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        put(all, "emend.seed", seed == null ? null : seed.toString());
        put(all, "emend.run-dir", quoted(runDir));
        put(all, "emend.task.name", quoted(task));
        put(all, "emend.task.problems", quoted(problems));
        put(all, "emend.device", quoted(device));
        if (schedule != null) {
            all.put("emend.rl.schedule", "[" + String.join(",", schedule.stream().map(TrainCommand::quoted).toList()) + "]");
        }
        Config resolved = Settings.load(config, all);
        RunSettings settings = RunSettings.fromConfig(resolved);
        new MainJob(settings, Settings.emendJson(resolved), System.out).run();
    }

    private static void put(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    static String quoted(String value) {
        return value == null ? null : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
