package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.actors.control.ControlEndpoint;
import emend.checkpoint.ResumeCheckpoint;
import emend.control.ControlClient;
import emend.proto.RunStatus;
import emend.testing.TestControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real `emend train` JVM gets SIGTERM (what a scheduler's eviction or `systemctl stop` sends) mid-run, with no
 * periodic checkpoint due for 1,000 steps: it writes the resume state after the step in progress, so `--resume`
 * continues from there instead of from scratch; and during the warm-up, where there is no state to keep. Either way
 * the JVM ends with SIGTERM's status, not a crash.
 */
final class SigtermCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void sigtermMidRun_writesTheResumeStateAtTheCurrentStep() throws Exception {
        Path run = dir.resolve("run");
        Process train = startTraining(run, "actors");
        try {
            ControlClient client = TestControl.client(run.resolve(ControlEndpoint.CONTACT_FILE), TestControl.TOKEN, Duration.ofMinutes(3));
            RunStatus running = TestControl.await(client, s -> s.getStepsDone() >= 3, "three steps", Duration.ofMinutes(3));
            train.destroy(); // SIGTERM
            assertResumeStateAtLeast(train, run, running.getStepsDone());
        } finally {
            train.destroyForcibly();
            train.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theSynchronousDriverToo() throws Exception {
        Path run = dir.resolve("run");
        Process train = startTraining(run, "sync");
        try {
            int seen = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (seen < 3) {
                assertTrue(System.nanoTime() < deadline, "three steps within 3 minutes:\n" + Files.readString(dir.resolve("train.log")));
                seen = stepsLogged(run.resolve("metrics.jsonl"));
                Thread.sleep(200); // polling a file the run appends to; the condition is the step count
            }
            train.destroy(); // SIGTERM
            assertResumeStateAtLeast(train, run, seen);
        } finally {
            train.destroyForcibly();
            train.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermDuringTheWarmUp_endsTheJvmWithoutACrash() throws Exception {
        Path run = dir.resolve("run");
        // a warm-up far longer than the test: SIGTERM arrives while the model thread is in the engine
        Process train = startTraining(run, "sync", "emend.warmup.steps=1000000", "emend.warmup.batch-size=32",
                "emend.runtime.native-threads=1");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!log().contains("warm-up")) {
                assertTrue(System.nanoTime() < deadline, "the warm-up began within 3 minutes:\n" + log());
                Thread.sleep(200); // polling a file the run appends to; the condition is its content
            }
            train.destroy(); // SIGTERM
            assertTrue(train.waitFor(150, TimeUnit.SECONDS), "the JVM exited after SIGTERM");
            assertEndedBySigtermWithoutACrash(train);
            assertTrue(log().contains("emend: exiting; the model's work in progress is dropped"), log());
        } finally {
            train.destroyForcibly();
            train.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * 143 (128 + SIGTERM), not 134 (SIGABRT after a SIGSEGV: the exit ran libtorch's static destructors under a
     * model thread still inside the engine) and no JVM crash report in the working directory.
     */
    private void assertEndedBySigtermWithoutACrash(Process train) throws IOException {
        try (var files = Files.list(dir)) {
            List<Path> crashReports = files.filter(file -> file.getFileName().toString().startsWith("hs_err")).toList();
            assertTrue(crashReports.isEmpty(), "a JVM crash report: " + crashReports + "\n" + log());
        }
        assertEquals(143, train.exitValue(), log());
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("train.log"));
    }

    /** The highest step metrics.jsonl has a training line for. */
    private static int stepsLogged(Path metrics) throws IOException {
        if (!Files.exists(metrics)) {
            return 0;
        }
        int steps = 0;
        for (String line : Files.readAllLines(metrics)) {
            Matcher step = Pattern.compile("\"step\": ?(\\d+)").matcher(line);
            if (line.contains("rewards/t1") && step.find()) {
                steps = Math.max(steps, Integer.parseInt(step.group(1)));
            }
        }
        return steps;
    }

    private void assertResumeStateAtLeast(Process train, Path run, int seenRunning) throws Exception {
        assertTrue(train.waitFor(150, TimeUnit.SECONDS), "the JVM exited after SIGTERM");
        assertEndedBySigtermWithoutACrash(train);
        String log = log();
        assertTrue(ResumeCheckpoint.find(run).isPresent(), "a resume state was written:\n" + log);
        int saved = ResumeCheckpoint.readState(run.resolve(ResumeCheckpoint.DIRECTORY)).getStepsDone();
        assertTrue(saved >= seenRunning, "saved at step " + saved + ", seen running at step " + seenRunning);
        assertTrue(log.contains("SIGTERM: writing the resume state"), log);
    }

    /** {@code emend train} in its own JVM, working directory the test's; {@code settings} override the ones below. */
    private Process startTraining(Path run, String driver, String... settings) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), "emend.cli.Main", "train", "--run-dir", run.toString(), "--driver", driver));
        for (String setting : List.of("emend.warmup.steps=2", "emend.warmup.batch-size=4", "emend.warmup.cache-dir=\"" + dir.resolve("cache") + "\"",
                "emend.task.linear.test-size=4", "emend.task.linear.dev-size=4", "emend.rl.schedule=[\"stage1:1000\"]",
                "emend.rl.prompts-per-step=4", "emend.rl.samples-per-prompt=2", "emend.rl.dev-eval-every=1000", "emend.rl.checkpoint-every=1000",
                "emend.eval.sampled-per-problem=0", "emend.control.port=0", "emend.control.token=\"" + TestControl.TOKEN + "\"")) {
            command.addAll(List.of("--set", setting));
        }
        for (String setting : settings) {
            command.addAll(List.of("--set", setting));
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("train.log").toFile());
        builder.environment().put("DJL_OFFLINE", "true");
        return builder.start();
    }
}
