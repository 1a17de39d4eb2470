package emend.testing;

import ai.djl.ndarray.NDManager;
import emend.config.LiveParameters;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import emend.eval.Evaluator;
import emend.generate.Generator;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.rl.ScoreLearner;
import emend.run.LearnerJob;
import emend.run.RunDirectory;
import emend.config.Tasks;
import emend.run.TrainingSession;
import emend.task.Dialogue;
import emend.task.Task;
import emend.tokenize.ByteTokenizer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real learner for actor tests: the default task with few held-out problems, the tiny model from its seeded
 * initial weights (no warm-up), a short schedule. Owns its native memory.
 */
public final class TinyLearnerJob implements AutoCloseable {

    private final NDManager manager;
    private final AdamW optimizer;
    private final RunDirectory run;
    private final TrainingSession session;
    private final LearnerJob job;

    /** @param overrides extra settings, e.g. {@code emend.runtime.max-staleness -> 1} */
    public TinyLearnerJob(Path runDir, String schedule, int promptsPerStep, Map<String, String> overrides) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("emend.run-dir", "\"" + runDir + "\"");
        all.put("emend.task.linear.dev-size", "4");
        all.put("emend.task.linear.test-size", "4");
        all.put("emend.rl.schedule", schedule);
        all.put("emend.rl.prompts-per-step", Integer.toString(promptsPerStep));
        all.put("emend.rl.samples-per-prompt", "2");
        all.put("emend.rl.dev-eval-every", "1000");
        all.put("emend.runtime.prompts-per-request", Integer.toString(promptsPerStep));
        // tests run many nodes at once: any free port, not the roles' fixed ones (MultiNodeTest covers those)
        all.put("emend.runtime.metrics-port", "0");
        all.put("emend.runtime.management-port", "0");
        // one attempt 2 per attempt 1: the runtime tests build groups of that shape by hand
        all.put("emend.rl.turn2-samples", "1");
        all.putAll(overrides);
        var config = Settings.load(null, all);
        RunSettings settings = RunSettings.fromConfig(config);
        Task task = Tasks.create(settings.task(), settings.sandbox());
        ByteTokenizer tokenizer = new ByteTokenizer();
        Dialogue dialogue = new Dialogue(tokenizer, task.instruction());
        ModelConfig modelConfig = ModelConfig.preset(settings.model().preset(), tokenizer.vocabSize(), settings.model().contextLength());
        manager = TestModels.manager();
        Weights base = Weights.initialize(modelConfig, settings.seed(), manager);
        Transformer reference = new Transformer(base);
        Transformer policy = new Transformer(base.copy(manager));
        optimizer = new AdamW(policy.weights().tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0.0, 1.0));
        ScoreLearner learner = new ScoreLearner(policy, reference, optimizer, tokenizer.specials().pad(), settings.rl().microBatchRows());
        run = RunDirectory.open(settings.runDir(), settings.seed());
        RuntimeSettings runtime = RuntimeSettings.fromConfig(config);
        LiveParameters live = LiveParameters.of(settings, runtime);
        session = new TrainingSession(settings, task, dialogue, learner,
                new Evaluator(new Generator(policy, tokenizer.specials().pad()), dialogue, task, settings.evalBatchRows()), policy, run, live,
                new PrintStream(OutputStream.nullOutputStream()));
        job = new LearnerJob(settings, runtime, task, dialogue, policy, reference, session, live, run.root());
    }

    public LearnerJob job() {
        return job;
    }

    @Override
    public void close() {
        session.close();
        run.close();
        optimizer.close();
        manager.close();
    }
}
