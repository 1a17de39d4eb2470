package emend.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class ControlTokenTest {

    @TempDir
    Path dir;

    @Test
    void resolve_blankGeneratesAnOwnerOnlyFileOf64HexChars() throws IOException {
        Path run = dir.resolve("run");
        ControlToken token = ControlToken.resolve("  ", run);
        Path file = run.resolve("control.token");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String written = Files.readString(file).strip();
        assertTrue(written.matches("[0-9a-f]{64}"), written);
        assertEquals(written, token.value());
        assertEquals(token.value(), ControlToken.read(file).value());
        try (var left = Files.list(run)) {
            assertEquals(1, left.count(), "no temporary file may stay behind");
        }
        // a restart gets a fresh token and replaces the file
        assertNotEquals(written, ControlToken.resolve("", run).value());
        assertNotEquals(written, Files.readString(file).strip());
    }

    @Test
    void resolve_configuredIsUsedAndNothingIsWritten() {
        assertEquals("mine", ControlToken.resolve("mine", dir).value());
        assertFalse(Files.exists(dir.resolve("control.token")));
    }

    @Test
    void read_missingOrEmptyFileNamesTheFile() throws IOException {
        Path missing = dir.resolve("nowhere/control.token");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControlToken.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("does not exist"), e.getMessage());
        Path empty = Files.writeString(dir.resolve("control.token"), "\n");
        e = assertThrows(IllegalArgumentException.class, () -> ControlToken.read(empty));
        assertTrue(e.getMessage().contains(empty.toString()) && e.getMessage().contains("is empty"), e.getMessage());
    }

    @Test
    void matches_onlyTheExactTokenAndNeverPrintsIt() {
        ControlToken token = ControlToken.of("abc123");
        assertTrue(token.matches("abc123"));
        assertFalse(token.matches("abc124"));
        assertFalse(token.matches("abc1234"));
        assertFalse(token.matches(""));
        assertFalse(token.toString().contains("abc123"));
    }
}
