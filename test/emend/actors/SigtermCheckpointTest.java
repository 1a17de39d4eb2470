package emend.actors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.actors.control.ControlEndpoint;
import emend.checkpoint.ResumeCheckpoint;
import emend.control.ControlClient;
import emend.proto.RunStatus;
import emend.testing.TestControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real `emend train` JVM gets SIGTERM (what a scheduler's eviction or `systemctl stop` sends) mid-run, with no
 * periodic checkpoint due for 1,000 steps: it writes the resume state after the step in progress, so `--resume`
 * continues from there instead of from scratch.
 */
final class SigtermCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void sigtermMidRun_writesTheResumeStateAtTheCurrentStep() throws Exception {
        Path run = dir.resolve("run");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-cp", System.getProperty("java.class.path"), "emend.cli.Main", "train", "--run-dir", run.toString()));
        for (String setting : List.of("emend.warmup.steps=2", "emend.warmup.batch-size=4", "emend.warmup.cache-dir=\"" + dir.resolve("cache") + "\"",
                "emend.task.linear.test-size=4", "emend.task.linear.dev-size=4", "emend.rl.schedule=[\"stage1:1000\"]",
                "emend.rl.prompts-per-step=4", "emend.rl.samples-per-prompt=2", "emend.rl.dev-eval-every=1000", "emend.rl.checkpoint-every=1000",
                "emend.eval.sampled-per-problem=0", "emend.control.port=0", "emend.control.token=\"" + TestControl.TOKEN + "\"")) {
            command.addAll(List.of("--set", setting));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("train.log").toFile());
        builder.environment().put("DJL_OFFLINE", "true");
        Process train = builder.start();
        try {
            ControlClient client = TestControl.client(run.resolve(ControlEndpoint.CONTACT_FILE), TestControl.TOKEN, Duration.ofMinutes(3));
            RunStatus running = TestControl.await(client, s -> s.getStepsDone() >= 3, "three steps", Duration.ofMinutes(3));
            train.destroy(); // SIGTERM
            assertTrue(train.waitFor(150, TimeUnit.SECONDS), "the JVM exited after SIGTERM");
            String log = Files.readString(dir.resolve("train.log"));
            assertTrue(ResumeCheckpoint.find(run).isPresent(), "a resume state was written:\n" + log);
            int saved = ResumeCheckpoint.readState(run.resolve(ResumeCheckpoint.DIRECTORY)).getStepsDone();
            assertTrue(saved >= running.getStepsDone(), "saved at step " + saved + ", seen running at step " + running.getStepsDone());
            assertTrue(log.contains("SIGTERM: writing the resume state"), log);
        } finally {
            train.destroyForcibly();
            train.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
