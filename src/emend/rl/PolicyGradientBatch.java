package emend.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.Tensors;
import emend.rollout.Trajectory;
import java.util.Arrays;
import java.util.List;

/**
 * Trajectories laid out as right-padded (B, T) tokens and (B, T-1) per-target arrays: which targets belong to
 * attempt 1 and attempt 2 (the loss masks: prompts, the instruction and padding get no gradient), the advantage
 * and KL weight of each target, the behaviour log-prob, and whether the row came from an older policy version.
 */
final class PolicyGradientBatch {

    final int rows;
    final int length;
    final int[] tokens;
    final float[] turnOne;
    final float[] turnTwo;
    final float[] advantage;
    final float[] klWeight;
    final float[] behaviourLogProb;
    final float[] stale;
    /** Per row: the temperature it was sampled at, which the learner scores it at. */
    final float[] temperature;

    /**
     * @param advantages per row: {advantage of turn 1, advantage of turn 2}
     * @param klWeights per row: {KL weight of turn 1, KL weight of turn 2}
     */
    PolicyGradientBatch(List<Trajectory> batch, double[][] advantages, double[][] klWeights, long currentVersion, int padToken) {
        rows = batch.size();
        length = batch.stream().mapToInt(Trajectory::length).max().orElseThrow();
        int targets = length - 1;
        tokens = new int[rows * length];
        Arrays.fill(tokens, padToken);
        turnOne = new float[rows * targets];
        turnTwo = new float[rows * targets];
        advantage = new float[rows * targets];
        klWeight = new float[rows * targets];
        behaviourLogProb = new float[rows * targets];
        stale = new float[rows * targets];
        temperature = new float[rows];
        for (int b = 0; b < rows; b++) {
            Trajectory t = batch.get(b);
            temperature[b] = (float) t.temperature();
            int at = b * length;
            at = put(t.promptOne(), at);
            int firstTarget = at - b * length - 1; // target index predicting the first attempt-1 token
            if (!t.offlineFirstAttempt()) {  // the base model wrote it: context for attempt 2, nothing to learn from
                mark(b, firstTarget, t.attemptOne(), t.logProbsOne(), turnOne, advantages[b][0], klWeights[b][0]);
            }
            at = put(t.attemptOne(), at);
            if (t.hasTurnTwo()) {
                at = put(t.instructionSuffix(), at);
                int secondTarget = at - b * length - 1;
                mark(b, secondTarget, t.attemptTwo(), t.logProbsTwo(), turnTwo, advantages[b][1], klWeights[b][1]);
                put(t.attemptTwo(), at);
            }
            if (t.policyVersion() < currentVersion) {
                Arrays.fill(stale, b * targets, (b + 1) * targets, 1f);
            }
        }
    }

    private int put(int[] part, int at) {
        System.arraycopy(part, 0, tokens, at, part.length);
        return at + part.length;
    }

    private void mark(int row, int firstTarget, int[] attempt, float[] logProbs, float[] turnMask, double adv, double kl) {
        int base = row * (length - 1) + firstTarget;
        for (int i = 0; i < attempt.length; i++) {
            turnMask[base + i] = 1f;
            advantage[base + i] = (float) adv;
            klWeight[base + i] = (float) kl;
            behaviourLogProb[base + i] = logProbs[i];
        }
    }

    NDArray tokens(NDManager manager) {
        return Tensors.copyOf(manager, tokens, new Shape(rows, length));
    }

    NDArray targets(NDManager manager, float[] values) {
        return Tensors.copyOf(manager, values, new Shape(rows, length - 1));
    }
}
