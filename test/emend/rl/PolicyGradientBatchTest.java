package emend.rl;

import emend.rollout.Trajectory;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

final class PolicyGradientBatchTest {

    private static Trajectory twoTurn(long version) {
        return new Trajectory("t", "g", 0, "p", version, 1.0, new int[] {1, 3, 10, 4}, new int[] {20, 21, 2}, new float[] {-1, -2, -3},
                new int[] {3, 11, 4}, new int[] {22, 2}, new float[] {-4, -5}, 0, 1);
    }

    @Test
    void masks_coverTheAttemptTokensOnly() {
        // tokens: 1 3 10 4 | 20 21 2 | 3 11 4 | 22 2   (target index t predicts token t+1)
        PolicyGradientBatch b = new PolicyGradientBatch(List.of(twoTurn(5)), new double[][] {{0.5, -2}},
                new double[][] {{0.1, 0.01}}, 5, 0);
        assertArrayEquals(new int[] {1, 3, 10, 4, 20, 21, 2, 3, 11, 4, 22, 2}, b.tokens);
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0}, b.turnOne);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1}, b.turnTwo);
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 0.5f, 0.5f, 0, 0, 0, -2, -2}, b.advantage);
        assertArrayEquals(new float[] {0, 0, 0, 0.1f, 0.1f, 0.1f, 0, 0, 0, 0.01f, 0.01f}, b.klWeight);
        assertArrayEquals(new float[] {0, 0, 0, -1, -2, -3, 0, 0, 0, -4, -5}, b.behaviourLogProb);
        assertArrayEquals(new float[11], b.stale);
    }

    @Test
    void shorterRows_arePadded_andOlderVersionsMarkedStale() {
        Trajectory single = new Trajectory("s", "g", 1, "p", 3, 1.0, new int[] {1, 3, 10, 4}, new int[] {20, 2}, new float[] {-1, -1},
                new int[0], new int[0], new float[0], 1, 0);
        PolicyGradientBatch b = new PolicyGradientBatch(List.of(twoTurn(5), single), new double[][] {{1, 1}, {1, 0}},
                new double[][] {{0, 0}, {0, 0}}, 5, 7);
        int[] secondRow = java.util.Arrays.copyOfRange(b.tokens, 12, 24);
        assertArrayEquals(new int[] {1, 3, 10, 4, 20, 2, 7, 7, 7, 7, 7, 7}, secondRow, "padded with the pad token");
        assertArrayEquals(new float[11], java.util.Arrays.copyOfRange(b.stale, 0, 11), "the first row is of the current version");
        float[] secondTurnOne = java.util.Arrays.copyOfRange(b.turnOne, 11, 22);
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0}, secondTurnOne);
        float[] stale = java.util.Arrays.copyOfRange(b.stale, 11, 22);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, stale);
    }
}
