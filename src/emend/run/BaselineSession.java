package emend.run;

import emend.baselines.SelfCorrectionTranscripts;
import emend.config.BaselineMethod;
import emend.config.RunSettings;
import emend.console.ProgressBar;
import emend.eval.Evaluator;
import emend.eval.FiveMetrics;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.optim.LearningRateSchedule;
import emend.rollout.GroupShape;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.rollout.RolloutSampler;
import emend.rollout.Trajectory;
import emend.sft.SupervisedTrainer;
import emend.sft.TokenBatch;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Task;
import emend.util.Seeds;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The supervised self-correction baselines SCoRe is compared with (paper.md), in place of the RL schedule and on
 * its budget: STaR (three rounds of sampling two-turn dialogues from the current policy, keeping those that go
 * wrong → right, then one epoch of supervised steps on them), STaR D+ (right → right kept too), and Pair-SFT (one
 * round of single-turn samples, each wrong answer paired with a right one to the same problem, one epoch). The
 * rounds split the schedule's samples (steps × prompts × samples) evenly, and its updates (steps of prompts ×
 * samples rows) are the cap of each round's epoch; the learning rate, its warm-up ramp and the sampling temperature
 * are the RL ones. Unlike the original STaR, each
 * round continues from the last rather than restarting from the base model. The weights kept are those with the
 * best dev Acc@t2 after a round (or the starting ones), as for RL.
 */
final class BaselineSession {

    /** The baselines by their setting name ({@code emend.baseline}). */
    private final RunSettings settings;
    private final BaselineMethod method;
    private final Task task;
    private final Dialogue dialogue;
    private final Transformer policy;
    private final AdamW optimizer;
    private final Evaluator evaluator;
    private final RunDirectory run;
    private final PrintStream out;

    BaselineSession(RunSettings settings, BaselineMethod method, Task task, Dialogue dialogue, Transformer policy, AdamW optimizer,
                    Evaluator evaluator, RunDirectory run, PrintStream out) {
        this.settings = settings;
        this.method = method;
        this.task = task;
        this.dialogue = dialogue;
        this.policy = policy;
        this.optimizer = optimizer;
        this.evaluator = evaluator;
        this.run = run;
        this.out = out;
    }

    TrainingSession.Outcome train() {
        RunSettings.RlSettings rl = settings.rl();
        int totalSteps = rl.totalSteps();
        int rows = rl.promptsPerStep() * rl.samplesPerPrompt();
        int promptsPerRound = Math.max(1, totalSteps * rl.promptsPerStep() / method.rounds());
        int stepsPerRound = Math.max(1, totalSteps / method.rounds()); // Pair-SFT's one round may use them all
        SupervisedTrainer trainer = new SupervisedTrainer(policy, optimizer,
                new LearningRateSchedule(rl.learningRate(), rl.learningRateWarmupSteps(), totalSteps, 1.0));
        RolloutSampler sampler = new RolloutSampler(new Generator(policy, dialogue.tokenizer().specials().pad()), dialogue);
        SamplingConfig sampling = SamplingConfig.sampled(rl.temperature(), task.maxAttemptTokens(), dialogue.tokenizer().specials().eos());
        List<Map<String, Object>> devCurve = new ArrayList<>();
        Weights best = policy.weights().copy(policy.weights().manager());
        int bestStep = 0;
        double bestScore = dev(0, "base", devCurve);
        int step = 0;
        for (int round = 1; round <= method.rounds(); round++) {
            SplittableRandom random = new SplittableRandom(Seeds.derive(settings.seed(), 0x5F7, round));
            List<Trajectory> samples = sample(sampler, sampling, promptsPerRound, round, random);
            SelfCorrectionTranscripts data = switch (method) {
                case STAR -> SelfCorrectionTranscripts.star(samples, false);
                case STAR_D_PLUS -> SelfCorrectionTranscripts.star(samples, true);
                case PAIR_SFT -> SelfCorrectionTranscripts.pairs(samples, dialogue.instructionSuffix(), random);
            };
            double rewardOne = samples.stream().mapToInt(Trajectory::rewardOne).average().orElse(0);
            double rewardTwo = method == BaselineMethod.PAIR_SFT ? Double.NaN : samples.stream().mapToInt(Trajectory::rewardTwo).average().orElse(0);
            // one pass over what the round kept, within the round's share of the updates: 40 steps over STaR's first
            // 175 transcripts (seed 1) were 29 passes, and its dev Acc@t2 fell from 58.3 to 37.0 over three rounds
            int steps = Math.min(stepsPerRound, Math.max(1, (data.size() + rows - 1) / rows));
            out.printf(Locale.ROOT, "%s round %d/%d: %d samples, reward t1 %.3f%s, %d transcripts kept, %d steps%n", method.label(), round,
                    method.rounds(), samples.size(), rewardOne, Double.isNaN(rewardTwo) ? "" : String.format(Locale.ROOT, " t2 %.3f", rewardTwo),
                    data.size(), data.size() == 0 ? 0 : steps);
            try (ProgressBar bar = new ProgressBar(out, method.label() + " " + round, steps)) {
                for (int s = 0; s < steps && data.size() > 0; s++) {
                    TokenBatch batch = data.batch(s * rows, rows, dialogue.tokenizer().specials().pad());
                    SupervisedTrainer.StepResult result = trainer.step(batch);
                    step++;
                    Map<String, Object> record = new LinkedHashMap<>();
                    record.put("step", step);
                    record.put("stage", method.label());
                    record.put("rewards/t1", rewardOne);
                    record.put("rewards/t2", rewardTwo);
                    record.put("loss", result.loss());
                    record.put("grad_norm", result.gradNorm());
                    record.put("sft/kept", data.size());
                    record.put("params/learning_rate", result.learningRate());
                    run.metric(record);
                    bar.update(s + 1, String.format(Locale.ROOT, "loss=%.3f kept=%d", result.loss(), data.size()));
                }
            }
            double score = dev(step, method.label(), devCurve);
            if (score >= bestScore) {
                best.close();
                best = policy.weights().copy(policy.weights().manager());
                bestScore = score;
                bestStep = step;
            }
        }
        return new TrainingSession.Outcome(best, bestStep, devCurve, false);
    }

    private List<Trajectory> sample(RolloutSampler sampler, SamplingConfig sampling, int prompts, int round, SplittableRandom random) {
        RunSettings.RlSettings rl = settings.rl();
        List<Problem> train = task.train();
        List<Trajectory> samples = new ArrayList<>();
        try (ProgressBar bar = new ProgressBar(out, method.label() + " sample", prompts)) {
            for (int from = 0; from < prompts; from += rl.promptsPerStep()) {
                List<PromptDraw> draws = new ArrayList<>();
                for (int i = from; i < Math.min(prompts, from + rl.promptsPerStep()); i++) {
                    int index = random.nextInt(train.size());
                    draws.add(new PromptDraw(train.get(index), index, (long) round * prompts + i));
                }
                samples.addAll(RlooGroup.rowsOf(sampler.sample(draws, new GroupShape(rl.samplesPerPrompt(), method != BaselineMethod.PAIR_SFT ? 1 : 0),
                        sampling, settings.seed(), round, task.verifier())));
                bar.update(Math.min(prompts, from + rl.promptsPerStep()), "prompts");
            }
        }
        return samples;
    }

    /** Greedy dev evaluation, logged like the RL session's; returns Acc@t2, the selection score. */
    private double dev(int step, String stage, List<Map<String, Object>> devCurve) {
        FiveMetrics dev = evaluator.greedy(task.dev(), settings.seed());
        Map<String, Object> record = DevPoints.record(step, stage, dev.accT1(), dev.accT2(), dev.delta(), dev.incorrectToCorrect(),
                dev.correctToIncorrect());
        run.metric(record);
        devCurve.add(record);
        return dev.accT2();
    }
}
