package emend.sft;

import ai.djl.ndarray.NDManager;
import emend.checkpoint.Checkpoint;
import emend.checkpoint.CheckpointException;
import emend.config.RunSettings;
import emend.config.Settings;
import emend.console.ProgressBar;
import emend.model.ModelConfig;
import emend.model.RopeScaling;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.optim.LearningRateSchedule;
import emend.task.Dialogue;
import emend.task.Task;
import emend.util.Seeds;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The base model of a run: the supervised warm-up's result, cached under a hash of everything that shapes it
 * (task, its problems, model config, warm-up settings, seed), so later runs with the same settings reuse it.
 */
public final class BaseModel {

    private BaseModel() {}

    /** Loads the cached base model for these settings, or warms one up and caches it. */
    public static Weights obtain(RunSettings settings, Task task, Dialogue dialogue, ModelConfig config, NDManager manager,
                                 PrintStream out) {
        Path cached = Path.of(settings.warmup().cacheDir()).resolve(cacheKey(settings, task, config));
        if (Files.isDirectory(cached)) {
            try {
                Checkpoint.Loaded loaded = Checkpoint.load(cached, manager);
                out.println("base model: reusing " + cached);
                return loaded.weights();
            } catch (CheckpointException e) {
                out.println("base model: cached copy unusable (" + e.getMessage() + "); warming up again");
            }
        }
        Weights weights = warmUp(settings, task, dialogue, config, manager, out);
        Checkpoint.save(cached, weights, dialogue.tokenizer(), settings.warmup().steps(),
                Map.of("role", "base-model", "task", task.name(), "seed", Long.toString(settings.seed())));
        out.println("base model: saved to " + cached);
        return weights;
    }

    private static Weights warmUp(RunSettings settings, Task task, Dialogue dialogue, ModelConfig config, NDManager manager,
                                  PrintStream out) {
        RunSettings.WarmupSettings w = settings.warmup();
        Weights weights = Weights.initialize(config, Seeds.derive(settings.seed(), 0x77), manager);
        Transformer model = new Transformer(weights);
        WarmupTranscripts data = new WarmupTranscripts(task, dialogue, w.teacherAccuracy(), w.repeatProbability());
        SplittableRandom random = new SplittableRandom(Seeds.derive(settings.seed(), 0x78));
        LearningRateSchedule schedule = new LearningRateSchedule(w.learningRate(), Math.max(1, w.steps() / 20), Math.max(1, w.steps()), 0.1);
        try (AdamW optimizer = new AdamW(weights.tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0.01, 1.0));
             ProgressBar bar = new ProgressBar(out, "warm-up", w.steps())) {
            SupervisedTrainer trainer = new SupervisedTrainer(model, optimizer, schedule);
            double smoothed = Double.NaN;
            long tokens = 0;
            long start = System.nanoTime();
            for (int step = 1; step <= w.steps(); step++) {
                SupervisedTrainer.StepResult result = trainer.step(data.batch(w.batchSize(), random));
                smoothed = Double.isNaN(smoothed) ? result.loss() : 0.95 * smoothed + 0.05 * result.loss();
                tokens += result.targetTokens();
                double seconds = (System.nanoTime() - start) / 1e9;
                bar.update(step, String.format(Locale.ROOT, "loss=%.3f target-tok/s=%.0f", smoothed, tokens / seconds));
            }
        }
        weights.tensors().values().forEach(t -> t.setRequiresGradient(false));
        return weights;
    }

    /**
     * The model config as the key has always spelled it, field by field: a config without attention biases or rotary
     * scaling reads as it did before those fields existed, so the bases cached then (12 minutes of warm-up each)
     * stay valid.
     */
    static String configKey(ModelConfig config) {
        String key = "ModelConfig[vocabSize=" + config.vocabSize() + ", contextLength=" + config.contextLength() + ", width=" + config.width()
                + ", layers=" + config.layers() + ", heads=" + config.heads() + ", kvHeads=" + config.kvHeads() + ", ffnWidth=" + config.ffnWidth()
                + ", ropeTheta=" + config.ropeTheta() + ", normEps=" + config.normEps() + ", tiedEmbeddings=" + config.tiedEmbeddings();
        if (config.attentionBias()) {
            key += ", attentionBias=true";
        }
        if (!config.ropeScaling().equals(RopeScaling.NONE)) {
            key += ", ropeScaling=" + config.ropeScaling();
        }
        return key + "]";
    }

    /**
     * The task settings as the key has always spelled them (the record's text before it had a format): the format
     * only says how the file is read, and the problems read are in the key anyway; the attempt length does not
     * enter the warm-up (its transcripts are the task's own short attempts); the instruction enters as the task's
     * own text ({@link Task#instruction()}, which an override replaces).
     */
    private static String taskKey(RunSettings.TaskSettings t) {
        return "TaskSettings[name=" + t.name() + ", problems=" + t.problems() + ", splitSeed=" + t.splitSeed() + ", minA=" + t.minA()
                + ", maxA=" + t.maxA() + ", maxX=" + t.maxX() + ", maxB=" + t.maxB() + ", devSize=" + t.devSize() + ", testSize=" + t.testSize() + "]";
    }

    static String cacheKey(RunSettings settings, Task task, ModelConfig config) {
        StringBuilder text = new StringBuilder()
                .append(task.name()).append('|').append(taskKey(settings.task())).append('|')
                .append(configKey(config)).append('|').append(settings.warmup().steps()).append('|')
                .append(settings.warmup().batchSize()).append('|').append(settings.warmup().learningRate()).append('|')
                .append(settings.warmup().teacherAccuracy()).append('|').append(settings.warmup().repeatProbability()).append('|').append(settings.seed()).append('|')
                .append(task.instruction());
        task.train().forEach(p -> text.append('|').append(p.id()));
        // the attempt format is part of what the warm-up teaches
        task.train().stream().limit(3).forEach(p -> text.append('|').append(task.correctAttempt(p)));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return task.name() + "-seed" + settings.seed() + "-" + HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
