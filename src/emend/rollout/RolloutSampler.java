package emend.rollout;

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
 * attempts in the context [prompt, attempt 1, instruction]; rows come attempt 1 by attempt 1, siblings adjacent
 * ({@link RlooGroup}).
 *
 * <p>With {@link GroupShape#offlineFirstAttempts()} > 0 the last attempts 1 of each group come from the frozen base
 * model's generator, with the seeds the policy would have used for them, and their rows are marked
 * {@link Trajectory#offlineFirstAttempt()}.
 *
 * <p>Every row's randomness comes from {@code Seeds.derive(runSeed, step, problem index, sample, turn)} (and the
 * sibling index for second attempts after the first), so a rollout is reproducible and does not depend on batch
 * composition or on which worker ran it.
 */
public final class RolloutSampler implements RolloutGenerator {

    private final Generator generator;
    private final Generator baseGenerator;
    private final Dialogue dialogue;

    /** A sampler whose groups take every attempt 1 from the policy. */
    public RolloutSampler(Generator generator, Dialogue dialogue) {
        this(generator, null, dialogue);
    }

    /** @param baseGenerator the frozen base model's, for offline attempts 1 (null: groups may not ask for them) */
    public RolloutSampler(Generator generator, Generator baseGenerator, Dialogue dialogue) {
        this.generator = generator;
        this.baseGenerator = baseGenerator;
        this.dialogue = dialogue;
    }

    /** Generates and scores with a local verifier (the synchronous driver). */
    public List<RlooGroup> sample(List<PromptDraw> prompts, GroupShape shape, SamplingConfig sampling,
                                  long runSeed, long policyVersion, Verifier verifier) {
        List<RlooGroup> unscored = generateUnscored(prompts, shape, sampling, runSeed, policyVersion);
        List<RlooGroup> out = new ArrayList<>(unscored.size());
        for (int p = 0; p < prompts.size(); p++) {
            out.add(GroupScoring.score(unscored.get(p), prompts.get(p).problem(), dialogue, verifier));
        }
        return out;
    }

    @Override
    public List<RlooGroup> generateUnscored(List<PromptDraw> prompts, GroupShape shape, SamplingConfig sampling,
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
        List<Completion> first = firstAttempts(promptsOne, seedsOne, shape, sampling);
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
        int siblings = shape.rowsPerFirstAttempt();
        List<RlooGroup> out = new ArrayList<>(prompts.size());
        for (int p = 0; p < prompts.size(); p++) {
            PromptDraw draw = prompts.get(p);
            List<Trajectory> rows = new ArrayList<>(k * siblings);
            for (int a = 0; a < k; a++) {
                int i = p * k + a;
                Completion one = first.get(i);
                for (int j = 0; j < siblings; j++) {
                    Completion two = second == null ? new Completion(new int[0], new float[0], false) : second.get(i * m + j);
                    rows.add(new Trajectory(shape.rowId(draw.groupId(), a, j), draw.groupId(), a, draw.problem().id(), policyVersion,
                            sampling.temperature(), promptsOne.get(i), one.tokens(), one.logProbs(), suffix, two.tokens(), two.logProbs(), 0, 0,
                            isOffline(a, shape)));
                }
            }
            out.add(new RlooGroup(draw.groupId(), siblings, rows));
        }
        return out;
    }

    private static boolean isOffline(int firstAttempt, GroupShape shape) {
        return firstAttempt >= shape.onlineFirstAttempts();
    }

    /** Attempts 1 in row order: the policy's, and the base model's for each group's offline slots. */
    private List<Completion> firstAttempts(List<int[]> prompts, long[] seeds, GroupShape shape, SamplingConfig sampling) {
        if (shape.offlineFirstAttempts() == 0) {
            return generator.generate(prompts, seeds, sampling);
        }
        if (baseGenerator == null) {
            throw new IllegalStateException("this sampler has no base-model generator for the " + shape.offlineFirstAttempts()
                    + " offline attempts 1 per group its shape asks for");
        }
        int k = shape.firstAttempts();
        List<int[]> onlinePrompts = new ArrayList<>();
        List<int[]> offlinePrompts = new ArrayList<>();
        List<Long> onlineSeeds = new ArrayList<>();
        List<Long> offlineSeeds = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            boolean offline = isOffline(i % k, shape);
            (offline ? offlinePrompts : onlinePrompts).add(prompts.get(i));
            (offline ? offlineSeeds : onlineSeeds).add(seeds[i]);
        }
        List<Completion> online = generator.generate(onlinePrompts, onlineSeeds.stream().mapToLong(Long::longValue).toArray(), sampling);
        List<Completion> offline = baseGenerator.generate(offlinePrompts, offlineSeeds.stream().mapToLong(Long::longValue).toArray(), sampling);
        List<Completion> out = new ArrayList<>(prompts.size());
        int nextOnline = 0;
        int nextOffline = 0;
        for (int i = 0; i < prompts.size(); i++) {
            out.add(isOffline(i % k, shape) ? offline.get(nextOffline++) : online.get(nextOnline++));
        }
        return out;
    }
}
