package emend.rl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class RlooTest {

    @Test
    void advantages_subtractTheMeanOfTheOthers() {
        // group [1, 0, 0, 1]: A0 = 1 - (0+0+1)/3, A1 = 0 - (1+0+1)/3
        double[] a = Rloo.advantages(new double[] {1, 0, 0, 1}, new int[] {4}, AdvantageNormalization.NONE);
        assertArrayEquals(new double[] {2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3}, a, 1e-12);
    }

    @Test
    void advantages_areComputedPerGroup_andASingletonHasNoBaseline() {
        double[] a = Rloo.advantages(new double[] {1, 1, 0, 11, 5}, new int[] {2, 2, 1}, AdvantageNormalization.NONE);
        assertArrayEquals(new double[] {0, 0, -11, 11, 0}, a, 1e-12);
    }

    @Test
    void groupNormalization_dividesByTheGroupStd() {
        // rewards [0, 11]: std 5.5, raw advantages -11, 11
        double[] a = Rloo.advantages(new double[] {0, 11}, new int[] {2}, AdvantageNormalization.GROUP);
        assertArrayEquals(new double[] {-2, 2}, a, 1e-5);
    }

    @Test
    void batchNormalization_dividesByTheBatchStd() {
        // rewards [1, 0, 0, 0]: batch std sqrt(3)/4; raw group-of-2 advantages 1, -1, 0, 0
        double[] a = Rloo.advantages(new double[] {1, 0, 0, 0}, new int[] {2, 2}, AdvantageNormalization.BATCH);
        double std = Math.sqrt(3) / 4;
        assertArrayEquals(new double[] {1 / std, -1 / std, 0, 0}, a, 1e-5);
    }

    @Test
    void advantages_sumToZeroInEveryGroup() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 100; trial++) {
            int k = 2 + random.nextInt(6);
            double[] rewards = random.doubles(k, -10, 12).toArray();
            double sum = 0;
            for (double a : Rloo.advantages(rewards, new int[] {k}, AdvantageNormalization.NONE)) {
                sum += a;
            }
            assertEquals(0, sum, 1e-9);
        }
    }

    @Test
    void groupSizes_mustCoverTheRewards() {
        assertThrows(IllegalArgumentException.class,
                () -> Rloo.advantages(new double[] {1, 0, 1}, new int[] {2}, AdvantageNormalization.NONE));
    }
}
