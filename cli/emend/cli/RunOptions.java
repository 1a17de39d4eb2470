package emend.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import emend.checkpoint.ResumeCheckpoint;
import emend.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The run-settings flags shared by {@code train} and {@code node}; each one overrides one configuration key. */
final class RunOptions {

    @Option(names = "--config", description = "HOCON file overriding cluster-config/reference.conf.")
    Path config;

    @Option(names = "--set", description = "Override one key, e.g. --set emend.rl.alpha=5 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--seed", description = "Run seed (emend.seed).")
    Long seed;

    @Option(names = "--run-dir", description = "Run directory (default: a new folder under runs/).")
    String runDir;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue the run in RUN_DIR from its last checkpoint, "
            + "with the settings it was started with (flags given here override them).")
    Path resume;

    @Option(names = "--resume-or-start", description = "With --run-dir DIR: continue the run in DIR when it holds a resume state, "
            + "else start it there (for a job that a scheduler or supervisor restarts; a finished run exits 0).")
    boolean resumeOrStart;

    @Option(names = "--schedule", split = ",", description = "Stage schedule, e.g. stage1:60,stage2:120 or single-turn:180.")
    List<String> schedule;

    @Option(names = "--task", description = "linear (built in), jsonl, or code (Python functions checked by unit tests in the sandbox).")
    String task;

    @Option(names = "--problems", description = "JSONL problem file for --task jsonl, or for --task code (default: the shipped set).")
    String problems;

    @Option(names = "--format", description = "Layout of the --problems file: auto (default, from its first record), emend, gsm8k, math, "
            + "humaneval or mbpp (public data sets as published).")
    String format;

    @Option(names = "--model", paramLabel = "DIR", description = "Start from this Hugging Face model directory (Llama or Qwen2: "
            + "config.json, *.safetensors, tokenizer.json) or Emend checkpoint instead of warming up the preset (emend.model.path).")
    Path model;

    @Option(names = "--device", description = "cpu, gpu, gpu:N, or a list (gpu:0,gpu:1): each a slot with its own model thread; "
            + "the learner takes the first, rollout workers go round them.")
    String device;

    @Option(names = "--max-staleness", description = "eta: policy versions a sample may lag the learner (0 = synchronous).")
    Integer maxStaleness;

    /** reference.conf, then --config, then the flags. */
    Config resolve(Map<String, String> extra) {
        Path continued = continued();
        return Settings.load(continued == null ? ConfigFactory.empty() : Settings.savedRun(continued), config, overrides(extra));
    }

    /** The run directory to continue: --resume's, or --run-dir's under --resume-or-start when it holds a resume state. */
    Path continued() {
        if (!resumeOrStart) {
            return resume;
        }
        if (resume != null || runDir == null) {
            throw new IllegalArgumentException("--resume-or-start needs --run-dir DIR (and no --resume): it continues the run in DIR, or starts one there");
        }
        Path dir = Path.of(runDir);
        return ResumeCheckpoint.find(dir).isPresent() ? dir : null;
    }

    /** Only what the command line sets (--config, --set, the flags), for the actor system's Pekko keys. */
    Config runLayer(Map<String, String> extra) {
        return Settings.runLayer(config, overrides(extra));
    }

    private Map<String, String> overrides(Map<String, String> extra) {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        put(all, "emend.seed", seed == null ? null : seed.toString());
        put(all, "emend.run-dir", quoted(runDir));
        put(all, "emend.task.name", quoted(task));
        put(all, "emend.task.problems", quoted(problems));
        put(all, "emend.task.format", quoted(format));
        put(all, "emend.device", quoted(device));
        put(all, "emend.model.path", model == null ? null : quoted(model.toAbsolutePath().normalize().toString()));
        put(all, "emend.runtime.max-staleness", maxStaleness == null ? null : maxStaleness.toString());
        if (schedule != null) {
            all.put("emend.rl.schedule", "[" + String.join(",", schedule.stream().map(RunOptions::quoted).toList()) + "]");
        }
        Path continued = continued();
        if (continued != null) {
            if (runDir != null && !Path.of(runDir).toAbsolutePath().normalize().equals(continued.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("--resume " + continued + " continues that run in its own directory; drop --run-dir " + runDir);
            }
            all.put("emend.run-dir", quoted(continued.toString()));
            all.put("emend.resume", "true");
        }
        extra.forEach((key, value) -> put(all, key, value));
        return all;
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
