package emend.run;

import emend.checkpoint.Checkpoint;
import emend.checkpoint.ResumeCheckpoint;
import emend.config.LiveParameters;
import emend.config.RunSettings;
import emend.console.ProgressBar;
import emend.eval.AnswerChanges;
import emend.eval.Evaluator;
import emend.eval.FiveMetrics;
import emend.generate.Generator;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.WeightAverage;
import emend.proto.TrainerState;
import emend.rl.LearnerStats;
import emend.rl.ObjectiveSettings;
import emend.rl.ScoreLearner;
import emend.rl.Stage;
import emend.rl.StageOneReference;
import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import emend.task.Dialogue;
import emend.task.Task;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The learner side of a SCoRe run, whoever produces the rollouts: walks the stage schedule one learner step per
 * batch, writes the metrics, evaluates on the dev problems on schedule and keeps the selected weights. The
 * synchronous driver ({@link RlLoop}) and the learner actor both drive one of these, so the two paths cannot
 * drift apart.
 */
public final class TrainingSession implements PolicyTrainer, AutoCloseable {

    /**
     * The weights the run ends with and the step they come from (0 = the base model).
     *
     * @param stopped the run was stopped before its schedule was done (its resume state is on disk)
     */
    public record Outcome(Weights selected, int selectedStep, List<Map<String, Object>> devCurve, boolean stopped) {}

    /** Where the weights of each dev point go, under the run directory. */
    public static final String DEV_POINTS = "dev-points";
    /** Names of the weights kept beside the policy in the resume state. */
    private static final String STAGE_ONE_REFERENCE = "stage1-reference";
    private static final String WEIGHT_AVERAGE = "weight-average";

    private final RunSettings settings;
    private final Task task;
    private final Dialogue dialogue;
    private final ScoreLearner learner;
    /** Evaluates the kept weights: the policy's, or the weight average's when there is one. */
    private final Evaluator evaluator;
    /** The moving average of the policy weights (emend.rl.weight-average-decay > 0), else null. */
    private final WeightAverage average;
    private final Transformer policy;
    private final RunDirectory run;
    private final PrintStream out;
    private final List<Map<String, Object>> devCurve = new ArrayList<>();
    private final Selection selection;
    private final LiveParameters live;
    private int step;
    private int lastCheckpointStep;
    private ProgressBar bar;

    public TrainingSession(RunSettings settings, Task task, Dialogue dialogue, ScoreLearner learner, Evaluator evaluator,
                           Transformer policy, RunDirectory run, LiveParameters live, PrintStream out) {
        this.settings = settings;
        this.task = task;
        this.dialogue = dialogue;
        this.learner = learner;
        double decay = settings.rl().weightAverageDecay();
        this.average = decay > 0 ? new WeightAverage(policy.weights(), decay) : null;
        this.evaluator = average == null ? evaluator
                : new Evaluator(new Generator(average.model(), dialogue.tokenizer().specials().pad()), dialogue, task, settings.evalBatchRows());
        this.policy = policy;
        this.run = run;
        this.out = out;
        this.live = live;
        this.selection = new Selection(settings.rl().selection());
    }

    /**
     * Continues from a saved state instead of the start: policy weights, optimizer moments, step, selection, dev
     * curve and live parameters. Call before {@link #begin()}.
     *
     * @throws IllegalArgumentException if the state was written under settings that change what the steps do
     */
    public void resume(ResumeCheckpoint.Loaded saved) {
        TrainerState state = saved.state();
        Map<String, String> expected = fingerprint();
        if (!expected.equals(state.getFingerprintMap())) {
            throw new RunRefusedException("the resume state in " + run.root() + " was written under other settings: saved "
                    + state.getFingerprintMap() + ", now " + expected + "; resume with the run's own settings (its settings.json)");
        }
        policy.weights().overwriteWith(saved.policy());
        learner.optimizer().restore(saved.optimizer());
        Optional.ofNullable(saved.extra().get(STAGE_ONE_REFERENCE)).ifPresent(learner::holdStageOneTo);
        if (average != null) {
            average.restore(Optional.ofNullable(saved.extra().get(WEIGHT_AVERAGE)).orElseThrow(() -> new RunRefusedException(
                    "the resume state in " + run.root() + " has no weight average to continue; resume with the run's own settings")));
        }
        step = state.getStepsDone();
        lastCheckpointStep = step;
        live.restore(state.getParametersMap());
        out.println("live parameters as the run left them (they win over the settings; change them with `emend ctl set`): "
                + live.values());
        saved.best().ifPresent(best -> selection.restore(best.copy(policy.weights().manager()), state.getBestStep(), state.getBestScore()));
        state.getDevCurveList().forEach(point -> devCurve.add(DevPoints.toRecord(point)));
        run.metric(new LinkedHashMap<>(Map.of("event", "resumed", "step", step)));
        out.printf("resumed at step %d of %d (policy version %d)%n", step, settings.rl().totalSteps(), learner.version());
    }

    /** Evaluates the starting weights on the dev problems when they select the checkpoint (not on a resume). */
    @Override
    public void begin() {
        if (step == 0 && selectsOnDev()) {
            selection.offerDev(devEvaluation("base"), 0, kept());
        }
    }

    /** Learner steps taken so far. */
    @Override
    public int stepsDone() {
        return step;
    }

    @Override
    public boolean finished() {
        return step >= settings.rl().totalSteps();
    }

    /** The policy version: updates applied so far. */
    @Override
    public long version() {
        return learner.version();
    }

    /** The stage of step {@code stepNumber} (1-based) under the schedule. */
    @Override
    public Stage stageOf(long stepNumber) {
        return phaseOf(Math.toIntExact(stepNumber)).stage();
    }

    /**
     * One learner step on {@code batch} (one RLOO group per prompt), its metrics record and, on schedule, a dev
     * evaluation.
     *
     * @param rolloutSeconds time spent producing the batch (for the throughput figures)
     * @param runtime extra figures of whoever produced the batch (staleness, leases), added to the record
     */
    @Override
    public LearnerStats step(List<RlooGroup> batch, double rolloutSeconds, Map<String, Object> runtime) {
        if (finished()) {
            throw new IllegalStateException("the schedule is done; no step " + (step + 1));
        }
        step++;
        RunSettings.Phase phase = phaseOf(step);
        int stepInPhase = step - stepsBefore(phase);
        if (bar == null) {
            bar = new ProgressBar(out, phase.stage().label(), phase.steps());
        }
        long t0 = System.nanoTime();
        ObjectiveSettings objective = live.objective();
        double learningRate = live.learningRate() * settings.rl().learningRateShare(step);
        if (stepInPhase == 1 && phase.stage() == Stage.STAGE_ONE && learner.version() > 0
                && settings.rl().stageOneReference() == StageOneReference.PHASE_START) {
            learner.anchorStageOne();         // before any update the policy is the base model, the reference already
        }
        LearnerStats stats = learner.step(batch, phase.stage(), objective, learningRate);
        if (average != null) {
            average.update(policy.weights());
        }
        double learnerSeconds = (System.nanoTime() - t0) / 1e9;
        double tokensPerSecond = stats.tokensPerSecond(rolloutSeconds);
        Map<String, Object> record = stepRecord(phase.stage(), stats, tokensPerSecond, rolloutSeconds, learnerSeconds, objective, learningRate);
        List<Trajectory> rows = RlooGroup.rowsOf(batch);
        if (phase.stage().twoTurns()) {
            record.put("rollout/change_when_wrong", changeRate(rows, 0));
            record.put("rollout/change_when_right", changeRate(rows, 1));
        }
        record.put("rollout/generated_tokens", stats.generatedTokens());
        record.put("rollout/mean_logprob", meanBehaviourLogProb(rows));
        record.putAll(runtime);
        run.metric(record);
        bar.update(stepInPhase, String.format(Locale.ROOT, "r1=%.2f r2=%.2f kl1=%.3f kl2=%.3f gen-tok/s=%.0f",
                stats.rewardOne(), stats.rewardTwo(), stats.klOne(), stats.klTwo(), tokensPerSecond));
        boolean lastPhase = phase == settings.rl().schedule().get(settings.rl().schedule().size() - 1);
        if (lastPhase && settings.rl().selection() == RunSettings.Selection.TRAIN_REWARD) {
            double reward = phase.stage().twoTurns() ? (stats.rewardOne() + stats.rewardTwo()) / 2 : stats.rewardOne();
            selection.offer(reward, step, kept());
        }
        boolean phaseDone = stepInPhase == phase.steps();
        if (phaseDone) {
            bar.close();
            bar = null;
        }
        if (!task.dev().isEmpty() && (step % settings.rl().devEvalEvery() == 0 || phaseDone)) {
            FiveMetrics dev = devEvaluation(phase.stage().label());
            if (selectsOnDev()) {
                selection.offerDev(dev, step, kept());
            }
        }
        int every = settings.rl().checkpointEvery();
        if ((every > 0 && step % every == 0) || finished()) {
            checkpoint();
        }
        return stats;
    }

    /** Writes the resume state of the steps taken so far to the run directory; returns where. */
    @Override
    public Path checkpoint() {
        TrainerState.Builder state = TrainerState.newBuilder()
                .setStepsDone(step)
                .setStage(step == 0 ? "" : phaseOf(step).stage().label())
                .setSeed(settings.seed())
                .setPromptsConsumed((long) step * settings.rl().promptsPerStep())
                .putAllParameters(live.values())
                .putAllFingerprint(fingerprint())
                .setCreatedAt(Instant.now().toString());
        devCurve.forEach(record -> state.addDevCurve(DevPoints.fromRecord(record)));
        if (selection.best != null) {
            state.setBestStep(selection.bestStep).setBestScore(selection.bestScore);
        }
        Map<String, Weights> extra = new LinkedHashMap<>();
        learner.stageOneReference().ifPresent(weights -> extra.put(STAGE_ONE_REFERENCE, weights));
        if (average != null) {
            extra.put(WEIGHT_AVERAGE, average.weights());
        }
        Path dir = ResumeCheckpoint.write(run.root(), state.build(), policy.weights(), selection.best, extra,
                learner.optimizer().state(), dialogue.tokenizer());
        lastCheckpointStep = step;
        run.metric(new LinkedHashMap<>(Map.of("event", "checkpoint", "step", step, "path", dir.toString())));
        return dir;
    }

    /** Step of the last resume state written or resumed from (0 = none). */
    @Override
    public int lastCheckpointStep() {
        return lastCheckpointStep;
    }

    /** The selected weights (a copy, or the kept weights as they are when the rule keeps the last ones). */
    @Override
    public Outcome finish() {
        return selection.finish(kept(), step, devCurve);
    }

    /**
     * Ends the run before its schedule is done: writes the resume state and returns the kept weights as they are (a
     * schedule that is done just finishes).
     */
    @Override
    public Outcome stop() {
        if (finished()) {
            return finish();
        }
        checkpoint();
        selection.discard();
        return new Outcome(kept(), step, devCurve, true);
    }

    @Override
    public Optional<emend.proto.Evaluation> lastEvaluation() {
        return devCurve.isEmpty() ? Optional.empty() : Optional.of(DevPoints.fromRecord(devCurve.get(devCurve.size() - 1)));
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    /** The settings a resume must share with the run it continues, or its steps would differ. */
    private Map<String, String> fingerprint() {
        RunSettings.RlSettings rl = settings.rl();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("seed", Long.toString(settings.seed()));
        out.put("task", task.name());
        out.put("model", settings.model().path().isEmpty() ? settings.model().preset() + "/" + settings.model().contextLength() : settings.model().path());
        out.put("schedule", rl.schedule().toString());
        out.put("prompts-per-step", Integer.toString(rl.promptsPerStep()));
        out.put("samples-per-prompt", Integer.toString(rl.samplesPerPrompt()));
        if (rl.turnTwoSamples() != 1) {          // absent at 1, so resume states written before the setting stay valid
            out.put("turn2-samples", Integer.toString(rl.turnTwoSamples()));
        }
        if (rl.offlineFirstAttempts() != 0) {    // absent at 0, likewise
            out.put("offline-first-attempts", Integer.toString(rl.offlineFirstAttempts()));
        }
        if (rl.stageOneReference() != StageOneReference.BASE) {  // absent at base, likewise
            out.put("stage1-reference", rl.stageOneReference().label());
        }
        if (rl.weightAverageDecay() > 0) {                     // absent when off, likewise
            out.put("weight-average-decay", Double.toString(rl.weightAverageDecay()));
        }
        return out;
    }

    /** The weights a run evaluates and keeps: the average's when it keeps one, else the policy's. */
    private Weights kept() {
        return average == null ? policy.weights() : average.weights();
    }

    private boolean selectsOnDev() {
        return !task.dev().isEmpty() && settings.rl().selection().onDev();
    }

    private RunSettings.Phase phaseOf(int stepNumber) {
        int before = 0;
        for (RunSettings.Phase phase : settings.rl().schedule()) {
            if (stepNumber <= before + phase.steps()) {
                return phase;
            }
            before += phase.steps();
        }
        throw new IllegalStateException("step " + stepNumber + " is past the schedule " + settings.rl().schedule());
    }

    private int stepsBefore(RunSettings.Phase target) {
        int before = 0;
        for (RunSettings.Phase phase : settings.rl().schedule()) {
            if (phase == target) {
                return before;
            }
            before += phase.steps();
        }
        throw new IllegalStateException("phase " + target + " is not in the schedule");
    }

    /** Mean log-prob of the generated tokens under the policy that sampled them (minus the sampling entropy). */
    private static double meanBehaviourLogProb(List<Trajectory> batch) {
        double sum = 0;
        long tokens = 0;
        for (Trajectory t : batch) {
            for (float lp : t.logProbsOne()) {
                sum += lp;
            }
            for (float lp : t.logProbsTwo()) {
                sum += lp;
            }
            tokens += t.generatedTokens();
        }
        return tokens == 0 ? Double.NaN : sum / tokens;
    }

    /** Share of the rollouts with attempt-1 reward {@code r1} whose attempt 2 gives a different answer. */
    private double changeRate(List<Trajectory> batch, int r1) {
        AnswerChanges changes = new AnswerChanges(task.verifier());
        for (Trajectory t : batch) {
            if (t.rewardOne() == r1) {
                changes.add(dialogue.attemptText(t.attemptOne()), dialogue.attemptText(t.attemptTwo()));
            }
        }
        return changes.rate();
    }

    private FiveMetrics devEvaluation(String stage) {
        FiveMetrics dev = evaluator.greedy(task.dev(), settings.seed());
        Map<String, Object> record = DevPoints.record(step, stage, dev.accT1(), dev.accT2(), dev.delta(), dev.incorrectToCorrect(),
                dev.correctToIncorrect());
        run.metric(record);
        devCurve.add(record);
        if (settings.rl().keepDevWeights()) {
            Checkpoint.save(run.root().resolve(DEV_POINTS).resolve("step-" + step), kept(), dialogue.tokenizer(), step,
                    Map.of("role", "dev-point", "stage", stage, "dev_acc_t2", Double.toString(dev.accT2()),
                            "dev_delta", Double.toString(dev.delta())));
        }
        return dev;
    }

    private Map<String, Object> stepRecord(Stage stage, LearnerStats s, double tokensPerSecond, double rolloutSeconds,
                                           double learnerSeconds, ObjectiveSettings objective, double learningRate) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        record.put("stage", stage.label());
        record.put("rewards/t1", s.rewardOne());
        record.put("rewards/t2", s.rewardTwo());
        record.put("kl/t1", s.klOne());
        record.put("kl/t2", s.klTwo());
        record.put("loss", s.loss());
        record.put("grad_norm", s.gradNorm());
        record.put("staleness/stale_rows", s.staleRows());
        record.put("staleness/clipped_fraction", s.clippedFraction());
        record.put("perf/tokens_per_s", tokensPerSecond);
        record.put("perf/rollout_s", rolloutSeconds);
        record.put("perf/learner_s", learnerSeconds);
        // the values this step used: an operator may change them while the run trains
        record.put("params/learning_rate", learningRate);
        record.put("params/alpha", objective.alphaShapingBonus());
        record.put("params/beta1", objective.beta1());
        record.put("params/beta2", objective.beta2FirstTurnKl());
        return record;
    }

    /** Keeps a copy of the best weights seen so far under the selection rule. */
    private static final class Selection {
        private final RunSettings.Selection rule;
        private Weights best;
        private int bestStep = -1;
        private double bestScore = Double.NEGATIVE_INFINITY;

        Selection(RunSettings.Selection rule) {
            this.rule = rule;
        }

        /** @param saved weights the selection takes ownership of */
        void restore(Weights saved, int step, double score) {
            discard();
            best = saved;
            bestStep = step;
            bestScore = score;
        }

        void discard() {
            if (best != null) {
                best.close();
                best = null;
            }
        }

        void offerDev(FiveMetrics dev, int step, Weights current) {
            if (rule.replaces(dev.accT2(), dev.delta(), bestScore)) {
                keep(dev.accT2(), step, current);
            }
        }

        void offer(double score, int step, Weights current) {
            if (score >= bestScore) {
                keep(score, step, current);
            }
        }

        private void keep(double score, int step, Weights current) {
            if (best != null) {
                best.close();
            }
            best = current.copy(current.manager());
            bestScore = score;
            bestStep = step;
        }

        Outcome finish(Weights current, int lastStep, List<Map<String, Object>> devCurve) {
            if (rule == RunSettings.Selection.LAST || best == null) {
                if (best != null) {
                    best.close();
                }
                return new Outcome(current, lastStep, devCurve, false);
            }
            return new Outcome(best, bestStep, devCurve, false);
        }
    }
}
