package emend.run;

import emend.engine.DjlRuntime;
import emend.proto.Evaluation;
import emend.rl.LearnerStats;
import emend.rollout.RlooGroup;
import emend.weights.WeightPublication;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;

/**
 * The learner's work on the model thread: steps, checkpoints, the stop and the end of the run, each a task on one
 * single-threaded executor, so a checkpoint or stop queued behind a step writes the state between two steps and the
 * trainer is never touched from two threads. What a step leaves behind is read there too (the trainer is not safe
 * to read from the actor), including the new version's publication: encoding and hashing the weights on the step's
 * thread keeps the actor free.
 */
public final class LearnerSteps {

    /** What a step leaves behind. */
    public record StepResult(long version, int stepsDone, double tokensPerSecond, Optional<Evaluation> lastEvaluation,
                             int lastCheckpointStep, WeightPublication publication, double seconds) {}

    private final PolicyTrainer trainer;
    private final Executor modelThread;
    private final LongFunction<WeightPublication> encode;
    /** When the rollouts of the next batch began: a step's tokens per second are over its batch's rollout time. */
    private long batchStartNanos = System.nanoTime();

    /**
     * @param modelThread runs one task at a time, in order
     * @param encode the publication of a new version's weights
     */
    public LearnerSteps(PolicyTrainer trainer, Executor modelThread, LongFunction<WeightPublication> encode) {
        this.trainer = trainer;
        this.modelThread = modelThread;
        this.encode = encode;
    }

    /**
     * Takes a learner step on {@code batch}.
     *
     * @param runtime the runtime's figures logged with the step
     */
    public CompletableFuture<StepResult> step(List<RlooGroup> batch, Map<String, Object> runtime) {
        double rolloutSeconds = (System.nanoTime() - batchStartNanos) / 1e9;
        return CompletableFuture.supplyAsync(() -> {
            DjlRuntime.gradientsOffOnThisThread();
            long started = System.nanoTime();
            LearnerStats stats = trainer.step(batch, rolloutSeconds, runtime);
            long version = trainer.version();
            return new StepResult(version, trainer.stepsDone(), stats.tokensPerSecond(rolloutSeconds), trainer.lastEvaluation(),
                    trainer.lastCheckpointStep(), encode.apply(version), (System.nanoTime() - started) / 1e9);
        }, modelThread);
    }

    /** A step ended (or failed): the next batch's rollout time starts now. */
    public void stepEnded() {
        batchStartNanos = System.nanoTime();
    }

    public CompletableFuture<Path> checkpoint() {
        return CompletableFuture.supplyAsync(trainer::checkpoint, modelThread);
    }

    /** Writes the resume state and ends the run early. */
    public CompletableFuture<TrainingSession.Outcome> stop() {
        return CompletableFuture.supplyAsync(trainer::stop, modelThread);
    }

    /**
     * Ends the run once its schedule is done (after any checkpoint queued before, so memory is freed last), and
     * completes {@code done} with the selected weights or the failure.
     */
    public void finish(CompletableFuture<TrainingSession.Outcome> done) {
        CompletableFuture.supplyAsync(trainer::finish, modelThread).whenComplete((outcome, failure) -> {
            if (failure != null) {
                done.completeExceptionally(failure);
            } else {
                done.complete(outcome);
            }
        });
    }
}
