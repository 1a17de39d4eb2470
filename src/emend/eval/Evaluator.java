package emend.eval;

import emend.generate.Completion;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Task;
import emend.task.Verifier;
import emend.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Runs both turns on a problem set and computes the five metrics greedily and sampled (T = 1, k samples each),
 * plus the counterfactual diagnostics under greedy decoding.
 */
public final class Evaluator {

    private final Generator generator;
    private final Dialogue dialogue;
    private final Task task;
    /** Rows per generation call (emend.eval.batch-rows): bounds memory on long problem sets. */
    private final int batchRows;

    public Evaluator(Generator generator, Dialogue dialogue, Task task, int batchRows) {
        if (batchRows < 1) {
            throw new IllegalArgumentException("an evaluation needs >= 1 rows per generation call, got " + batchRows);
        }
        this.generator = generator;
        this.dialogue = dialogue;
        this.task = task;
        this.batchRows = batchRows;
    }

    /**
     * @param sampledPerProblem samples per problem for the sampled metrics (0 skips them)
     * @param progress called with the number of generation calls done (for a progress bar)
     */
    public Evaluation evaluate(List<Problem> problems, int sampledPerProblem, long seed, IntConsumer progress) {
        int budget = task.maxAttemptTokens();
        int eos = dialogue.tokenizer().specials().eos();
        SamplingConfig greedy = SamplingConfig.greedy(budget, eos);
        Verifier verifier = task.verifier();

        GreedyDialogues dialogues = greedyDialogues(problems, seed);
        List<int[]> prompts = dialogues.prompts();
        List<Completion> first = dialogues.first();
        List<Completion> second = dialogues.second();
        progress.accept(1);
        boolean[] r1 = score(problems, first, verifier);
        boolean[] r2 = score(problems, second, verifier);
        FiveMetrics greedyMetrics = FiveMetrics.of(r1, r2);

        SplittableRandom wrongPicks = new SplittableRandom(Seeds.derive(seed, 3));
        List<int[]> givenRight = new ArrayList<>();
        List<int[]> givenWrong = new ArrayList<>();
        for (int i = 0; i < problems.size(); i++) {
            Problem p = problems.get(i);
            givenRight.add(dialogue.turnTwoPrompt(prompts.get(i), dialogue.attemptTokens(task.correctAttempt(p))));
            givenWrong.add(dialogue.turnTwoPrompt(prompts.get(i), dialogue.attemptTokens(task.plausibleWrongAttempt(p, wrongPicks))));
        }
        double accGivenRight = mean(score(problems, generate(givenRight, seed, 4, greedy), verifier));
        double accGivenWrong = mean(score(problems, generate(givenWrong, seed, 5, greedy), verifier));
        progress.accept(2);
        Counterfactuals counterfactuals = new Counterfactuals(accGivenRight, accGivenWrong,
                changeRate(first, second, r1, false, verifier), changeRate(first, second, r1, true, verifier),
                ownCheckAgreement(first, r1, false), ownCheckAgreement(first, r1, true));

        FiveMetrics sampledMetrics = null;
        if (sampledPerProblem > 0) {
            SamplingConfig sampled = SamplingConfig.sampled(1.0, budget, eos);
            List<Problem> repeated = new ArrayList<>();
            List<int[]> repeatedPrompts = new ArrayList<>();
            for (int i = 0; i < problems.size(); i++) {
                for (int s = 0; s < sampledPerProblem; s++) {
                    repeated.add(problems.get(i));
                    repeatedPrompts.add(prompts.get(i));
                }
            }
            List<Completion> sampledFirst = generate(repeatedPrompts, seed, 6, sampled);
            List<Completion> sampledSecond = generate(turnTwo(repeatedPrompts, sampledFirst), seed, 7, sampled);
            sampledMetrics = FiveMetrics.of(score(repeated, sampledFirst, verifier), score(repeated, sampledSecond, verifier));
        }
        progress.accept(3);
        return new Evaluation(greedyMetrics, sampledMetrics, counterfactuals);
    }

    /** The five metrics under greedy decoding only (cheap enough for periodic dev evaluation). */
    public FiveMetrics greedy(List<Problem> problems, long seed) {
        GreedyDialogues d = greedyDialogues(problems, seed);
        return FiveMetrics.of(score(problems, d.first(), task.verifier()), score(problems, d.second(), task.verifier()));
    }

    /** Greedy dialogues for the first {@code count} problems, as text: question, attempt 1, attempt 2, rewards. */
    public List<String> examples(List<Problem> problems, int count, long seed) {
        List<Problem> shown = problems.subList(0, Math.min(count, problems.size()));
        GreedyDialogues d = greedyDialogues(shown, seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            String a1 = dialogue.attemptText(d.first().get(i).tokens());
            String a2 = dialogue.attemptText(d.second().get(i).tokens());
            Problem p = shown.get(i);
            out.add(p.question() + "  |  " + a1 + " [r1=" + task.verifier().score(p, a1) + "]  |  " + a2
                    + " [r2=" + task.verifier().score(p, a2) + "]");
        }
        return out;
    }

    /** Turn-1 prompts and both greedy attempts, one row per problem. */
    private record GreedyDialogues(List<int[]> prompts, List<Completion> first, List<Completion> second) {}

    private GreedyDialogues greedyDialogues(List<Problem> problems, long seed) {
        SamplingConfig greedy = SamplingConfig.greedy(task.maxAttemptTokens(), dialogue.tokenizer().specials().eos());
        List<int[]> prompts = prompts(problems);
        List<Completion> first = generate(prompts, seed, 1, greedy);
        return new GreedyDialogues(prompts, first, generate(turnTwo(prompts, first), seed, 2, greedy));
    }

    private List<int[]> prompts(List<Problem> problems) {
        List<int[]> prompts = new ArrayList<>(problems.size());
        for (Problem p : problems) {
            prompts.add(dialogue.turnOnePrompt(p.question()));
        }
        return prompts;
    }

    private List<int[]> turnTwo(List<int[]> prompts, List<Completion> first) {
        List<int[]> out = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            out.add(dialogue.turnTwoPrompt(prompts.get(i), first.get(i).tokens()));
        }
        return out;
    }

    private List<Completion> generate(List<int[]> prompts, long seed, int phase, SamplingConfig sampling) {
        List<Completion> out = new ArrayList<>(prompts.size());
        for (int start = 0; start < prompts.size(); start += batchRows) {
            List<int[]> chunk = prompts.subList(start, Math.min(prompts.size(), start + batchRows));
            long[] seeds = new long[chunk.size()];
            for (int i = 0; i < seeds.length; i++) {
                seeds[i] = Seeds.derive(seed, phase, start + i);
            }
            out.addAll(generator.generate(chunk, seeds, sampling));
        }
        return out;
    }

    private boolean[] score(List<Problem> problems, List<Completion> attempts, Verifier verifier) {
        boolean[] out = new boolean[problems.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = verifier.score(problems.get(i), dialogue.attemptText(attempts.get(i).tokens())) == 1;
        }
        return out;
    }

    private double changeRate(List<Completion> first, List<Completion> second, boolean[] r1, boolean whenRight, Verifier verifier) {
        AnswerChanges changes = new AnswerChanges(verifier);
        for (int i = 0; i < r1.length; i++) {
            if (r1[i] == whenRight) {
                changes.add(dialogue.attemptText(first.get(i).tokens()), dialogue.attemptText(second.get(i).tokens()));
            }
        }
        return changes.rate();
    }

    /**
     * Among the attempts whose reward is {@code right}, the share whose own check agrees (passes a right one, flags
     * a wrong one); an unreadable check does not agree. NaN when the task's attempts carry no check.
     */
    private double ownCheckAgreement(List<Completion> attempts, boolean[] rewards, boolean right) {
        int cases = 0;
        int agreeing = 0;
        boolean anyCheck = false;
        for (int i = 0; i < rewards.length; i++) {
            Optional<Boolean> verdict = task.ownCheckPasses(dialogue.attemptText(attempts.get(i).tokens()));
            anyCheck |= verdict.isPresent();
            if (rewards[i] == right) {
                cases++;
                agreeing += verdict.isPresent() && verdict.get() == right ? 1 : 0;
            }
        }
        return !anyCheck || cases == 0 ? Double.NaN : (double) agreeing / cases;
    }

    private static double mean(boolean[] values) {
        int n = 0;
        for (boolean v : values) {
            n += v ? 1 : 0;
        }
        return (double) n / values.length;
    }
}
