package emend.baselines;

import emend.rollout.Trajectory;
import emend.sft.TokenBatch;
import emend.util.IntArrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Supervised two-turn transcripts built from the model's own scored samples: the data of the SFT baselines
 * SCoRe is compared with (paper.md). Loss falls only on attempts that are right: a baseline never learns to
 * produce its own wrong answers, only to revise them.
 *
 * @param tokens the dialogue, {@code promptOne + attemptOne + instructionSuffix + attemptTwo}
 * @param targets which tokens carry loss (same length)
 */
public record SelfCorrectionTranscripts(List<int[]> tokens, List<boolean[]> targets) {

    public SelfCorrectionTranscripts {
        tokens = List.copyOf(tokens);
        targets = List.copyOf(targets);
    }

    public int size() {
        return tokens.size();
    }

    /**
     * STaR for self-correction: the two-turn traces that go wrong → right (loss on attempt 2); with
     * {@code includeRightRight} (STaR D+) also right → right (loss on both attempts).
     */
    public static SelfCorrectionTranscripts star(List<Trajectory> twoTurnTraces, boolean includeRightRight) {
        List<int[]> tokens = new ArrayList<>();
        List<boolean[]> targets = new ArrayList<>();
        for (Trajectory t : twoTurnTraces) {
            if (!t.hasTurnTwo()) {
                throw new IllegalArgumentException("trace " + t.id() + " has no attempt 2: STaR needs two-turn samples");
            }
            boolean corrects = t.rewardOne() == 0 && t.rewardTwo() == 1;
            boolean keeps = includeRightRight && t.rewardOne() == 1 && t.rewardTwo() == 1;
            if (corrects || keeps) {
                tokens.add(IntArrays.concat(t.promptOne(), t.attemptOne(), t.instructionSuffix(), t.attemptTwo()));
                targets.add(mask(t.promptOne().length, t.attemptOne().length, t.rewardOne() == 1, t.instructionSuffix().length,
                        t.attemptTwo().length));
            }
        }
        return new SelfCorrectionTranscripts(tokens, targets);
    }

    /**
     * Pair-SFT: for every problem with both a wrong and a right attempt among the model's own single-turn samples,
     * each wrong attempt is paired with a right one drawn at random; the transcript revises it (loss on attempt 2).
     *
     * @param instructionSuffix the tokens between the attempts ({@code Dialogue.instructionSuffix()})
     */
    public static SelfCorrectionTranscripts pairs(List<Trajectory> singleTurnSamples, int[] instructionSuffix, SplittableRandom random) {
        Map<String, List<Trajectory>> wrong = new LinkedHashMap<>();
        Map<String, List<Trajectory>> right = new LinkedHashMap<>();
        for (Trajectory t : singleTurnSamples) {
            (t.rewardOne() == 1 ? right : wrong).computeIfAbsent(t.problemId(), id -> new ArrayList<>()).add(t);
        }
        List<int[]> tokens = new ArrayList<>();
        List<boolean[]> targets = new ArrayList<>();
        wrong.forEach((problem, attempts) -> {
            List<Trajectory> answers = right.get(problem);
            if (answers == null) {
                return;
            }
            for (Trajectory w : attempts) {
                int[] revision = answers.get(random.nextInt(answers.size())).attemptOne();
                tokens.add(IntArrays.concat(w.promptOne(), w.attemptOne(), instructionSuffix, revision));
                targets.add(mask(w.promptOne().length, w.attemptOne().length, false, instructionSuffix.length, revision.length));
            }
        });
        return new SelfCorrectionTranscripts(tokens, targets);
    }

    /** Rows {@code from .. from+count} (wrapping around) as one padded batch. */
    public TokenBatch batch(int from, int count, int padToken) {
        if (tokens.isEmpty()) {
            throw new IllegalStateException("no transcripts to train on: the model produced none the baseline keeps");
        }
        List<int[]> rows = new ArrayList<>(count);
        List<boolean[]> masks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rows.add(tokens.get((from + i) % tokens.size()));
            masks.add(targets.get((from + i) % tokens.size()));
        }
        return TokenBatch.of(rows, masks, padToken);
    }

    private static boolean[] mask(int prompt, int attemptOne, boolean trainAttemptOne, int suffix, int attemptTwo) {
        boolean[] target = new boolean[prompt + attemptOne + suffix + attemptTwo];
        for (int i = 0; i < attemptOne; i++) {
            target[prompt + i] = trainAttemptOne;
        }
        for (int i = 0; i < attemptTwo; i++) {
            target[prompt + attemptOne + suffix + i] = true;
        }
        return target;
    }
}
