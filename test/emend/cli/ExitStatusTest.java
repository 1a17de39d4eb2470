package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.checkpoint.ResumeCheckpoint;
import emend.optim.TrainingDivergedException;
import emend.run.RunRefusedException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** Exit statuses a supervisor can act on, and --resume-or-start's choice between continuing and starting. */
final class ExitStatusTest {

    @TempDir
    Path dir;

    @Command(name = "failing")
    static final class Failing implements Runnable {
        RuntimeException failure;

        @Override
        public void run() {
            throw failure;
        }
    }

    private static int statusOf(RuntimeException failure, StringWriter err) {
        Failing command = new Failing();
        command.failure = failure;
        CommandLine cli = new CommandLine(command).setExecutionExceptionHandler(new UserErrorHandler());
        cli.setErr(new PrintWriter(err, true));
        return cli.execute();
    }

    @Test
    void usageIs2_refusedIs3_failureIs1_eachWithOneLine() {
        StringWriter err = new StringWriter();
        assertEquals(2, statusOf(new IllegalArgumentException("emend.rl.alpha must be >= 0"), err));
        assertEquals(3, statusOf(new RunRefusedException("runs/a holds a run that can be continued"), err));
        assertEquals(3, statusOf(new RunRefusedException.Finished("runs/a finished all 120 steps"), err));
        assertEquals(1, statusOf(new TrainingDivergedException("loss is NaN at step 7"), err));
        assertEquals(1, statusOf(new UncheckedIOException(new java.io.IOException("No space left on device")), err));
        assertTrue(err.toString().contains("emend: runs/a holds a run that can be continued"), err.toString());
        assertEquals(2, new CommandLine(new Failing()).setErr(new PrintWriter(new StringWriter())).execute("--no-such-flag"), "picocli's usage error");
    }

    @Test
    void resumeOrStart_startsInAFreshDirectory_andContinuesOneWithAResumeState() throws Exception {
        RunOptions options = new RunOptions();
        options.resumeOrStart = true;
        options.runDir = dir.toString();
        assertNull(options.continued(), "nothing to continue: start");
        Files.createDirectories(dir.resolve(ResumeCheckpoint.DIRECTORY));
        Files.writeString(dir.resolve(ResumeCheckpoint.DIRECTORY).resolve(ResumeCheckpoint.STATE_FILE), "");
        assertEquals(dir, options.continued());
        options.runDir = null;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, options::continued);
        assertTrue(e.getMessage().contains("--resume-or-start needs --run-dir DIR"), e.getMessage());
    }
}
