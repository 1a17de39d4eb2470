package emend.run;

import ai.djl.ndarray.NDManager;
import emend.checkpoint.Checkpoint;
import emend.checkpoint.ResumeCheckpoint;
import emend.config.BaselineMethod;
import emend.config.LiveParameters;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import emend.config.Tasks;
import emend.console.ProgressBar;
import emend.engine.DjlRuntime;
import emend.engine.ModelThread;
import emend.eval.Evaluation;
import emend.eval.Evaluator;
import emend.eval.ResultsTable;
import emend.generate.Generator;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.rl.ScoreLearner;
import emend.sft.BaseModel;
import emend.task.Dialogue;
import emend.task.ProblemSetCheck;
import emend.task.Task;
import emend.tokenize.ByteTokenizer;
import emend.tokenize.Tokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The main job, {@code emend train}: base model (warm-up or cache) → evaluation → the stage schedule →
 * evaluation of the selected weights, with everything written to the run directory.
 */
public final class MainJob {

    private static final String BASE_MODEL = "base-model";
    private static final String BASE_EVALUATION = "base-evaluation.json";

    private final RunSettings settings;
    private final RuntimeSettings runtime;
    private final RolloutDriver driver;
    private final String settingsJson;
    private final PrintStream out;

    /**
     * @param driver produces the rollouts (the actor runtime, or {@link RlLoop})
     * @param settingsJson the resolved configuration, saved with the run
     */
    public MainJob(RunSettings settings, RuntimeSettings runtime, RolloutDriver driver, String settingsJson, PrintStream out) {
        this.settings = settings;
        this.runtime = runtime;
        this.driver = driver;
        this.settingsJson = settingsJson;
        this.out = out;
    }

    /**
     * Runs the job on the {@link ModelThread} (every phase's libtorch work on one thread); returns the results that
     * were also written to results.json.
     */
    public Map<String, Object> run() {
        driver.requireSupported(settings);
        DjlRuntime.limitNativeThreads(runtime.nativeThreads());
        return ModelThread.call(this::runOnModelThread);
    }

    private Map<String, Object> runOnModelThread() {
        long start = System.nanoTime();
        Task task = Tasks.create(settings.task(), settings.sandbox());
        if (runtime.driver().equals("actors")) {
            // distinct attempts of the largest group: k attempts 1 and their k x turn2-samples attempts 2 (siblings
            // repeat their attempt 1, which is scored once)
            runtime.requireVerifyTimeoutCovers(task.verifier(), settings.rl().samplesPerPrompt() * (1 + settings.rl().turnTwoSamples()));
        }
        if (task instanceof emend.task.CodeTask code) {
            long t0 = System.nanoTime();
            ProblemSetCheck.require(code, settings.task().problems().isBlank() ? "(shipped)" : settings.task().problems(), 2);
            out.printf(java.util.Locale.ROOT, "code problems checked: %d canonical solutions pass, their wrong solutions fail (%.1f s)%n",
                    code.problems().size(), (System.nanoTime() - t0) / 1e9);
        }
        DjlRuntime.engine().setRandomSeed((int) settings.seed());
        try (NDManager manager = DjlRuntime.engine().newBaseManager(DjlRuntime.device(settings.device().first()))) {
            // a resumed run starts from the base model it saved; a new one from the model given, or from a warm-up
            Path savedBase = Path.of(settings.runDir()).resolve(BASE_MODEL);
            Optional<Path> source = settings.resume() && java.nio.file.Files.isDirectory(savedBase) ? Optional.of(savedBase)
                    : settings.model().path().isEmpty() ? Optional.empty() : Optional.of(Path.of(settings.model().path()));
            Optional<Checkpoint.Loaded> pretrained = source.map(dir -> Checkpoint.load(dir, manager));
            Tokenizer tokenizer = pretrained.map(Checkpoint.Loaded::tokenizer).orElseGet(ByteTokenizer::new);
            Dialogue dialogue = new Dialogue(tokenizer, task.instruction());
            if (pretrained.isPresent()) {
                out.println("dialogue layout: " + tokenizer.layoutSource());
            }
            ModelConfig config = pretrained.map(loaded -> loaded.weights().config())
                    .orElseGet(() -> ModelConfig.preset(settings.model().preset(), tokenizer.vocabSize(), settings.model().contextLength()));
            if (!settings.model().path().isEmpty()) {
                requirePretrainedContext(task, dialogue, config.contextLength());
            } else {
                requireContext(task, dialogue, config.contextLength());
            }
            return train(task, tokenizer, dialogue, config, pretrained.map(Checkpoint.Loaded::weights), manager, start);
        }
    }

    private Map<String, Object> train(Task task, Tokenizer tokenizer, Dialogue dialogue, ModelConfig config, Optional<Weights> pretrained,
                                      NDManager manager, long start) {
        try (RunDirectory run = RunDirectory.open(settings.runDir(), settings.seed())) {
            out.println("run directory: " + run.root());
            Optional<Path> saved = savedState(run.root());
            out.printf("task %s: %d train / %d dev / %d test problems; model %s, %,d parameters%n", task.name(),
                    task.train().size(), task.dev().size(), task.test().size(), modelName(), config.parameterCount());
            out.println("settings: " + settingsJson.replace("\n", "\n  "));
            if (saved.isEmpty()) {
                run.writeJson("settings.json", com.google.gson.JsonParser.parseString(settingsJson));
            }

            Weights base = saved.isPresent()
                    ? pretrained.orElseThrow(() -> new IllegalArgumentException(run.root() + " has a resume state but no " + BASE_MODEL
                            + "/ to continue from: the run directory is incomplete; start a new run"))
                    : startingWeights(run, task, dialogue, config, pretrained, manager);
            Transformer reference = new Transformer(base);
            Evaluation baseEval;
            if (saved.isPresent()) {
                baseEval = run.readJson(BASE_EVALUATION, Evaluation.class);
            } else {
                baseEval = evaluate("base", reference, dialogue, task);
                run.writeJson(BASE_EVALUATION, baseEval);
            }

            Weights policyWeights = base.copy(manager);
            Transformer policy = new Transformer(policyWeights);
            RunSettings.RlSettings rl = settings.rl();
            LiveParameters live = LiveParameters.of(settings, runtime);
            TrainingSession.Outcome outcome;
            try (AdamW optimizer = new AdamW(policyWeights.tensors(), manager, new AdamW.Settings(0.9, 0.95, 1e-8, 0.0, rl.maxGradNorm()))) {
                Evaluator devEvaluator = new Evaluator(new Generator(policy, tokenizer.specials().pad()), dialogue, task, settings.evalBatchRows());
                outcome = settings.baseline().isEmpty()
                        ? reinforce(task, dialogue, reference, policy, optimizer, devEvaluator, run, live, saved, manager)
                        : new BaselineSession(settings, BaselineMethod.parse(settings.baseline()), task, dialogue, policy, optimizer,
                                devEvaluator, run, out).train();
            }
            if (outcome.stopped()) {
                out.printf("run stopped after step %d of %d; its state is in %s. Continue it with: ./emend train --resume %s%n",
                        outcome.selectedStep(), rl.totalSteps(), run.root().resolve(ResumeCheckpoint.DIRECTORY), run.root());
                return Map.of("stopped", true, "steps_done", outcome.selectedStep());
            }
            Transformer selected = new Transformer(outcome.selected());
            out.printf("selected weights: step %d of %d (%s)%n", outcome.selectedStep(), rl.totalSteps(), rl.selection());
            Evaluation trainedEval = evaluate("trained", selected, dialogue, task);
            Checkpoint.save(run.root().resolve("checkpoint"), outcome.selected(), tokenizer, outcome.selectedStep(),
                    Map.of("role", "policy", "task", task.name(), "seed", Long.toString(settings.seed()),
                            "schedule", rl.schedule().toString()));

            Map<String, Evaluation> table = new LinkedHashMap<>();
            table.put("base", baseEval);
            table.put(label(), trainedEval);
            out.println();
            out.println("held-out test problems (" + task.test().size() + "), percent:");
            out.print(ResultsTable.render(table));

            double wallSeconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("seed", settings.seed());
            results.put("task", task.name());
            results.put("schedule", rl.schedule().stream().map(RunSettings.Phase::toString).toList());
            results.put("method", label());
            results.put("selected_step", outcome.selectedStep());
            results.put("base", baseEval);
            results.put("trained", trainedEval);
            results.put("dev_curve", outcome.devCurve());
            results.put("wall_seconds", wallSeconds);
            run.writeJson("results.json", results);
            out.printf("wall time %.0f s; results in %s%n", wallSeconds, run.root().resolve("results.json"));
            return results;
        }
    }

    /** The RL schedule through the rollout driver, continuing from the saved state on a resume. */
    private TrainingSession.Outcome reinforce(Task task, Dialogue dialogue, Transformer reference, Transformer policy, AdamW optimizer,
                                              Evaluator devEvaluator, RunDirectory run, LiveParameters live, Optional<Path> saved, NDManager manager) {
        ScoreLearner learner = new ScoreLearner(policy, reference, optimizer, dialogue.tokenizer().specials().pad(), settings.rl().microBatchRows());
        try (TrainingSession session = new TrainingSession(settings, task, dialogue, learner, devEvaluator, policy, run, live, out)) {
            if (saved.isPresent()) {
                try (ResumeCheckpoint.Loaded state = ResumeCheckpoint.read(saved.get(), manager)) {
                    session.resume(state);
                }
                if (session.finished()) {
                    return session.finish();
                }
            }
            return driver.train(new LearnerJob(settings, runtime, task, dialogue, policy, reference, session, live, run.root()));
        }
    }

    /**
     * The resume state to continue from when the settings ask for a resume; refuses to start over a run that has
     * one, since its state would be overwritten.
     */
    private Optional<Path> savedState(Path runRoot) {
        Optional<Path> saved = ResumeCheckpoint.find(runRoot);
        if (settings.resume() && saved.isEmpty()) {
            throw new RunRefusedException(runRoot + " has no resume state to continue from (" + ResumeCheckpoint.DIRECTORY
                    + "/ is written every emend.rl.checkpoint-every steps and by `emend ctl checkpoint`); start a new run without --resume");
        }
        // a run stopped between its last step and its results only needs the final evaluation, which a resume makes
        if (settings.resume() && ResumeCheckpoint.readState(saved.get()).getStepsDone() >= settings.rl().totalSteps()
                && java.nio.file.Files.isRegularFile(runRoot.resolve("results.json"))) {
            throw new RunRefusedException.Finished(runRoot + " finished all " + settings.rl().totalSteps() + " steps of its schedule; its results are in "
                    + runRoot.resolve("results.json") + " (evaluate its weights with: emend eval --checkpoint " + runRoot.resolve("checkpoint") + ")");
        }
        if (!settings.resume() && saved.isPresent()) {
            throw new RunRefusedException(runRoot + " holds a run that can be continued (step "
                    + ResumeCheckpoint.readState(saved.get()).getStepsDone() + "): pass --resume " + runRoot
                    + " to continue it, or choose another --run-dir");
        }
        return saved;
    }

    /**
     * The base model (the pretrained model given, or the warm-up's result, cached), also saved in the run directory
     * so a resume needs nothing else.
     */
    private Weights startingWeights(RunDirectory run, Task task, Dialogue dialogue, ModelConfig config, Optional<Weights> pretrained,
                                    NDManager manager) {
        Weights base = pretrained.orElseGet(() -> BaseModel.obtain(settings, task, dialogue, config, manager, out));
        Checkpoint.save(run.root().resolve(BASE_MODEL), base, dialogue.tokenizer(), 0, Map.of("role", "reference", "task", task.name()));
        return base;
    }

    /**
     * Fails before any work when the longest dialogue (prompt, two attempts of the task's budget, instruction) does
     * not fit the model's context; otherwise the warm-up or the first evaluation would fail minutes later.
     */
    static void requireContext(Task task, Dialogue dialogue, int contextLength) {
        int needed = neededContext(task, dialogue);
        if (needed > contextLength) {
            int longestPrompt = needed - 2 * (task.maxAttemptTokens() + 1) - dialogue.instructionSuffix().length;
            throw new IllegalArgumentException("task " + task.name() + " needs emend.model.context-length >= " + needed + " (a prompt of up to "
                    + longestPrompt + " tokens, two attempts of up to " + task.maxAttemptTokens() + " and the instruction); pass --set "
                    + "emend.model.context-length=" + needed);
        }
    }

    private String modelName() {
        return settings.model().path().isEmpty() ? settings.model().preset() : settings.model().path();
    }

    /** The same check for a pretrained model, whose context is its config.json's max_position_embeddings. */
    static void requirePretrainedContext(Task task, Dialogue dialogue, int contextLength) {
        int needed = neededContext(task, dialogue);
        if (needed > contextLength) {
            throw new IllegalArgumentException("task " + task.name() + " needs a context of " + needed + " tokens (prompt, two attempts of up to "
                    + task.maxAttemptTokens() + " tokens and the instruction) but the model's config.json has max_position_embeddings "
                    + contextLength + ": shorten the problems, lower the task's attempt budget, or use a model with a longer context");
        }
    }

    private static int neededContext(Task task, Dialogue dialogue) {
        int longestPrompt = Stream.of(task.train(), task.dev(), task.test()).flatMap(List::stream)
                .mapToInt(p -> dialogue.turnOnePrompt(p.question()).length).max().orElse(0);
        return longestPrompt + 2 * (task.maxAttemptTokens() + 1) + dialogue.instructionSuffix().length;
    }

    private String label() {
        if (!settings.baseline().isEmpty()) {
            return settings.baseline();
        }
        List<RunSettings.Phase> schedule = settings.rl().schedule();
        boolean singleTurn = schedule.stream().allMatch(p -> p.stage() == emend.rl.Stage.SINGLE_TURN);
        return singleTurn ? "single-turn RL" : "SCoRe";
    }

    private Evaluation evaluate(String name, Transformer model, Dialogue dialogue, Task task) {
        Evaluator evaluator = new Evaluator(new Generator(model, dialogue.tokenizer().specials().pad()), dialogue, task, settings.evalBatchRows());
        try (ProgressBar bar = new ProgressBar(out, "eval " + name, 3)) {
            return evaluator.evaluate(task.test(), settings.sampledPerProblem(), settings.seed() + 1000,
                    done -> bar.update(done, task.test().size() + " problems"));
        }
    }
}
