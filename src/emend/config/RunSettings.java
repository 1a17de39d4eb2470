package emend.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import emend.engine.DeviceSlots;
import emend.optim.LearningRateSchedule;
import emend.rl.AdvantageNormalization;
import emend.rl.KlEstimator;
import emend.rl.ObjectiveSettings;
import emend.rl.Stage;
import emend.rl.StageOneReference;
import emend.rollout.GroupShape;
import emend.sandbox.SandboxSettings;
import emend.task.CodeTask;
import emend.task.JsonlTask;
import emend.task.LinearEquationTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of a training run, read from the {@code emend} HOCON namespace (cluster-config/reference.conf
 * documents each key) and validated here, so a bad value fails before any work starts.
 */
public record RunSettings(
        long seed,
        String runDir,
        boolean resume,
        DeviceSlots device,
        TaskSettings task,
        SandboxSettings sandbox,
        ModelSettings model,
        WarmupSettings warmup,
        RlSettings rl,
        int sampledPerProblem,
        int evalBatchRows,
        String baseline) {

    /** The tasks a run can train on ({@link Tasks} builds them); the settings and the command line check names against it. */
    public static final List<String> TASK_NAMES = List.of(LinearEquationTask.NAME, JsonlTask.NAME, CodeTask.NAME);

    /**
     * @param format the problem file's layout ({@link emend.task.ProblemFormat}: auto, emend, gsm8k, math, humaneval, mbpp)
     * @param maxAttemptTokens tokens an attempt of the jsonl task may take; 0 = the task's default
     */
    public record TaskSettings(String name, String problems, emend.task.ProblemFormat format, int maxAttemptTokens, long splitSeed, int minA,
                               int maxA, int maxX, int maxB, int devSize, int testSize, String instruction) {}

    /** @param path a Hugging Face model directory or Emend checkpoint to start from instead of the preset's warm-up; empty: none */
    public record ModelSettings(String preset, int contextLength, String path) {}

    public record WarmupSettings(int steps, int batchSize, double learningRate, double teacherAccuracy, double repeatProbability,
                                 String cacheDir) {}

    /** One phase of the stage schedule. */
    public record Phase(Stage stage, int steps) {
        static Phase parse(String text) {
            String[] parts = text.split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("schedule entry '" + text + "' must look like stage1:60");
            }
            int steps;
            try {
                steps = Integer.parseInt(parts[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("schedule entry '" + text + "': '" + parts[1] + "' is not a step count");
            }
            if (steps < 0) {
                throw new IllegalArgumentException("schedule entry '" + text + "': steps must be >= 0");
            }
            return new Phase(Stage.parse(parts[0].strip()), steps);
        }

        @Override
        public String toString() {
            return stage.label() + ":" + steps;
        }
    }

    /** Which weights a run ends with (emend.rl.checkpoint-selection). */
    public enum Selection {
        /** Best greedy dev Acc@t2; ties go to the later step. */
        DEV,
        /** Best greedy dev Acc@t2 among the dev points whose Δ is not negative; ties go to the earlier step. */
        DEV_DELTA,
        /** Best mean training reward of the final stage (the paper's rule). */
        TRAIN_REWARD,
        /** The last step's weights. */
        LAST;

        public boolean onDev() {
            return this == DEV || this == DEV_DELTA;
        }

        /** Whether a dev point with these figures replaces the best one so far, whose Acc@t2 is {@code bestAccT2}. */
        public boolean replaces(double accT2, double delta, double bestAccT2) {
            return switch (this) {
                case DEV -> accT2 >= bestAccT2;
                case DEV_DELTA -> delta >= 0 && accT2 > bestAccT2;
                case TRAIN_REWARD, LAST -> false;
            };
        }
    }

    public record RlSettings(
            List<Phase> schedule,
            int promptsPerStep,
            int samplesPerPrompt,
            int turnTwoSamples,
            int offlineFirstAttempts,
            StageOneReference stageOneReference,
            double weightAverageDecay,
            double temperature,
            double learningRate,
            int learningRateWarmupSteps,
            double maxGradNorm,
            ObjectiveSettings objective,
            Selection selection,
            int devEvalEvery,
            boolean keepDevWeights,
            int checkpointEvery,
            int microBatchRows) {

        public RlSettings {
            if (promptsPerStep < 1 || samplesPerPrompt < 2) {
                throw new IllegalArgumentException("rl needs prompts-per-step >= 1 and samples-per-prompt >= 2 "
                        + "(RLOO needs two samples per prompt), got " + promptsPerStep + " and " + samplesPerPrompt);
            }
            if (turnTwoSamples < 1) {
                throw new IllegalArgumentException("emend.rl.turn2-samples must be >= 1 (attempts 2 per attempt 1), got " + turnTwoSamples);
            }
            if (offlineFirstAttempts < 0 || offlineFirstAttempts > samplesPerPrompt - 2) {
                throw new IllegalArgumentException("emend.rl.offline-first-attempts must be between 0 and samples-per-prompt - 2 = "
                        + (samplesPerPrompt - 2) + " (turn 1's RLOO group keeps two of the policy's own attempts), got " + offlineFirstAttempts);
            }
            if (!(weightAverageDecay >= 0 && weightAverageDecay < 1)) {
                throw new IllegalArgumentException("emend.rl.weight-average-decay must be in [0, 1) (0 = no average), got " + weightAverageDecay);
            }
            if (!(temperature > 0) || !(learningRate > 0)) {
                throw new IllegalArgumentException("rl temperature and learning-rate must be > 0");
            }
            if (learningRateWarmupSteps < 0) {
                throw new IllegalArgumentException("emend.rl.learning-rate-warmup-steps must be >= 0 (0 = the full rate from the first step), got "
                        + learningRateWarmupSteps);
            }
            if (microBatchRows < 1) {
                throw new IllegalArgumentException("emend.rl.micro-batch-rows must be >= 1, got " + microBatchRows);
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("emend.rl.checkpoint-every must be >= 0 (0 = only at the end and on request), got "
                        + checkpointEvery);
            }
            if (devEvalEvery < 1) {
                throw new IllegalArgumentException("rl.dev-eval-every must be >= 1, got " + devEvalEvery);
            }
        }

        /**
         * The group each prompt samples in a step of {@code stage}: no attempt 2 in the single-turn stage, offline
         * attempts 1 in Stage II only.
         */
        public GroupShape groupShape(Stage stage) {
            return GroupShape.of(samplesPerPrompt, turnTwoSamples, stage.twoTurns(), stage == Stage.STAGE_TWO ? offlineFirstAttempts : 0);
        }

        public int totalSteps() {
            return schedule.stream().mapToInt(Phase::steps).sum();
        }

        /** Share of the learning rate applied at 1-based step {@code step}: a linear ramp over the warm-up steps, then 1. */
        public double learningRateShare(int step) {
            return new LearningRateSchedule(1.0, learningRateWarmupSteps, Math.max(1, totalSteps()), 1.0).at(step - 1);
        }
    }

    /**
     * Reads {@code config}'s {@code emend} block.
     *
     * @throws IllegalArgumentException naming the key and the fix
     */
    public static RunSettings fromConfig(Config root) {
        try {
            Config c = root.getConfig("emend");
            Config t = c.getConfig("task");
            Config lin = t.getConfig("linear");
            Config m = c.getConfig("model");
            Config w = c.getConfig("warmup");
            Config r = c.getConfig("rl");
            List<Phase> schedule = new ArrayList<>();
            for (String entry : r.getStringList("schedule")) {
                schedule.add(Phase.parse(entry));
            }
            ObjectiveSettings objective = new ObjectiveSettings(r.getDouble("alpha"), r.getDouble("beta1"), r.getDouble("beta2"),
                    KlEstimator.parse(r.getString("kl-estimator")), r.getBoolean("kl-in-reward"), r.getDouble("clip-epsilon"),
                    AdvantageNormalization.parse(r.getString("advantage-normalization")), r.getBoolean("copy-baseline"));
            Selection selection = switch (r.getString("checkpoint-selection")) {
                case "dev" -> Selection.DEV;
                case "dev-delta" -> Selection.DEV_DELTA;
                case "train-reward" -> Selection.TRAIN_REWARD;
                case "last" -> Selection.LAST;
                default -> throw new IllegalArgumentException("emend.rl.checkpoint-selection must be dev, dev-delta, train-reward or last, got '"
                        + r.getString("checkpoint-selection") + "'");
            };
            RunSettings settings = new RunSettings(
                    c.getLong("seed"), c.getString("run-dir"), c.getBoolean("resume"), DeviceSlots.parse(c.getString("device")),
                    new TaskSettings(t.getString("name"), t.getString("problems"), emend.task.ProblemFormat.parse(t.getString("format")),
                            t.getInt("max-attempt-tokens"), t.getLong("split-seed"), lin.getInt("min-a"), lin.getInt("max-a"),
                            lin.getInt("max-x"), lin.getInt("max-b"), lin.getInt("dev-size"), lin.getInt("test-size"),
                            t.getString("instruction")),
                    SandboxSettings.fromConfig(root),
                    new ModelSettings(m.getString("preset"), m.getInt("context-length"), m.getString("path")),
                    new WarmupSettings(w.getInt("steps"), w.getInt("batch-size"), w.getDouble("learning-rate"),
                            w.getDouble("teacher-accuracy"), w.getDouble("repeat-probability"), w.getString("cache-dir")),
                    new RlSettings(schedule, r.getInt("prompts-per-step"), r.getInt("samples-per-prompt"), r.getInt("turn2-samples"),
                            r.getInt("offline-first-attempts"), StageOneReference.parse(r.getString("stage1-reference")),
                            r.getDouble("weight-average-decay"), r.getDouble("temperature"),
                            r.getDouble("learning-rate"), r.getInt("learning-rate-warmup-steps"), r.getDouble("max-grad-norm"), objective, selection, r.getInt("dev-eval-every"),
                            r.getBoolean("keep-dev-weights"),
                            r.getInt("checkpoint-every"), r.getInt("micro-batch-rows")),
                    c.getConfig("eval").getInt("sampled-per-problem"),
                    c.getConfig("eval").getInt("batch-rows"),
                    c.getString("baseline"));
            settings.validate();
            return settings;
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration error: " + e.getMessage()
                    + " (see cluster-config/reference.conf for every key and its meaning)", e);
        }
    }

    private void validate() {
        if (!baseline.isEmpty()) {
            BaselineMethod.parse(baseline);
            if (resume) {
                throw new IllegalArgumentException("a baseline run (emend.baseline = " + baseline + ") cannot be resumed: start it again");
            }
        }
        if (resume && runDir.isBlank()) {
            throw new IllegalArgumentException("emend.resume needs the run directory to continue: pass --resume RUN_DIR");
        }
        if (!TASK_NAMES.contains(task.name())) {
            throw new IllegalArgumentException("emend.task.name must be one of " + String.join(", ", TASK_NAMES) + ", got '" + task.name() + "'");
        }
        if (!task.instruction().isEmpty() && task.instruction().isBlank()) {
            throw new IllegalArgumentException("emend.task.instruction is only white space: leave it empty for the task's own instruction, or write one");
        }
        if (task.name().equals(JsonlTask.NAME) && task.problems().isBlank()) {
            throw new IllegalArgumentException("task jsonl needs a problem file: pass --problems FILE (or set emend.task.problems)");
        }
        if (warmup.steps() < 0 || warmup.batchSize() < 1 || !(warmup.learningRate() > 0)) {
            throw new IllegalArgumentException("emend.warmup needs steps >= 0, batch-size >= 1 and learning-rate > 0");
        }
        if (!(warmup.repeatProbability() >= 0 && warmup.repeatProbability() < 1)) {
            throw new IllegalArgumentException("emend.warmup.repeat-probability must be in [0, 1) (1 would leave attempt 2 nothing to learn"
                    + " but copying), got " + warmup.repeatProbability());
        }
        if (sampledPerProblem < 0) {
            throw new IllegalArgumentException("emend.eval.sampled-per-problem must be >= 0");
        }
        if (evalBatchRows < 1) {
            throw new IllegalArgumentException("emend.eval.batch-rows must be >= 1 (rows per generation call of an evaluation), got " + evalBatchRows);
        }
    }
}
