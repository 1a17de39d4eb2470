package emend.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.config.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ControlSettingsTest {

    @Test
    void defaults_bindLoopbackOnPort8470AndGenerateTheToken() {
        assertEquals(new ControlSettings("127.0.0.1", 8470, "", Duration.ofSeconds(10)),
                ControlSettings.fromConfig(Settings.load(null, Map.of()), Map.of()));
    }

    @Test
    void theTokenComesFromTheEnvironment_whenTheConfigurationSetsNone() {
        Map<String, String> environment = Map.of(ControlSettings.TOKEN_VARIABLE, "from-env\n");
        assertEquals("from-env", ControlSettings.fromConfig(Settings.load(null, Map.of()), environment).token());
        assertEquals("hunter2", ControlSettings.fromConfig(Settings.load(null, Map.of("emend.control.token", "\"hunter2\"")), environment).token(),
                "a token set in the configuration wins");
    }

    @Test
    void badValues_nameTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ControlSettings.fromConfig(Settings.load(null, Map.of("emend.control.port", "70000"))));
        assertTrue(e.getMessage().contains("emend.control.port"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ControlSettings.fromConfig(Settings.load(null, Map.of("emend.control.timeout", "0s"))));
        assertTrue(e.getMessage().contains("emend.control.timeout"), e.getMessage());
    }

    @Test
    void aConfiguredToken_isNeverPrintedWithTheSettings() {
        var config = Settings.load(null, Map.of("emend.control.token", "\"hunter2\""));
        assertEquals("hunter2", ControlSettings.fromConfig(config).token());
        assertFalse(ControlSettings.fromConfig(config).toString().contains("hunter2"));
        String saved = Settings.emendJson(config);
        assertFalse(saved.contains("hunter2"), saved);
        assertTrue(saved.contains("\"token\""), saved);
    }
}
