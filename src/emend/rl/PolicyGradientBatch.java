package emend.rl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import emend.model.PrefixedRows;
import emend.model.Tensors;
import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import emend.util.IntArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trajectories laid out for the learner's loss, each shared attempt 1 scored once ({@link PrefixedRows}): the
 * attempts 2 that continue one attempt 1 (the turn-2 siblings) share its context, prompt + attempt 1 + instruction,
 * which is most of a dialogue's tokens, so the context goes through the model once and each attempt 2 attends to it.
 *
 * <p>Rows share a prefix when everything attempt 1's terms depend on is equal: its tokens and the instruction, the
 * temperature, attempt 1's behaviour log-probs, advantage and KL weight, staleness and whether it is offline. Such a
 * prefix stands for all of its rows: its attempt-1 targets carry the row count in {@link #turnOne}, so the loss and
 * the statistics equal the row-by-row sums. Rows without an attempt 2 are prefixes of their own, whole.
 *
 * <p>Per-target arrays follow the scorer's flat layout: each prefix's P - 1 targets, then each continuation's C - 1
 * (target i predicts token i + 1 of its prefix or continuation). Prompts, the instruction and padding are no target
 * of either turn's mask, so they get no gradient.
 */
final class PolicyGradientBatch {

    final PrefixedRows rows;
    /** Per target: how many of the batch's rows its attempt-1 token stands for (0 where it is no attempt-1 token). */
    final float[] turnOne;
    /** Per target: 1 where it is an attempt-2 token. */
    final float[] turnTwo;
    final float[] advantage;
    final float[] klWeight;
    final float[] behaviourLogProb;
    /** Per target: 1 where its row was sampled by an older policy version. */
    final float[] stale;
    /** Per batch row: the prefix it continues or is. */
    private final int[] prefixOfRow;
    /** Per batch row: its continuation, or -1 when it has no attempt 2. */
    private final int[] continuationOfRow;

    /**
     * @param advantages per row: {advantage of turn 1, advantage of turn 2}
     * @param klWeights per row: {KL weight of turn 1, KL weight of turn 2}
     */
    PolicyGradientBatch(List<Trajectory> batch, double[][] advantages, double[][] klWeights, long currentVersion, int padToken) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one trajectory");
        }
        prefixOfRow = new int[batch.size()];
        continuationOfRow = new int[batch.size()];
        Map<PrefixKey, Integer> prefixIndex = new LinkedHashMap<>();
        List<Integer> prefixRow = new ArrayList<>();        // the first row of each prefix
        List<int[]> prefixContent = new ArrayList<>();      // each prefix's tokens
        List<Integer> prefixCount = new ArrayList<>();
        List<Integer> continuationRow = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) {
            Trajectory t = batch.get(b);
            boolean stale = t.policyVersion() < currentVersion;
            PrefixKey key = new PrefixKey(prefixTokens(t), t.logProbsOne(), (float) t.temperature(), (float) advantages[b][0],
                    (float) klWeights[b][0], stale, t.offlineFirstAttempt());
            Integer u = prefixIndex.get(key);
            if (u == null) {
                u = prefixRow.size();
                prefixIndex.put(key, u);
                prefixRow.add(b);
                prefixContent.add(key.tokens());
                prefixCount.add(0);
            }
            prefixCount.set(u, prefixCount.get(u) + 1);
            prefixOfRow[b] = u;
            continuationOfRow[b] = t.hasTurnTwo() ? continuationRow.size() : -1;
            if (t.hasTurnTwo()) {
                continuationRow.add(b);
            }
        }
        int prefixes = prefixRow.size();
        int continuations = continuationRow.size();
        int prefixWidth = prefixContent.stream().mapToInt(tokens -> tokens.length).max().orElseThrow();
        int continuationWidth = continuationRow.stream().mapToInt(b -> 1 + batch.get(b).attemptTwo().length).max().orElse(0);
        int prefixTargets = prefixWidth - 1;
        int continuationTargets = Math.max(0, continuationWidth - 1);
        int targets = prefixes * prefixTargets + continuations * continuationTargets;
        turnOne = new float[targets];
        turnTwo = new float[targets];
        advantage = new float[targets];
        klWeight = new float[targets];
        behaviourLogProb = new float[targets];
        stale = new float[targets];

        int[] prefixTokens = new int[prefixes * prefixWidth];
        Arrays.fill(prefixTokens, padToken);
        int[] prefixLengths = new int[prefixes];
        float[] prefixTemperatures = new float[prefixes];
        for (int u = 0; u < prefixes; u++) {
            int b = prefixRow.get(u);
            Trajectory t = batch.get(b);
            int[] tokens = prefixContent.get(u);
            System.arraycopy(tokens, 0, prefixTokens, u * prefixWidth, tokens.length);
            prefixLengths[u] = tokens.length;
            prefixTemperatures[u] = (float) t.temperature();
            int at = u * prefixTargets;
            markStale(t, currentVersion, at, prefixTargets);
            if (!t.offlineFirstAttempt()) {  // the base model wrote it: context for attempt 2, nothing to learn from
                mark(at + t.promptOne().length - 1, t.logProbsOne(), turnOne, prefixCount.get(u), advantages[b][0], klWeights[b][0]);
            }
        }
        int[] continuationTokens = new int[continuations * continuationWidth];
        Arrays.fill(continuationTokens, padToken);
        int[] prefixOf = new int[continuations];
        float[] continuationTemperatures = new float[continuations];
        int firstContinuationTarget = prefixes * prefixTargets;
        for (int r = 0; r < continuations; r++) {
            int b = continuationRow.get(r);
            Trajectory t = batch.get(b);
            int[] before = prefixContent.get(prefixOfRow[b]);
            continuationTokens[r * continuationWidth] = before[before.length - 1];
            System.arraycopy(t.attemptTwo(), 0, continuationTokens, r * continuationWidth + 1, t.attemptTwo().length);
            prefixOf[r] = prefixOfRow[b];
            continuationTemperatures[r] = (float) t.temperature();
            int at = firstContinuationTarget + r * continuationTargets;
            markStale(t, currentVersion, at, continuationTargets);
            mark(at, t.logProbsTwo(), turnTwo, 1, advantages[b][1], klWeights[b][1]);
        }
        rows = new PrefixedRows(prefixTokens, prefixWidth, prefixLengths, prefixTemperatures, continuationTokens,
                continuationWidth, prefixOf, continuationTemperatures);
    }

    /**
     * Where to cut the rows of {@code groups} (numbered group after group) into micro-batches of at most
     * {@code maxRows} rows: each ends where another attempt 1's rows begin, so siblings share their prefix in one
     * pass; a run of siblings longer than {@code maxRows} is cut at {@code maxRows} (its attempt 1 then runs once
     * per part).
     *
     * @return the end (exclusive) of each micro-batch, in order
     */
    static int[] microBatchEnds(List<RlooGroup> groups, int maxRows) {
        List<Integer> runEnds = new ArrayList<>();
        int row = 0;
        for (RlooGroup group : groups) {
            for (int a = 0; a < group.firstAttempts(); a++) {
                row += group.siblingsEach();
                runEnds.add(row);
            }
        }
        List<Integer> ends = new ArrayList<>();
        int from = 0;
        int next = 0;   // the first run end after from
        while (from < row) {
            int limit = Math.min(row, from + maxRows);
            int end = limit;
            if (runEnds.get(next) <= limit) {
                while (next + 1 < runEnds.size() && runEnds.get(next + 1) <= limit) {
                    next++;
                }
                end = runEnds.get(next);   // the last whole run that fits
            }
            ends.add(end);
            from = end;
            while (next < runEnds.size() && runEnds.get(next) <= from) {
                next++;
            }
        }
        return ends.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The tokens before attempt 2: the prompt and attempt 1, and the instruction when there is an attempt 2. */
    private static int[] prefixTokens(Trajectory t) {
        return t.hasTurnTwo() ? IntArrays.concat(t.promptOne(), t.attemptOne(), t.instructionSuffix())
                : IntArrays.concat(t.promptOne(), t.attemptOne());
    }

    private void markStale(Trajectory t, long currentVersion, int at, int count) {
        if (t.policyVersion() < currentVersion) {
            Arrays.fill(stale, at, at + count, 1f);
        }
    }

    private void mark(int firstTarget, float[] logProbs, float[] turnMask, int rowsStoodFor, double adv, double kl) {
        for (int i = 0; i < logProbs.length; i++) {
            turnMask[firstTarget + i] = rowsStoodFor;
            advantage[firstTarget + i] = (float) adv;
            klWeight[firstTarget + i] = (float) kl;
            behaviourLogProb[firstTarget + i] = logProbs[i];
        }
    }

    /** Number of targets, the length of every per-target array. */
    int targets() {
        return turnOne.length;
    }

    /** A per-target array as an engine array, the layout of the scorer's log-probs. */
    NDArray targets(NDManager manager, float[] values) {
        return Tensors.copyOf(manager, values, new Shape(values.length));
    }

    /**
     * Per batch row, {the sum of {@code perTarget} over its attempt-1 tokens, the sum over its attempt-2 tokens}: a
     * shared attempt 1's sum goes to each of its rows.
     */
    double[][] sumsPerRow(double[] perTarget) {
        double[] prefixSums = new double[rows.prefixes()];
        double[] continuationSums = new double[rows.continuations()];
        int prefixTargets = rows.prefixWidth() - 1;
        for (int i = 0; i < targets(); i++) {
            if (turnOne[i] > 0) {
                prefixSums[i / prefixTargets] += perTarget[i];
            } else if (turnTwo[i] > 0) {
                continuationSums[(i - rows.prefixes() * prefixTargets) / (rows.continuationWidth() - 1)] += perTarget[i];
            }
        }
        double[][] out = new double[prefixOfRow.length][];
        for (int b = 0; b < out.length; b++) {
            out[b] = new double[] {prefixSums[prefixOfRow[b]], continuationOfRow[b] < 0 ? 0 : continuationSums[continuationOfRow[b]]};
        }
        return out;
    }

    /** What makes two rows' attempt-1 terms identical, so one prefix can stand for both. */
    private record PrefixKey(int[] tokens, float[] logProbs, float temperature, float advantage, float klWeight, boolean stale,
                             boolean offline) {

        @Override
        public boolean equals(Object other) {
            return other instanceof PrefixKey k && Arrays.equals(tokens, k.tokens) && Arrays.equals(logProbs, k.logProbs)
                    && Float.compare(temperature, k.temperature) == 0 && Float.compare(advantage, k.advantage) == 0
                    && Float.compare(klWeight, k.klWeight) == 0 && stale == k.stale && offline == k.offline;
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(logProbs);
        }
    }
}
