package emend.actors.bench;

import ai.djl.ndarray.NDManager;
import emend.config.LiveParameters;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import emend.engine.DjlRuntime;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.run.LearnerJob;
import emend.run.PolicyTrainer;
import emend.config.Tasks;
import emend.task.Dialogue;
import emend.task.Task;
import emend.tokenize.ByteTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The run a runtime benchmark drives: the default task's prompts, a model of a given size to publish, a trainer. */
final class BenchRun implements AutoCloseable {

    private final NDManager manager = DjlRuntime.engine().newBaseManager();
    private final LearnerJob job;

    /**
     * @param settings emend keys to override (prompts per step, staleness, ...)
     * @param model the published model's shape
     */
    BenchRun(Map<String, String> settings, ModelConfig model, PolicyTrainer trainer) {
        // the nodes record their metrics as in a run; only the HTTP endpoints (and their start-up lines) are left out
        Map<String, String> all = new LinkedHashMap<>(Map.of("emend.run-dir", "\"\"", "emend.warmup.steps", "0",
                "emend.runtime.metrics-port", "-1"));
        all.putAll(settings);
        var config = Settings.load(null, all);
        RunSettings run = RunSettings.fromConfig(config);
        Task task = Tasks.create(run.task(), run.sandbox());
        Dialogue dialogue = new Dialogue(new ByteTokenizer(), task.instruction());
        Transformer policy = new Transformer(Weights.initialize(model, 1, manager));
        RuntimeSettings runtime = RuntimeSettings.fromConfig(config);
        // the stand-in trainer reads no reference model: the policy stands in for it
        job = new LearnerJob(run, runtime, task, dialogue, policy, policy, trainer, LiveParameters.of(run, runtime), Path.of("runs", "bench"));
    }

    LearnerJob job() {
        return job;
    }

    /** A model small enough that publishing it costs nothing next to the messages being measured. */
    static ModelConfig minute() {
        return new ModelConfig(new ByteTokenizer().vocabSize(), 16, 8, 1, 2, 1, 16, 10_000, 1e-5, false);
    }

    @Override
    public void close() {
        manager.close();
    }
}
