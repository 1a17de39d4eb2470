package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class VerifyCommandTest {

    private static final String PROBLEM = "{\"id\": \"twice\", \"prompt\": \"def twice(x):\\n    \\\"\\\"\\\"Return 2x.\\\"\\\"\\\"\\n\", "
            + "\"tests\": [\"assert twice(2) == 4\", \"assert twice(0) == 0\"], \"entry_point\": \"twice\"}";

    @TempDir
    Path dir;

    private final StringWriter errors = new StringWriter();

    private int verify(String candidate, String... more) throws IOException {
        Files.writeString(dir.resolve("problem.jsonl"), PROBLEM + "\n");
        Files.writeString(dir.resolve("candidate.txt"), candidate);
        String[] args = new String[4 + more.length];
        args[0] = "--problem";
        args[1] = dir.resolve("problem.jsonl").toString();
        args[2] = "--candidate";
        args[3] = dir.resolve("candidate.txt").toString();
        System.arraycopy(more, 0, args, 4, more.length);
        CommandLine cli = new CommandLine(new VerifyCommand()).setExecutionExceptionHandler(new UserErrorHandler());
        cli.setErr(new PrintWriter(errors));
        return cli.execute(args);
    }

    @Test
    void exitStatus_isZeroWhenItPassesAndOneWhenItFails() throws IOException {
        assertEquals(0, verify("```python\ndef twice(x):\n    return 2 * x\n```"));
        assertEquals(1, verify("    return x + 2\n", "--json"));
    }

    @Test
    void badInput_isOneLineNamingTheProblemAndTheFix() throws IOException {
        assertEquals(2, verify("def twice(x):\n    return 2 * x\n", "--id", "thrice"));
        assertTrue(errors.toString().contains("has no problem with id \"thrice\""), errors.toString());
        assertEquals(2, verify("x", "--task", "linear"));
        assertTrue(errors.toString().contains("--task code"), errors.toString());
    }
}
