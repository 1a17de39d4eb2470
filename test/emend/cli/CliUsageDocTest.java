package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/cli-usage.md is what the commands' declarations say; when it is not, the current text is written to target/. */
final class CliUsageDocTest {

    private static final Path DOC = Path.of("docs", "cli-usage.md");

    @Test
    void theCommandReference_matchesTheDeclarations() throws IOException {
        String current = CliReference.markdown();
        assertTrue(current.contains("## emend ctl status") && current.contains("--max-staleness"), "every subcommand, every option");
        String documented = Files.isRegularFile(DOC) ? Files.readString(DOC) : "";
        if (!current.equals(documented)) {
            Path written = Path.of("target", "cli-usage.md");
            Files.writeString(written, current);
            assertEquals(documented, current, DOC + " is out of date: copy " + written + " over it");
        }
    }
}
