package emend.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The objective's hyperparameters: the ranges they are refused outside of, and which β weighs which turn. */
final class ObjectiveSettingsTest {

    private static ObjectiveSettings with(double alpha, double beta1, double beta2, double clipEpsilon) {
        return new ObjectiveSettings(alpha, beta1, beta2, KlEstimator.K3, false, clipEpsilon, AdvantageNormalization.NONE, false);
    }

    @Test
    void zeroWeightsAreAllowed_negativeOnesAndAClipOutsideZeroToOneAreNot() {
        with(0, 0, 0, 0.2);
        with(0, 0, 0, 0.999);
        assertThrows(IllegalArgumentException.class, () -> with(-0.1, 0, 0, 0.2));
        assertThrows(IllegalArgumentException.class, () -> with(0, -0.1, 0, 0.2));
        assertThrows(IllegalArgumentException.class, () -> with(0, 0, -0.1, 0.2));
        assertThrows(IllegalArgumentException.class, () -> with(0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> with(0, 0, 0, 1));
    }

    @Test
    void betaTwoHoldsOnlyStageOnesFirstTurn() {
        ObjectiveSettings s = with(3, 0.05, 0.1, 0.2);
        assertEquals(0.1, s.klWeight(Stage.STAGE_ONE, 1));
        assertEquals(0.05, s.klWeight(Stage.STAGE_ONE, 2));
        assertEquals(0.05, s.klWeight(Stage.STAGE_TWO, 1));
        assertEquals(0.05, s.klWeight(Stage.STAGE_TWO, 2));
        assertEquals(0.05, s.klWeight(Stage.SINGLE_TURN, 1));
    }
}
