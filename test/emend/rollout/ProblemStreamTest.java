package emend.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

final class ProblemStreamTest {

    @Test
    void everyEpoch_isAPermutation_andEpochsDiffer() {
        ProblemStream stream = new ProblemStream(10, 4);
        int[] first = stream.next(10);
        int[] second = stream.next(10);
        assertArrayEquals(range(10), sorted(first));
        assertArrayEquals(range(10), sorted(second));
        assertFalse(Arrays.equals(first, second));
    }

    @Test
    void theSameSeed_handsOutTheSameProblems_acrossBatchBoundaries() {
        ProblemStream a = new ProblemStream(7, 9);
        ProblemStream b = new ProblemStream(7, 9);
        int[] joined = new int[15];
        System.arraycopy(b.next(4), 0, joined, 0, 4);
        System.arraycopy(b.next(11), 0, joined, 4, 11);
        assertArrayEquals(a.next(15), joined);
        assertEquals(15, joined.length);
    }

    private static int[] sorted(int[] values) {
        int[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
