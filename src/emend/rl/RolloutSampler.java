package emend.rl;

import emend.generate.Completion;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Verifier;
import emend.util.Seeds;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the RLOO group of each prompt: k first attempts, then for each its own second attempt in the context
 * [prompt, attempt 1, instruction], and scores both with the verifier.
 *
 * <p>Every row's randomness comes from {@code Seeds.derive(runSeed, step, problem index, sample, turn)}, so a
 * rollout is reproducible and does not depend on batch composition.
 */
public final class RolloutSampler {

    private final Generator generator;
    private final Dialogue dialogue;
    private final Verifier verifier;

    public RolloutSampler(Generator generator, Dialogue dialogue, Verifier verifier) {
        this.generator = generator;
        this.dialogue = dialogue;
        this.verifier = verifier;
    }

    /**
     * @param problems the prompts of this step
     * @param problemIndices a stable index of each problem (for seeding)
     * @param samplesPerPrompt k, the RLOO group size
     * @param twoTurns false for the single-turn baseline (no attempt 2)
     * @return trajectories group after group, in the order of {@code problems}
     */
    public List<Trajectory> sample(List<Problem> problems, int[] problemIndices, int samplesPerPrompt, boolean twoTurns,
                                   SamplingConfig sampling, long runSeed, long step, long policyVersion) {
        List<int[]> promptsOne = new ArrayList<>();
        long[] seedsOne = new long[problems.size() * samplesPerPrompt];
        for (int p = 0; p < problems.size(); p++) {
            int[] prompt = dialogue.turnOnePrompt(problems.get(p).question());
            for (int s = 0; s < samplesPerPrompt; s++) {
                seedsOne[promptsOne.size()] = Seeds.derive(runSeed, step, problemIndices[p], s, 1);
                promptsOne.add(prompt);
            }
        }
        List<Completion> first = generator.generate(promptsOne, seedsOne, sampling);
        List<Completion> second = null;
        if (twoTurns) {
            List<int[]> promptsTwo = new ArrayList<>();
            long[] seedsTwo = new long[first.size()];
            for (int i = 0; i < first.size(); i++) {
                int p = i / samplesPerPrompt;
                seedsTwo[i] = Seeds.derive(runSeed, step, problemIndices[p], i % samplesPerPrompt, 2);
                promptsTwo.add(dialogue.turnTwoPrompt(promptsOne.get(i), first.get(i).tokens()));
            }
            second = generator.generate(promptsTwo, seedsTwo, sampling);
        }
        int[] suffix = dialogue.instructionSuffix();
        List<Trajectory> out = new ArrayList<>(first.size());
        for (int i = 0; i < first.size(); i++) {
            Problem problem = problems.get(i / samplesPerPrompt);
            Completion one = first.get(i);
            Completion two = second == null ? new Completion(new int[0], new float[0], false) : second.get(i);
            int r1 = verifier.score(problem, dialogue.attemptText(one.tokens()));
            int r2 = second == null ? 0 : verifier.score(problem, dialogue.attemptText(two.tokens()));
            String group = step + "/" + problemIndices[i / samplesPerPrompt];
            out.add(new Trajectory(group + "/" + (i % samplesPerPrompt), group, problem.id(), policyVersion,
                    promptsOne.get(i), one.tokens(), one.logProbs(), suffix, two.tokens(), two.logProbs(), r1, r2));
        }
        return out;
    }
}
