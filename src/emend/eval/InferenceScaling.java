package emend.eval;

import emend.generate.SamplingConfig;
import emend.rollout.GroupShape;
import emend.rollout.PromptDraw;
import emend.rollout.RlooGroup;
import emend.rollout.RolloutSampler;
import emend.rollout.Trajectory;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Inference-time scaling at equal sample budgets (the paper's Figure 1, right): with K samples per problem, either
 * K parallel attempts and a majority vote over their answers, or K/2 parallel attempts each followed by one
 * self-correction and a majority vote over the corrected answers. Both read the same draws: the first K attempts
 * 1, or the attempts 2 of the first K/2 dialogues, so the comparison is paired.
 */
public final class InferenceScaling {

    /** One sampled dialogue as the vote sees it: the extracted answers and whether each is right. */
    public record Sample(String answerOne, int rewardOne, String answerTwo, int rewardTwo) {}

    /** Majority-vote accuracy (fraction) at one budget, both ways. */
    public record Point(int budget, double parallel, double selfCorrected) {}

    private static final int PROBLEMS_PER_BATCH = 8;

    private InferenceScaling() {}

    /** Samples {@code max(budgets)} two-turn dialogues per problem at {@code temperature} and scores every budget. */
    public static List<Point> measure(RolloutSampler sampler, Dialogue dialogue, Task task, List<Problem> problems, List<Integer> budgets,
                                      double temperature, long seed, IntConsumer progress) {
        budgets.forEach(InferenceScaling::checkBudget);
        int most = budgets.stream().mapToInt(Integer::intValue).max().orElseThrow(() -> new IllegalArgumentException("no budgets"));
        SamplingConfig sampling = SamplingConfig.sampled(temperature, task.maxAttemptTokens(), dialogue.tokenizer().specials().eos());
        List<List<Sample>> samples = new ArrayList<>();
        for (int from = 0; from < problems.size(); from += PROBLEMS_PER_BATCH) {
            List<PromptDraw> draws = new ArrayList<>();
            for (int i = from; i < Math.min(problems.size(), from + PROBLEMS_PER_BATCH); i++) {
                draws.add(new PromptDraw(problems.get(i), i, 0));
            }
            for (RlooGroup group : sampler.sample(draws, new GroupShape(most, 1), sampling, seed, 0, task.verifier())) {
                List<Sample> own = new ArrayList<>(most);
                for (Trajectory t : group.rows()) {
                    own.add(new Sample(task.verifier().extractAnswer(dialogue.attemptText(t.attemptOne())), t.rewardOne(),
                            task.verifier().extractAnswer(dialogue.attemptText(t.attemptTwo())), t.rewardTwo()));
                }
                samples.add(own);
            }
            progress.accept(samples.size());
        }
        return budgets.stream().map(budget -> score(samples, budget)).toList();
    }

    /** Both accuracies at {@code budget} over every problem's samples (each list at least {@code budget} long). */
    public static Point score(List<List<Sample>> perProblem, int budget) {
        checkBudget(budget);
        double parallel = 0;
        double corrected = 0;
        for (List<Sample> samples : perProblem) {
            if (samples.size() < budget) {
                throw new IllegalArgumentException("a problem has " + samples.size() + " samples, fewer than the budget " + budget);
            }
            List<Sample> first = samples.subList(0, budget);
            parallel += voteIsRight(first.stream().map(Sample::answerOne).toList(), first.stream().mapToInt(Sample::rewardOne).toArray());
            List<Sample> half = samples.subList(0, budget / 2);
            corrected += voteIsRight(half.stream().map(Sample::answerTwo).toList(), half.stream().mapToInt(Sample::rewardTwo).toArray());
        }
        int n = Math.max(1, perProblem.size());
        return new Point(budget, parallel / n, corrected / n);
    }

    /** 1 if the majority answer is right (the reward of a sample that gave it), else 0. */
    private static int voteIsRight(List<String> answers, int[] rewards) {
        return rewards[answers.indexOf(MajorityVote.of(answers))];
    }

    private static void checkBudget(int budget) {
        if (budget < 2 || budget % 2 != 0) {
            throw new IllegalArgumentException("a sample budget must be even and at least 2 (K/2 attempts plus their corrections), got " + budget);
        }
    }
}
