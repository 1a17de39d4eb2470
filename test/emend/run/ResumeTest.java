package emend.run;

import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.config.Settings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import emend.checkpoint.Checkpoint;
import emend.checkpoint.CheckpointException;
import emend.checkpoint.ResumeCheckpoint;
import emend.proto.Evaluation;
import emend.rl.LearnerStats;
import emend.rl.Stage;
import emend.rollout.RlooGroup;
import emend.testing.TestModels;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop a run after step 2, resume it, and it ends exactly where an uninterrupted run ends: the resume state
 * restores weights, optimizer moments, step, data position and live parameters. The tiny untrained model never
 * earns a reward, which would leave the weights where they started; so the rollouts of every run here are
 * scored by a rule on their sampled tokens instead (a test double of the verifier), which makes each step move
 * the weights by an amount that depends on exactly which prompts were sampled with which seeds.
 */
final class ResumeTest {

    @TempDir
    Path dir;

    @Test
    void stoppedAndResumedRun_endsBitIdenticalToAnUninterruptedOne() throws Exception {
        Map<String, String> settings = settings(dir.resolve("interrupted"));
        Map<String, Object> stopped = run(settings, new Scripted(2));
        assertEquals(Boolean.TRUE, stopped.get("stopped"));
        Path interrupted = dir.resolve("interrupted");
        assertEquals(2, ResumeCheckpoint.readState(interrupted.resolve(ResumeCheckpoint.DIRECTORY)).getStepsDone());
        assertEquals(8, ResumeCheckpoint.readState(interrupted.resolve(ResumeCheckpoint.DIRECTORY)).getPromptsConsumed());

        RunRefusedException overwrite = assertThrows(RunRefusedException.class, () -> run(settings, new Scripted(Integer.MAX_VALUE)));
        assertTrue(overwrite.getMessage().contains("--resume " + interrupted), overwrite.getMessage());

        Map<String, String> resumed = new LinkedHashMap<>(settings);
        resumed.put("emend.resume", "true");
        Map<String, String> otherSchedule = new LinkedHashMap<>(resumed);
        otherSchedule.put("emend.rl.schedule", "[\"stage1:2\", \"stage2:3\"]");
        RunRefusedException mismatch = assertThrows(RunRefusedException.class, () -> run(otherSchedule, new Scripted(Integer.MAX_VALUE)));
        assertTrue(mismatch.getMessage().contains("other settings"), mismatch.getMessage());

        Map<String, Object> finished = run(resumed, new Scripted(Integer.MAX_VALUE));
        RunRefusedException done = assertThrows(RunRefusedException.Finished.class, () -> run(resumed, new Scripted(Integer.MAX_VALUE)));
        assertTrue(done.getMessage().contains("finished all 4 steps"), done.getMessage());
        // stopped after its last step but before its results: a resume takes no step and makes the same evaluation
        Files.delete(interrupted.resolve("results.json"));
        Map<String, Object> evaluated = run(resumed, new Scripted(0));
        assertEquals(finished.get("selected_step"), evaluated.get("selected_step"));
        assertEquals(finished.get("trained"), evaluated.get("trained"));
        assertTrue(Files.isRegularFile(interrupted.resolve("results.json")));
        Path straight = dir.resolve("straight");
        run(settings(straight), new Scripted(Integer.MAX_VALUE));

        try (NDManager manager = TestModels.manager();
             ResumeCheckpoint.Loaded a = ResumeCheckpoint.read(interrupted.resolve(ResumeCheckpoint.DIRECTORY), manager);
             ResumeCheckpoint.Loaded b = ResumeCheckpoint.read(straight.resolve(ResumeCheckpoint.DIRECTORY), manager)) {
            assertEquals(4, a.state().getStepsDone());
            try (Checkpoint.Loaded base = Checkpoint.load(straight.resolve("base-model"), manager)) {
                String name = "model.embed_tokens.weight";
                assertFalse(Arrays.equals(base.weights().get(name).toFloatArray(), b.policy().get(name).toFloatArray()),
                        "the steps moved the weights, so equal end states mean equal steps");
            }
            assertEquals(b.state().getPolicyVersion(), a.state().getPolicyVersion());
            b.policy().tensors().forEach((name, tensor) ->
                    assertArrayEquals(tensor.toFloatArray(), a.policy().get(name).toFloatArray(), name));
            b.optimizer().secondMoment().forEach((name, tensor) ->
                    assertArrayEquals(tensor.toFloatArray(), a.optimizer().secondMoment().get(name).toFloatArray(), name));
        }
        assertEquals(losses(straight), losses(interrupted), "the loss of every step, 1 to 4");
    }

    /**
     * emend.rl.stage1-reference = phase-start changes nothing until the second Stage I phase begins (the first is
     * anchored at the base model either way), changes that phase's steps, and a run stopped inside it resumes with
     * the anchor it had, ending bit-identical to an uninterrupted run. The same runs keep a weight average, which
     * must not change a step, must be what the run ends with, and must survive the resume too.
     */
    @Test
    void phaseStartReferenceAndWeightAverage_resumeWithTheirWeights() throws Exception {
        Map<String, String> base = settings(dir.resolve("base"));
        base.put("emend.rl.schedule", "[\"stage1:1\", \"stage2:1\", \"stage1:2\"]");
        run(base, new Scripted(Integer.MAX_VALUE));
        Map<String, String> straight = new LinkedHashMap<>(base);
        straight.put("emend.run-dir", "\"" + dir.resolve("straight") + "\"");
        straight.put("emend.rl.stage1-reference", "phase-start");
        straight.put("emend.rl.weight-average-decay", "0.5");
        straight.put("emend.rl.checkpoint-selection", "last");
        run(straight, new Scripted(Integer.MAX_VALUE));
        List<String> baseLosses = losses(dir.resolve("base"));
        List<String> anchoredLosses = losses(dir.resolve("straight"));
        assertEquals(baseLosses.subList(0, 2), anchoredLosses.subList(0, 2), "steps 1 and 2 do not depend on the setting");
        assertFalse(baseLosses.get(2).equals(anchoredLosses.get(2)), "step 3 measures KL to the policy of step 2, not the base: " + baseLosses + " vs " + anchoredLosses);

        Map<String, String> interrupted = new LinkedHashMap<>(straight);
        interrupted.put("emend.run-dir", "\"" + dir.resolve("interrupted") + "\"");
        run(interrupted, new Scripted(3));
        assertEquals(List.of("stage1-reference", "weight-average"),
                ResumeCheckpoint.readState(dir.resolve("interrupted").resolve(ResumeCheckpoint.DIRECTORY)).getExtraWeightsList());
        interrupted.put("emend.resume", "true");
        run(interrupted, new Scripted(Integer.MAX_VALUE));
        assertEquals(anchoredLosses, losses(dir.resolve("interrupted")), "the loss of every step, 1 to 4");
        try (NDManager manager = TestModels.manager();
             Checkpoint.Loaded kept = Checkpoint.load(dir.resolve("straight").resolve("checkpoint"), manager);
             Checkpoint.Loaded resumedKept = Checkpoint.load(dir.resolve("interrupted").resolve("checkpoint"), manager);
             ResumeCheckpoint.Loaded end = ResumeCheckpoint.read(dir.resolve("straight").resolve(ResumeCheckpoint.DIRECTORY), manager)) {
            String name = "model.embed_tokens.weight";
            assertFalse(Arrays.equals(end.policy().get(name).toFloatArray(), kept.weights().get(name).toFloatArray()),
                    "the run ends with the average, not the last policy");
            assertArrayEquals(end.extra().get("weight-average").get(name).toFloatArray(), kept.weights().get(name).toFloatArray());
            kept.weights().tensors().forEach((tensor, values) ->
                    assertArrayEquals(values.toFloatArray(), resumedKept.weights().get(tensor).toFloatArray(), tensor));
        }
    }

    @Test
    void corruptOptimizerState_isRefusedNamingTheFile() throws Exception {
        Map<String, String> settings = settings(dir.resolve("run"));
        run(settings, new Scripted(1));
        Path optimizer = dir.resolve("run").resolve(ResumeCheckpoint.DIRECTORY).resolve("optimizer.safetensors");
        byte[] bytes = Files.readAllBytes(optimizer);
        bytes[bytes.length - 1] ^= 1;
        Files.write(optimizer, bytes);
        Map<String, String> resumed = new LinkedHashMap<>(settings);
        resumed.put("emend.resume", "true");
        CheckpointException e = assertThrows(CheckpointException.class, () -> run(resumed, new Scripted(Integer.MAX_VALUE)));
        assertTrue(e.getMessage().contains("optimizer.safetensors") && e.getMessage().contains("corrupt"), e.getMessage());
    }

    /** The loss of every step record in metrics.jsonl, in order (a resumed run appends the steps after its state). */
    private static List<String> losses(Path run) {
        try {
            return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                    .filter(line -> line.contains("\"loss\""))
                    .map(line -> line.replaceAll(".*\"loss\":([^,]+),.*", "$1"))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, String> settings(Path runDir) {
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("emend.run-dir", "\"" + runDir + "\"");
        overrides.put("emend.warmup.cache-dir", "\"" + dir.resolve("cache") + "\"");
        overrides.put("emend.warmup.steps", "2");
        overrides.put("emend.warmup.batch-size", "4");
        overrides.put("emend.task.linear.test-size", "4");
        overrides.put("emend.task.linear.dev-size", "4");
        overrides.put("emend.rl.schedule", "[\"stage1:2\", \"stage2:2\"]");
        overrides.put("emend.rl.prompts-per-step", "4");
        overrides.put("emend.rl.samples-per-prompt", "2");
        overrides.put("emend.rl.dev-eval-every", "1");
        overrides.put("emend.rl.checkpoint-every", "0");
        overrides.put("emend.rl.learning-rate", "0.001");
        overrides.put("emend.eval.sampled-per-problem", "0");
        return overrides;
    }

    private static Map<String, Object> run(Map<String, String> overrides, RolloutDriver driver) {
        var config = Settings.load(null, overrides);
        return new MainJob(RunSettings.fromConfig(config), RuntimeSettings.fromConfig(config), driver, Settings.emendJson(config),
                new PrintStream(OutputStream.nullOutputStream())).run();
    }

    /**
     * {@link RlLoop} with rollouts scored by a rule on their tokens; it stops the run (resume state written) once
     * {@code stopAfter} steps are done.
     */
    private record Scripted(int stopAfter) implements RolloutDriver {
        @Override
        public TrainingSession.Outcome train(LearnerJob job) {
            PolicyTrainer trainer = job.trainer();
            if (trainer.stepsDone() > 0) {
                // a resumed session must be able to save at once: everything it restored is its own, not the loader's
                trainer.checkpoint();
            }
            PolicyTrainer scripted = new PolicyTrainer() {
                @Override public void begin() { trainer.begin(); }
                @Override public long version() { return trainer.version(); }
                @Override public int stepsDone() { return trainer.stepsDone(); }
                @Override public boolean finished() { return trainer.finished() || trainer.stepsDone() >= stopAfter; }
                @Override public Stage stageOf(long stepNumber) { return trainer.stageOf(stepNumber); }
                @Override public LearnerStats step(List<RlooGroup> batch, double seconds, Map<String, Object> runtime) {
                    return trainer.step(batch.stream().map(group -> group.withRows(group.rows().stream()
                            .map(t -> t.withRewards(parity(t.attemptOne()), parity(t.attemptTwo()))).toList())).toList(), seconds, runtime);
                }
                @Override public TrainingSession.Outcome finish() { return trainer.finished() ? trainer.finish() : trainer.stop(); }
                @Override public Path checkpoint() { return trainer.checkpoint(); }
                @Override public int lastCheckpointStep() { return trainer.lastCheckpointStep(); }
                @Override public Optional<Evaluation> lastEvaluation() { return trainer.lastEvaluation(); }
                @Override public TrainingSession.Outcome stop() { return trainer.stop(); }
            };
            return new RlLoop().train(new LearnerJob(job.settings(), job.runtime(), job.task(), job.dialogue(), job.policy(), job.reference(), scripted, job.live(), job.runDirectory()));
        }

        private static int parity(int[] tokens) {
            return Arrays.stream(tokens).sum() % 2;
        }
    }
}
