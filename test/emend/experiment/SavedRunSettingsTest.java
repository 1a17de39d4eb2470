package emend.experiment;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SavedRunSettingsTest {

    private static final String SAVED = "{\"run-dir\": \"/old/place\", \"resume\": false, \"seed\": 1, "
            + "\"rl\": {\"alpha\": 10, \"schedule\": [\"stage1:60\", \"stage2:60\"]}, \"runtime\": {\"metrics-port\": 0, \"max-staleness\": 0}}";

    @TempDir
    Path dir;

    @Test
    void sameTrainingSettings_matchWhereverTheRunLivesAndHoweverItWasWatched() {
        String now = "{\"run-dir\": \"/new/place\", \"resume\": true, \"seed\": 1, "
                + "\"rl\": {\"alpha\": 10.0, \"schedule\": [\"stage1:60\", \"stage2:60\"]}, \"runtime\": {\"metrics-port\": 9100, \"max-staleness\": 0}}";
        assertEquals(Optional.empty(), SavedRunSettings.firstDifference("", JsonParser.parseString(SAVED), JsonParser.parseString(now)));
    }

    @Test
    void aDifferentValue_isNamedByItsDottedKey() {
        String now = SAVED.replace("\"stage2:60\"", "\"stage2:61\"");
        assertEquals(Optional.of("rl.schedule: saved [\"stage1:60\",\"stage2:60\"], now [\"stage1:60\",\"stage2:61\"]"),
                SavedRunSettings.firstDifference("", JsonParser.parseString(SAVED), JsonParser.parseString(now)));
        String staleness = SAVED.replace("\"max-staleness\": 0", "\"max-staleness\": 2");
        assertEquals(Optional.of("runtime.max-staleness: saved 0, now 2"),
                SavedRunSettings.firstDifference("", JsonParser.parseString(SAVED), JsonParser.parseString(staleness)));
    }

    @Test
    void aKeyOnOneSideOnly_isNamed() {
        String now = SAVED.replace("\"alpha\": 10, ", "\"alpha\": 10, \"beta2\": 0.1, ");
        assertEquals(Optional.of("rl.beta2: absent when saved"),
                SavedRunSettings.firstDifference("", JsonParser.parseString(SAVED), JsonParser.parseString(now)));
    }

    @Test
    void requireSame_acceptsANewDirectory_refusesOtherSettings_namesACorruptFile() throws Exception {
        assertDoesNotThrow(() -> SavedRunSettings.requireSame(dir, SAVED));
        Files.writeString(dir.resolve("settings.json"), SAVED);
        assertDoesNotThrow(() -> SavedRunSettings.requireSame(dir, SAVED));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> SavedRunSettings.requireSame(dir, SAVED.replace("\"seed\": 1", "\"seed\": 2")));
        assertTrue(other.getMessage().contains("seed: saved 1, now 2") && other.getMessage().contains("--run-dir"), other.getMessage());
        Files.writeString(dir.resolve("settings.json"), "{\"seed\": ");
        IllegalArgumentException corrupt = assertThrows(IllegalArgumentException.class, () -> SavedRunSettings.requireSame(dir, SAVED));
        assertTrue(corrupt.getMessage().contains("settings.json is corrupt"), corrupt.getMessage());
    }
}
