package emend.rl;

import emend.rollout.Trajectory;
import emend.testing.Groups;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

final class PolicyGradientBatchTest {

    private static final int[] PROMPT = {1, 3, 10, 4};
    private static final int[] SUFFIX = {3, 11, 4};

    private static Trajectory twoTurn(String group, int attempt, long version, int[] one, int[] two) {
        return new Trajectory("t", group, attempt, "p", version, 1.0, PROMPT, one, logProbs(one.length, -1), SUFFIX, two,
                logProbs(two.length, -4), 0, 1);
    }

    private static Trajectory twoTurn(long version) {
        return twoTurn("g", 0, version, new int[] {20, 21, 2}, new int[] {22, 2});
    }

    /** -1, -2, ... from {@code first} down. */
    private static float[] logProbs(int count, int first) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = first - i;
        }
        return out;
    }

    @Test
    void masks_coverTheAttemptTokensOnly() {
        // prefix 1 3 10 4 | 20 21 2 | 3 11 4, continuation 4 | 22 2 (target index t predicts token t+1 of its part)
        PolicyGradientBatch b = new PolicyGradientBatch(List.of(twoTurn(5)), new double[][] {{0.5, -2}},
                new double[][] {{0.1, 0.01}}, 5, 0);
        assertArrayEquals(new int[] {1, 3, 10, 4, 20, 21, 2, 3, 11, 4}, b.rows.prefixTokens());
        assertArrayEquals(new int[] {4, 22, 2}, b.rows.continuationTokens(), "attempt 2 continues from the prefix's last token");
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0}, b.turnOne);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1}, b.turnTwo);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 0.5f, 0.5f, 0, 0, 0, -2, -2}, b.advantage);
        assertArrayEquals(new float[] {0, 0, 0, 0.1f, 0.1f, 0.1f, 0, 0, 0, 0.01f, 0.01f}, b.klWeight);
        assertArrayEquals(new float[] {0, 0, 0, -1, -2, -3, 0, 0, 0, -4, -5}, b.behaviourLogProb);
        assertArrayEquals(new float[11], b.stale);
        assertEquals(b.rows.targets(), b.targets());
    }

    @Test
    void siblings_shareOnePrefix_thatCountsTheirRows() {
        int[] one = {20, 21, 2};
        int[] other = {25, 2};
        List<Trajectory> batch = List.of(twoTurn("g", 0, 5, one, new int[] {22, 2}), twoTurn("g", 0, 5, one, new int[] {23, 24, 2}),
                twoTurn("g", 1, 5, other, new int[] {22, 2}));
        PolicyGradientBatch b = new PolicyGradientBatch(batch, new double[][] {{0.5, 1}, {0.5, -1}, {-0.5, 0}},
                new double[][] {{0.1, 0.1}, {0.1, 0.1}, {0.1, 0.1}}, 5, 0);
        assertEquals(2, b.rows.prefixes());
        assertArrayEquals(new int[] {0, 0, 1}, b.rows.prefixOf());
        assertArrayEquals(new int[] {10, 9}, b.rows.prefixLengths());
        float[] firstPrefix = Arrays.copyOfRange(b.turnOne, 0, 9);
        assertArrayEquals(new float[] {0, 0, 0, 2, 2, 2, 0, 0, 0}, firstPrefix, "attempt 1's targets stand for both siblings");
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0}, Arrays.copyOfRange(b.turnOne, 9, 18));
        // continuations: width 4 (the longest attempt 2 and the token before it), 3 targets each
        assertArrayEquals(new float[] {1, 1, 0, 1, 1, 1, 1, 1, 0}, Arrays.copyOfRange(b.turnTwo, 18, 27));
        assertArrayEquals(new float[] {1, 1, 0, -1, -1, -1, 0, 0, 0}, Arrays.copyOfRange(b.advantage, 18, 27));
        double[][] sums = b.sumsPerRow(ones(b.targets()));
        assertArrayEquals(new double[] {3, 2}, sums[0], "each sibling gets its attempt 1's sum, not twice it");
        assertArrayEquals(new double[] {3, 3}, sums[1]);
        assertArrayEquals(new double[] {2, 2}, sums[2]);
    }

    @Test
    void rowsThatDifferInAnyAttemptOneTerm_keepPrefixesOfTheirOwn() {
        int[] one = {20, 21, 2};
        List<Trajectory> batch = List.of(twoTurn("g", 0, 5, one, new int[] {22, 2}), twoTurn("g", 0, 5, one, new int[] {22, 2}),
                twoTurn("g", 0, 4, one, new int[] {22, 2}), twoTurn("g", 0, 5, one, new int[] {22, 2}));
        double[][] klWeights = {{0.1, 0}, {0.1, 0}, {0.1, 0}, {0.2, 0}};
        PolicyGradientBatch b = new PolicyGradientBatch(batch, new double[][] {{1, 0}, {-1, 0}, {1, 0}, {1, 0}}, klWeights, 5, 0);
        assertEquals(4, b.rows.prefixes(), "another advantage, an older version, another KL weight: four prefixes");
        Trajectory otherTemperature = new Trajectory("t", "g", 0, "p", 5, 0.7, PROMPT, one, logProbs(3, -1), SUFFIX, new int[] {2},
                new float[] {-1}, 0, 1);
        Trajectory otherLogProbs = new Trajectory("t", "g", 0, "p", 5, 1.0, PROMPT, one, logProbs(3, -2), SUFFIX, new int[] {2},
                new float[] {-1}, 0, 1);
        assertEquals(3, new PolicyGradientBatch(List.of(batch.get(0), otherTemperature, otherLogProbs), new double[][] {{1, 0}, {1, 0}, {1, 0}},
                new double[][] {{0.1, 0}, {0.1, 0}, {0.1, 0}}, 5, 0).rows.prefixes());
    }

    @Test
    void rowsWithoutAttemptTwo_arePrefixesOnly_padded_andOlderVersionsMarkedStale() {
        Trajectory single = new Trajectory("s", "g", 1, "p", 3, 1.0, PROMPT, new int[] {20, 2}, new float[] {-1, -1},
                new int[0], new int[0], new float[0], 1, 0);
        PolicyGradientBatch b = new PolicyGradientBatch(List.of(twoTurn(5), single), new double[][] {{1, 1}, {1, 0}},
                new double[][] {{0, 0}, {0, 0}}, 5, 7);
        assertArrayEquals(new int[] {1, 3, 10, 4, 20, 2, 7, 7, 7, 7}, Arrays.copyOfRange(b.rows.prefixTokens(), 10, 20), "padded with the pad token");
        assertEquals(1, b.rows.continuations(), "the single-turn row has no continuation");
        assertArrayEquals(new float[9], Arrays.copyOfRange(b.stale, 0, 9), "the first row is of the current version");
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0}, Arrays.copyOfRange(b.turnOne, 9, 18));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, Arrays.copyOfRange(b.stale, 9, 18));
        assertArrayEquals(new float[] {0, 0}, Arrays.copyOfRange(b.stale, 18, 20), "the current row's continuation is not stale");
        assertArrayEquals(new double[] {2, 0}, b.sumsPerRow(ones(b.targets()))[1]);
    }

    @Test
    void microBatches_endBetweenAttemptsOne_unlessOneAttemptsSiblingsOverflow() {
        List<Trajectory> batch = List.of(twoTurn("a", 0, 0, new int[] {2}, new int[] {2}), twoTurn("a", 0, 0, new int[] {2}, new int[] {2}),
                twoTurn("a", 0, 0, new int[] {2}, new int[] {2}), twoTurn("a", 1, 0, new int[] {2}, new int[] {2}),
                twoTurn("a", 1, 0, new int[] {2}, new int[] {2}), twoTurn("a", 1, 0, new int[] {2}, new int[] {2}),
                twoTurn("b", 0, 0, new int[] {2}, new int[] {2}), twoTurn("b", 0, 0, new int[] {2}, new int[] {2}),
                twoTurn("b", 0, 0, new int[] {2}, new int[] {2}));
        assertArrayEquals(new int[] {9}, PolicyGradientBatch.microBatchEnds(Groups.of(batch), 32));
        assertArrayEquals(new int[] {6, 9}, PolicyGradientBatch.microBatchEnds(Groups.of(batch), 8), "not after row 8, which splits b's siblings");
        assertArrayEquals(new int[] {3, 6, 9}, PolicyGradientBatch.microBatchEnds(Groups.of(batch), 4));
        assertArrayEquals(new int[] {2, 3, 5, 6, 8, 9}, PolicyGradientBatch.microBatchEnds(Groups.of(batch), 2), "runs longer than the bound are cut");
    }

    private static double[] ones(int count) {
        double[] out = new double[count];
        Arrays.fill(out, 1);
        return out;
    }
}
