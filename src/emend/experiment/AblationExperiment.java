package emend.experiment;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import emend.checkpoint.ResumeCheckpoint;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import emend.run.MainJob;
import emend.run.RolloutDriver;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code emend experiment ablations}: SCoRe beside the baselines and ablations of the paper (paper.md), on the same
 * budget, for several seeds, each method a run of its own under {@code EXPERIMENT_DIR/seed<k>/<method>/}; then
 * the comparison ({@link AblationReport}). Every run of a seed starts from the same cached base model.
 */
public final class AblationExperiment {

    /** One row of the comparison and the setting overrides that make it (HOCON values). */
    public record Method(String name, Map<String, String> overrides) {
        public String label() {
            return LABELS.get(name);
        }
    }

    /** Every row's name and label, in the order of the paper's tables. */
    static final Map<String, String> LABELS = labels();

    /** What the default schedule's Stage I is called in the "STaR in place of Stage II" row's first run. */
    static final String STAGE_ONE_RUN = "star-stage2-stage1";

    private AblationExperiment() {}

    /** Every row, in the order of the paper's tables, for a schedule of Stage I then Stage II steps. */
    public static List<Method> methods(RunSettings settings) {
        int stageOne = settings.rl().schedule().stream().filter(p -> p.stage() == emend.rl.Stage.STAGE_ONE).mapToInt(RunSettings.Phase::steps).sum();
        int total = settings.rl().totalSteps();
        int stageTwo = total - stageOne;
        if (stageOne == 0 || stageTwo <= 0) {
            throw new IllegalArgumentException("the ablations need a schedule with Stage I and Stage II steps (e.g. stage1:60,stage2:60), got "
                    + settings.rl().schedule());
        }
        List<Method> methods = new ArrayList<>();
        methods.add(new Method("prompted", Map.of()));
        methods.add(new Method("star", Map.of("emend.baseline", "\"star\"")));
        methods.add(new Method("star-dplus", Map.of("emend.baseline", "\"star-dplus\"")));
        methods.add(new Method("pair-sft", Map.of("emend.baseline", "\"pair-sft\"")));
        methods.add(new Method("single-turn", Map.of("emend.rl.schedule", "[\"single-turn:" + total + "\"]")));
        methods.add(new Method("no-stage1", Map.of("emend.rl.schedule", "[\"stage2:" + total + "\"]")));
        // with the copy baseline attempt 2 earns (1 + alpha)(r2 - r1), a scale the per-turn advantage normalisation
        // removes; without shaping attempt 2 earns plain r2, so the baseline goes too
        methods.add(new Method("no-shaping", Map.of("emend.rl.alpha", "0", "emend.rl.copy-baseline", "false")));
        methods.add(new Method("star-stage2", Map.of("emend.baseline", "\"star\"", "emend.rl.schedule", "[\"stage2:" + stageTwo + "\"]")));
        methods.add(new Method("score", Map.of()));
        return methods;
    }

    private static Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("prompted", "Prompted base (Self-Refine style)");
        labels.put("star", "STaR");
        labels.put("star-dplus", "STaR D+");
        labels.put("pair-sft", "Pair-SFT");
        labels.put("single-turn", "Single-turn RL (w/o multi-turn)");
        labels.put("no-stage1", "SCoRe w/o Stage I");
        labels.put("no-shaping", "SCoRe w/o reward shaping");
        labels.put("star-stage2", "STaR in place of Stage II");
        labels.put("score", "SCoRe");
        return java.util.Collections.unmodifiableMap(labels);
    }

    /**
     * Runs {@code methods} (names of {@link #methods}) for seeds 1..{@code seeds} into {@code dir}, then writes the
     * comparison; returns the markdown table's path. Runs already finished in {@code dir} are reused, so more seeds
     * can be added to an experiment later.
     */
    public static Path run(Config base, Path dir, int seeds, List<String> methodNames, Supplier<RolloutDriver> drivers, PrintStream out) {
        RunSettings defaults = RunSettings.fromConfig(base);
        List<Method> chosen = methods(defaults).stream().filter(m -> methodNames.isEmpty() || methodNames.contains(m.name())).toList();
        if (!methodNames.isEmpty() && chosen.size() != methodNames.size()) {
            throw new IllegalArgumentException("unknown method among " + methodNames + "; the methods are "
                    + methods(defaults).stream().map(Method::name).toList());
        }
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1, got " + seeds);
        }
        long start = System.nanoTime();
        for (int seed = 1; seed <= seeds; seed++) {
            for (Method method : chosen) {
                if (method.name().equals("prompted")) {
                    continue; // the base model's evaluation, which every other run of the seed makes
                }
                out.printf("%n=== seed %d of %d: %s ===%n", seed, seeds, method.label());
                Map<String, String> overrides = new LinkedHashMap<>(method.overrides());
                if (method.name().equals("star-stage2")) {
                    Path stageOne = dir.resolve("seed" + seed).resolve(STAGE_ONE_RUN);
                    int steps = defaults.rl().schedule().stream().filter(p -> p.stage() == emend.rl.Stage.STAGE_ONE)
                            .mapToInt(RunSettings.Phase::steps).sum();
                    train(base, stageOne, seed, Map.of("emend.rl.schedule", "[\"stage1:" + steps + "\"]",
                            "emend.rl.checkpoint-selection", "\"last\""), drivers, out);
                    overrides.put("emend.model.path", quoted(stageOne.resolve("checkpoint").toAbsolutePath().toString()));
                }
                train(base, dir.resolve("seed" + seed).resolve(method.name()), seed, overrides, drivers, out);
            }
        }
        out.printf("%nexperiment: %d seeds x %d methods in %.0f s%n", seeds, chosen.size(), (System.nanoTime() - start) / 1e9);
        return AblationReport.write(dir);
    }

    /**
     * Trains one run, unless {@code runDir} already holds its results (an experiment run again with more seeds or
     * methods reuses what it finished); a run that was interrupted with a resume state continues from it.
     */
    private static void train(Config base, Path runDir, int seed, Map<String, String> overrides, Supplier<RolloutDriver> drivers, PrintStream out) {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        all.put("emend.seed", Integer.toString(seed));
        all.put("emend.run-dir", quoted(runDir.toAbsolutePath().toString()));
        boolean finished = Files.isRegularFile(runDir.resolve("results.json"));
        boolean resumable = !finished && ResumeCheckpoint.find(runDir).isPresent();
        all.put("emend.resume", Boolean.toString(resumable));
        StringBuilder text = new StringBuilder();
        all.forEach((key, value) -> text.append(key).append(" = ").append(value).append('\n'));
        Config config = ConfigFactory.parseString(text.toString()).withFallback(base).resolve();
        String settingsJson = Settings.emendJson(config);
        SavedRunSettings.requireSame(runDir, settingsJson);
        if (finished) {
            out.println("reusing the finished run in " + runDir);
            return;
        }
        if (resumable) {
            out.println("continuing the interrupted run in " + runDir);
        }
        new MainJob(RunSettings.fromConfig(config), RuntimeSettings.fromConfig(config), drivers.get(), settingsJson, out).run();
    }

    private static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
