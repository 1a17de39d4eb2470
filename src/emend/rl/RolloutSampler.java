package emend.rl;

import emend.generate.Completion;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.task.Dialogue;
import emend.task.Verifier;
import emend.util.Seeds;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the RLOO group of each prompt ({@link GroupShape}): k first attempts, then for each of them m second
 * attempts in the context [prompt, attempt 1, instruction]; rows come attempt 1 by attempt 1, siblings adjacent.
 *
 * <p>Every row's randomness comes from {@code Seeds.derive(runSeed, step, problem index, sample, turn)} (and the
 * sibling index for second attempts after the first), so a rollout is reproducible and does not depend on batch
 * composition or on which worker ran it.
 */
public final class RolloutSampler implements RolloutGenerator {

    private final Generator generator;
    private final Dialogue dialogue;

    public RolloutSampler(Generator generator, Dialogue dialogue) {
        this.generator = generator;
        this.dialogue = dialogue;
    }

    /** Generates and scores with a local verifier (the synchronous driver). */
    public List<Trajectory> sample(List<PromptDraw> prompts, GroupShape shape, SamplingConfig sampling,
                                   long runSeed, long policyVersion, Verifier verifier) {
        List<Trajectory> unscored = generateUnscored(prompts, shape, sampling, runSeed, policyVersion);
        List<Trajectory> out = new ArrayList<>(unscored.size());
        for (int i = 0; i < unscored.size(); i++) {
            Trajectory t = unscored.get(i);
            var problem = prompts.get(i / shape.rows()).problem();
            int r1 = verifier.score(problem, dialogue.attemptText(t.attemptOne()));
            int r2 = t.hasTurnTwo() ? verifier.score(problem, dialogue.attemptText(t.attemptTwo())) : 0;
            out.add(t.withRewards(r1, r2));
        }
        return out;
    }

    @Override
    public List<Trajectory> generateUnscored(List<PromptDraw> prompts, GroupShape shape, SamplingConfig sampling,
                                             long runSeed, long policyVersion) {
        int k = shape.firstAttempts();
        List<int[]> promptsOne = new ArrayList<>(prompts.size() * k);
        long[] seedsOne = new long[prompts.size() * k];
        for (PromptDraw draw : prompts) {
            int[] prompt = dialogue.turnOnePrompt(draw.problem().question());
            for (int s = 0; s < k; s++) {
                seedsOne[promptsOne.size()] = Seeds.derive(runSeed, draw.step(), draw.problemIndex(), s, 1);
                promptsOne.add(prompt);
            }
        }
        List<Completion> first = generator.generate(promptsOne, seedsOne, sampling);
        int m = shape.secondAttemptsEach();
        List<Completion> second = null;
        if (shape.twoTurns()) {
            List<int[]> promptsTwo = new ArrayList<>(first.size() * m);
            long[] seedsTwo = new long[first.size() * m];
            for (int i = 0; i < first.size(); i++) {
                PromptDraw draw = prompts.get(i / k);
                int[] context = dialogue.turnTwoPrompt(promptsOne.get(i), first.get(i).tokens());
                for (int j = 0; j < m; j++) {
                    // sibling 0 keeps the seed of the one-sibling layout, so turn2-samples = 1 samples what it always did
                    seedsTwo[promptsTwo.size()] = j == 0 ? Seeds.derive(runSeed, draw.step(), draw.problemIndex(), i % k, 2)
                            : Seeds.derive(runSeed, draw.step(), draw.problemIndex(), i % k, 2, j);
                    promptsTwo.add(context);
                }
            }
            second = generator.generate(promptsTwo, seedsTwo, sampling);
        }
        int[] suffix = dialogue.instructionSuffix();
        int siblings = Math.max(1, m);
        List<Trajectory> out = new ArrayList<>(first.size() * siblings);
        for (int i = 0; i < first.size(); i++) {
            PromptDraw draw = prompts.get(i / k);
            Completion one = first.get(i);
            for (int j = 0; j < siblings; j++) {
                Completion two = second == null ? new Completion(new int[0], new float[0], false) : second.get(i * m + j);
                String id = draw.groupId() + "/" + (i % k) + (m > 1 ? "." + j : "");
                out.add(new Trajectory(id, draw.groupId(), i % k, draw.problem().id(), policyVersion, sampling.temperature(),
                        promptsOne.get(i), one.tokens(), one.logProbs(), suffix, two.tokens(), two.logProbs(), 0, 0));
            }
        }
        return out;
    }
}
