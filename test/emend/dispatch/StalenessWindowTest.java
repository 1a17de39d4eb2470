package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class StalenessWindowTest {

    @Test
    void openSlots_followsTheAdmissionFormula() {
        StalenessWindow window = new StalenessWindow(2, 8);
        // (eta + v + 1) * B - started = (2 + 3 + 1) * 8 - (5 + 30)
        assertEquals(13, window.openSlots(5, 30, 3));
        assertEquals(0, window.openSlots(10, 60, 3), "never negative");
    }

    @Test
    void admits_versionsWithinEta() {
        StalenessWindow window = new StalenessWindow(2, 8);
        assertTrue(window.admits(5, 7));
        assertFalse(window.admits(4, 7));
        assertTrue(new StalenessWindow(0, 1).admits(7, 7));
        assertFalse(new StalenessWindow(0, 1).admits(6, 7));
    }

    @Test
    void negativeEta_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StalenessWindow(-1, 8));
    }
}
