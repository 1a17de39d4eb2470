package emend.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.proto.Evaluation;
import emend.rl.LearnerStats;
import emend.rl.Stage;
import emend.rollout.RlooGroup;
import emend.weights.WeightPublication;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The learner's work on its model thread, against a trainer that records what it was asked and when. */
final class LearnerStepsTest {

    private final ExecutorService modelThread = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutdown() {
        modelThread.shutdownNow();
    }

    /** A trainer whose step waits for {@code release}, so a test can queue work behind a running step. */
    private static final class RecordingTrainer implements PolicyTrainer {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch release = new CountDownLatch(1);
        int stepsDone;

        @Override public void begin() { }
        @Override public long version() { return stepsDone * 10L; }
        @Override public int stepsDone() { return stepsDone; }
        @Override public boolean finished() { return false; }
        @Override public Stage stageOf(long stepNumber) { return Stage.STAGE_ONE; }

        @Override
        public LearnerStats step(List<RlooGroup> batch, double rolloutSeconds, Map<String, Object> runtime) {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            stepsDone++;
            calls.add("step " + runtime.get("tag"));
            return new LearnerStats(0, 0, 0, 0, 0, 0, 0, 0, 500);
        }

        /** What {@link #finish} fails with, if anything. */
        RuntimeException finishFailure;

        @Override
        public TrainingSession.Outcome finish() {
            calls.add("finish");
            if (finishFailure != null) {
                throw finishFailure;
            }
            return null;
        }
        @Override public Path checkpoint() { calls.add("checkpoint after " + stepsDone); return Path.of("c" + stepsDone); }
        @Override public int lastCheckpointStep() { return 0; }
        @Override public Optional<Evaluation> lastEvaluation() { return Optional.empty(); }
        @Override public TrainingSession.Outcome stop() { calls.add("stop after " + stepsDone); return null; }
    }

    @Test
    void aStepReportsTheNewVersionAndItsPublication_fromTheModelThread() throws Exception {
        RecordingTrainer trainer = new RecordingTrainer();
        List<Long> encoded = Collections.synchronizedList(new ArrayList<>());
        LearnerSteps steps = new LearnerSteps(trainer, modelThread, version -> {
            encoded.add(version);
            return new WeightPublication(version, new byte[8], 4, "{}");
        });
        trainer.release.countDown();
        LearnerSteps.StepResult result = steps.step(List.of(), Map.of("tag", "a")).get(10, TimeUnit.SECONDS);
        assertEquals(10, result.version());
        assertEquals(1, result.stepsDone());
        assertEquals(10, result.publication().version());
        assertEquals(List.of(10L), encoded, "the new version is encoded once, by the step");
        assertTrue(result.tokensPerSecond() > 0, "500 tokens over the batch's rollout time");
    }

    @Test
    void aCheckpointOrStopQueuedBehindAStep_writesTheStateAfterIt() throws Exception {
        RecordingTrainer trainer = new RecordingTrainer();
        LearnerSteps steps = new LearnerSteps(trainer, modelThread, version -> new WeightPublication(version, new byte[8], 4, "{}"));
        CompletableFuture<LearnerSteps.StepResult> step = steps.step(List.of(), Map.of("tag", "a"));
        CompletableFuture<Path> checkpoint = steps.checkpoint();
        CompletableFuture<TrainingSession.Outcome> stop = steps.stop();
        assertEquals(List.of(), trainer.calls, "nothing runs past the step in progress");
        trainer.release.countDown();
        assertEquals(Path.of("c1"), checkpoint.get(10, TimeUnit.SECONDS));
        stop.get(10, TimeUnit.SECONDS);
        step.get(10, TimeUnit.SECONDS);
        assertEquals(List.of("step a", "checkpoint after 1", "stop after 1"), trainer.calls);
    }

    @Test
    void finishingEndsTheRunAfterWhatWasQueued_andCompletesOrFailsTheJob() throws Exception {
        RecordingTrainer trainer = new RecordingTrainer();
        trainer.release.countDown();
        LearnerSteps steps = new LearnerSteps(trainer, modelThread, version -> new WeightPublication(version, new byte[8], 4, "{}"));
        steps.checkpoint();
        CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
        steps.finish(done);
        assertNull(done.get(10, TimeUnit.SECONDS), "the trainer's outcome, as it returned it");
        assertEquals(List.of("checkpoint after 0", "finish"), trainer.calls);

        trainer.finishFailure = new IllegalStateException("disk full");
        CompletableFuture<TrainingSession.Outcome> failed = new CompletableFuture<>();
        steps.finish(failed);
        ExecutionException thrown = assertThrows(ExecutionException.class, () -> failed.get(10, TimeUnit.SECONDS));
        assertTrue(thrown.getCause().getMessage().contains("disk full"), thrown.getCause().toString());
    }
}
