package emend.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.rl.ObjectiveSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class LiveParametersTest {

    private static LiveParameters paper() {
        return new LiveParameters(ObjectiveSettings.paper(), 5e-5, 1.0, 0);
    }

    @Test
    void set_changesOnlyItsOwnValue_andSaysWhatChanged() {
        LiveParameters live = paper();
        assertEquals("alpha 10 -> 5", live.set("alpha", "5"));
        assertEquals(5, live.objective().alphaShapingBonus());
        assertEquals(0.01, live.objective().beta1());
        assertEquals(0.1, live.objective().beta2FirstTurnKl());
        live.set("max-staleness", "2");
        live.set("learning-rate", "1e-4");
        assertEquals(2, live.maxStaleness());
        assertEquals(1e-4, live.learningRate());
    }

    @Test
    void badKeysAndValues_areRefusedWithTheFix_andChangeNothing() {
        LiveParameters live = paper();
        IllegalArgumentException key = assertThrows(IllegalArgumentException.class, () -> live.set("seed", "3"));
        assertTrue(key.getMessage().contains("alpha, beta1, beta2, learning-rate, temperature, max-staleness"), key.getMessage());
        assertThrows(IllegalArgumentException.class, () -> live.set("temperature", "0"));
        assertThrows(IllegalArgumentException.class, () -> live.set("beta1", "-1"));
        assertThrows(IllegalArgumentException.class, () -> live.set("max-staleness", "1.5"));
        assertThrows(IllegalArgumentException.class, () -> live.set("alpha", "ten"));
        assertEquals(paper().values(), live.values());
    }

    @Test
    void restore_bringsBackSavedValues() {
        LiveParameters live = paper();
        live.restore(Map.of("beta2", "0.5", "temperature", "0.7"));
        assertEquals(0.5, live.objective().beta2FirstTurnKl());
        assertEquals(0.7, live.temperature());
    }
}
