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
 * Samples the RLOO group of each prompt: k first attempts, then for each its own second attempt in the context
 * [prompt, attempt 1, instruction].
 *
 * <p>Every row's randomness comes from {@code Seeds.derive(runSeed, step, problem index, sample, turn)}, so a
 * rollout is reproducible and does not depend on batch composition or on which worker ran it.
 */
public final class RolloutSampler implements RolloutGenerator {

    private final Generator generator;
    private final Dialogue dialogue;

    public RolloutSampler(Generator generator, Dialogue dialogue) {
        this.generator = generator;
        this.dialogue = dialogue;
    }

    /** Generates and scores with a local verifier (the synchronous driver). */
    public List<Trajectory> sample(List<PromptDraw> prompts, int samplesPerPrompt, boolean twoTurns, SamplingConfig sampling,
                                   long runSeed, long policyVersion, Verifier verifier) {
        List<Trajectory> unscored = generateUnscored(prompts, samplesPerPrompt, twoTurns, sampling, runSeed, policyVersion);
        List<Trajectory> out = new ArrayList<>(unscored.size());
        for (int i = 0; i < unscored.size(); i++) {
            Trajectory t = unscored.get(i);
            var problem = prompts.get(i / samplesPerPrompt).problem();
            int r1 = verifier.score(problem, dialogue.attemptText(t.attemptOne()));
            int r2 = t.hasTurnTwo() ? verifier.score(problem, dialogue.attemptText(t.attemptTwo())) : 0;
            out.add(t.withRewards(r1, r2));
        }
        return out;
    }

    @Override
    public List<Trajectory> generateUnscored(List<PromptDraw> prompts, int samplesPerPrompt, boolean twoTurns,
                                             SamplingConfig sampling, long runSeed, long policyVersion) {
        int rows = prompts.size() * samplesPerPrompt;
        List<int[]> promptsOne = new ArrayList<>(rows);
        long[] seedsOne = new long[rows];
        long[] seedsTwo = new long[rows];
        for (PromptDraw draw : prompts) {
            int[] prompt = dialogue.turnOnePrompt(draw.problem().question());
            for (int s = 0; s < samplesPerPrompt; s++) {
                seedsOne[promptsOne.size()] = Seeds.derive(runSeed, draw.step(), draw.problemIndex(), s, 1);
                seedsTwo[promptsOne.size()] = Seeds.derive(runSeed, draw.step(), draw.problemIndex(), s, 2);
                promptsOne.add(prompt);
            }
        }
        List<Completion> first = generator.generate(promptsOne, seedsOne, sampling);
        List<Completion> second = null;
        if (twoTurns) {
            List<int[]> promptsTwo = new ArrayList<>(rows);
            for (int i = 0; i < rows; i++) {
                promptsTwo.add(dialogue.turnTwoPrompt(promptsOne.get(i), first.get(i).tokens()));
            }
            second = generator.generate(promptsTwo, seedsTwo, sampling);
        }
        int[] suffix = dialogue.instructionSuffix();
        List<Trajectory> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            PromptDraw draw = prompts.get(i / samplesPerPrompt);
            Completion one = first.get(i);
            Completion two = second == null ? new Completion(new int[0], new float[0], false) : second.get(i);
            out.add(new Trajectory(draw.groupId() + "/" + (i % samplesPerPrompt), draw.groupId(), draw.problem().id(), policyVersion,
                    sampling.temperature(), promptsOne.get(i), one.tokens(), one.logProbs(), suffix, two.tokens(), two.logProbs(), 0, 0));
        }
        return out;
    }
}
