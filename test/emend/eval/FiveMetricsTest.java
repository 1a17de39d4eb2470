package emend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class FiveMetricsTest {

    @Test
    void knownOutcomeTable_givesKnownMetrics() {
        // (right, right), (right, wrong), (wrong, right), (wrong, right), (wrong, wrong)
        FiveMetrics m = FiveMetrics.of(new boolean[] {true, true, false, false, false}, new boolean[] {true, false, true, true, false});
        assertEquals(0.4, m.accT1(), 1e-12);
        assertEquals(0.6, m.accT2(), 1e-12);
        assertEquals(0.2, m.delta(), 1e-12);
        assertEquals(0.4, m.incorrectToCorrect(), 1e-12);
        assertEquals(0.2, m.correctToIncorrect(), 1e-12);
    }

    @Test
    void accT2_equalsAccT1PlusFixedMinusBroken_onRandomOutcomes() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(50);
            boolean[] first = new boolean[n];
            boolean[] second = new boolean[n];
            for (int i = 0; i < n; i++) {
                first[i] = random.nextBoolean();
                second[i] = random.nextBoolean();
            }
            FiveMetrics m = FiveMetrics.of(first, second);
            assertEquals(m.accT2(), m.accT1() + m.incorrectToCorrect() - m.correctToIncorrect(), 1e-12);
            assertEquals(m.delta(), m.accT2() - m.accT1(), 1e-12);
        }
    }
}
