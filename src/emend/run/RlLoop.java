package emend.run;

import emend.console.ProgressBar;
import emend.eval.Evaluator;
import emend.eval.FiveMetrics;
import emend.generate.SamplingConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.rl.LearnerStats;
import emend.rl.RolloutSampler;
import emend.rl.ScoreLearner;
import emend.rl.Stage;
import emend.rl.Trajectory;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Task;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The synchronous SCoRe loop: for each phase of the schedule, sample a batch of RLOO groups with the current
 * policy, score them, take one learner step; evaluate on the dev problems on schedule and keep the selected
 * weights. It is the reference the actor runtime is checked against, and the algorithm in one readable place.
 */
public final class RlLoop {

    /** The weights the run ends with and the step they come from (0 = the base model). */
    public record Outcome(Weights selected, int selectedStep, List<Map<String, Object>> devCurve) {}

    private final RunSettings settings;
    private final Task task;
    private final Dialogue dialogue;
    private final RolloutSampler sampler;
    private final ScoreLearner learner;
    private final Evaluator evaluator;
    private final Transformer policy;
    private final RunDirectory run;
    private final PrintStream out;

    public RlLoop(RunSettings settings, Task task, Dialogue dialogue, RolloutSampler sampler, ScoreLearner learner, Evaluator evaluator,
                  Transformer policy, RunDirectory run, PrintStream out) {
        this.settings = settings;
        this.task = task;
        this.dialogue = dialogue;
        this.sampler = sampler;
        this.learner = learner;
        this.evaluator = evaluator;
        this.policy = policy;
        this.run = run;
        this.out = out;
    }

    public Outcome run(int eosToken) {
        RunSettings.RlSettings rl = settings.rl();
        SamplingConfig sampling = SamplingConfig.sampled(rl.temperature(), task.maxAttemptTokens(), eosToken);
        ProblemStream stream = new ProblemStream(task.train().size(), settings.seed());
        List<Map<String, Object>> devCurve = new ArrayList<>();
        Selection selection = new Selection(rl.selection());
        if (!task.dev().isEmpty() && rl.selection() == RunSettings.Selection.DEV) {
            selection.offer(devEvaluation(0, "base", devCurve).accT2(), 0, policy.weights());
        }
        int step = 0;
        for (int p = 0; p < rl.schedule().size(); p++) {
            RunSettings.Phase phase = rl.schedule().get(p);
            boolean lastPhase = p == rl.schedule().size() - 1;
            try (ProgressBar bar = new ProgressBar(out, phase.stage().label(), phase.steps())) {
                for (int i = 1; i <= phase.steps(); i++) {
                    step++;
                    int[] indices = stream.next(rl.promptsPerStep());
                    List<Problem> problems = new ArrayList<>(indices.length);
                    for (int index : indices) {
                        problems.add(task.train().get(index));
                    }
                    long t0 = System.nanoTime();
                    List<Trajectory> batch = sampler.sample(problems, indices, rl.samplesPerPrompt(), phase.stage().twoTurns(),
                            sampling, settings.seed(), step, learner.version());
                    long t1 = System.nanoTime();
                    LearnerStats stats = learner.step(batch, phase.stage(), rl.objective(), rl.learningRate());
                    long t2 = System.nanoTime();
                    double tokensPerSecond = stats.generatedTokens() / ((t1 - t0) / 1e9);
                    Map<String, Object> record = stepRecord(step, phase.stage(), stats, tokensPerSecond, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                    if (phase.stage().twoTurns()) {
                        record.put("rollout/change_when_wrong", changeRate(batch, 0));
                        record.put("rollout/change_when_right", changeRate(batch, 1));
                    }
                    run.metric(record);
                    bar.update(i, String.format(Locale.ROOT, "r1=%.2f r2=%.2f kl1=%.3f kl2=%.3f gen-tok/s=%.0f",
                            stats.rewardOne(), stats.rewardTwo(), stats.klOne(), stats.klTwo(), tokensPerSecond));
                    if (lastPhase && rl.selection() == RunSettings.Selection.TRAIN_REWARD) {
                        double reward = phase.stage().twoTurns() ? (stats.rewardOne() + stats.rewardTwo()) / 2 : stats.rewardOne();
                        selection.offer(reward, step, policy.weights());
                    }
                    if (!task.dev().isEmpty() && (step % rl.devEvalEvery() == 0 || i == phase.steps())) {
                        FiveMetrics dev = devEvaluation(step, phase.stage().label(), devCurve);
                        if (rl.selection() == RunSettings.Selection.DEV) {
                            selection.offer(dev.accT2(), step, policy.weights());
                        }
                    }
                }
            }
        }
        return selection.finish(policy.weights(), step, devCurve);
    }

    /** Share of the rollouts with attempt-1 reward {@code r1} whose attempt 2 gives a different answer. */
    private double changeRate(List<Trajectory> batch, int r1) {
        int cases = 0;
        int changed = 0;
        for (Trajectory t : batch) {
            if (t.rewardOne() != r1) {
                continue;
            }
            cases++;
            String one = task.verifier().extractAnswer(dialogue.attemptText(t.attemptOne()));
            String two = task.verifier().extractAnswer(dialogue.attemptText(t.attemptTwo()));
            changed += one.equals(two) ? 0 : 1;
        }
        return cases == 0 ? Double.NaN : (double) changed / cases;
    }

    private FiveMetrics devEvaluation(int step, String stage, List<Map<String, Object>> devCurve) {
        FiveMetrics dev = evaluator.greedy(task.dev(), settings.seed());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        record.put("stage", stage);
        record.put("eval/dev/acc_t1", dev.accT1());
        record.put("eval/dev/acc_t2", dev.accT2());
        record.put("eval/dev/delta", dev.delta());
        record.put("eval/dev/i_to_c", dev.incorrectToCorrect());
        record.put("eval/dev/c_to_i", dev.correctToIncorrect());
        run.metric(record);
        devCurve.add(record);
        return dev;
    }

    private static Map<String, Object> stepRecord(int step, Stage stage, LearnerStats s, double tokensPerSecond,
                                                  double rolloutSeconds, double learnerSeconds) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        record.put("stage", stage.label());
        record.put("rewards/t1", s.rewardOne());
        record.put("rewards/t2", s.rewardTwo());
        record.put("kl/t1", s.klOne());
        record.put("kl/t2", s.klTwo());
        record.put("loss", s.loss());
        record.put("grad_norm", s.gradNorm());
        record.put("perf/tokens_per_s", tokensPerSecond);
        record.put("perf/rollout_s", rolloutSeconds);
        record.put("perf/learner_s", learnerSeconds);
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

        void offer(double score, int step, Weights current) {
            if (score >= bestScore) {
                if (best != null) {
                    best.close();
                }
                best = current.copy(current.manager());
                bestScore = score;
                bestStep = step;
            }
        }

        Outcome finish(Weights current, int lastStep, List<Map<String, Object>> devCurve) {
            if (rule == RunSettings.Selection.LAST || best == null) {
                if (best != null) {
                    best.close();
                }
                return new Outcome(current, lastStep, devCurve);
            }
            return new Outcome(best, bestStep, devCurve);
        }
    }
}
