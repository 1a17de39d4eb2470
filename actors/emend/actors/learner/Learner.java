package emend.actors.learner;

import emend.actors.node.NodeHealth;
import emend.actors.node.NodeMetrics;
import emend.actors.wire.Rejections;
import emend.actors.wire.WireMessage;
import emend.checkpoint.ResumeCheckpoint;
import emend.dispatch.LeaseTable;
import emend.dispatch.LearnerSnapshot;
import emend.engine.DjlRuntime;
import emend.dispatch.PromptLeases;
import emend.dispatch.PromptQueue;
import emend.dispatch.RolloutLedger;
import emend.dispatch.RunControl;
import emend.dispatch.StalenessWindow;
import emend.dispatch.WorkerRegistry;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.Evaluation;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.RunSpec;
import emend.proto.RuntimeStatus;
import emend.proto.StatusRequest;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rl.LearnerStats;
import emend.rl.PromptDraw;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.task.ProblemSet;
import emend.weights.WeightPublication;
import emend.wire.LearnerEdge;
import emend.wire.Rejection;
import emend.wire.Replies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The learner (a cluster singleton on role {@code learner}): hands out prompts by work pulling under the
 * staleness window, admits scored groups, runs a learner step of the {@link TrainingSession} whenever a batch is
 * full (off the actor thread, while rollouts go on), and publishes each new policy version as a manifest plus
 * chunks that workers pull. All bookkeeping is {@link RolloutLedger}'s; this actor only moves messages. Every
 * message from a worker passes {@link LearnerEdge} before it touches the ledger; a bad one is counted and dropped.
 */
public final class Learner extends AbstractBehavior<Learner.Command> {

    public sealed interface Command {}

    /**
     * What a learner tells its workers. The learner owns this protocol: a worker's behaviour takes these messages
     * (its own private ones extend this interface), so the learner never depends on the worker.
     */
    public interface ToWorker {}

    /** The run a worker samples for, in answer to its hello. */
    public record Spec(RunSpec payload) implements ToWorker, WireMessage {}

    public record Grant(LeaseGrant payload) implements ToWorker, WireMessage {}

    public record Ack(GroupAck payload) implements ToWorker, WireMessage {}

    public record NewVersion(WeightManifest payload) implements ToWorker, WireMessage {}

    public record Chunk(WeightChunk payload) implements ToWorker, WireMessage {}

    public record Hello(WorkerHello payload, ActorRef<Learner.ToWorker> replyTo) implements Command, WireMessage {}

    public record RequestWork(WorkRequest payload, ActorRef<Learner.ToWorker> replyTo) implements Command, WireMessage {}

    public record Submit(GroupResult payload, ActorRef<Learner.ToWorker> replyTo) implements Command, WireMessage {}

    public record FetchChunk(WeightChunkRequest payload, ActorRef<Learner.ToWorker> replyTo) implements Command, WireMessage {}

    public record GetStatus(StatusRequest payload, ActorRef<Status> replyTo) implements Command, WireMessage {}

    public record Status(RuntimeStatus payload) implements WireMessage {}

    /** An operator's command (status, pause, resume, stop, checkpoint, set), from the control endpoint. */
    public record Control(ControlRequest payload, ActorRef<ControlResponse> replyTo) implements Command, WireMessage {}

    public record ControlResponse(ControlReply payload) implements WireMessage {}

    /**
     * What a learner step leaves behind, read on the step's thread (the session is not safe to read from here),
     * including the new version's publication: encoding and hashing the weights there keeps the actor free.
     */
    private record StepResult(long version, int stepsDone, double tokensPerSecond, Optional<Evaluation> lastEvaluation,
                              int lastCheckpointStep, WeightPublication publication, double seconds) {}

    private record StepDone(StepResult result, Throwable failure) implements Command {}

    private record CheckpointDone(Path directory, Throwable failure, ActorRef<ControlResponse> replyTo) implements Command {}

    private record StopDone(TrainingSession.Outcome outcome, Throwable failure, ActorRef<ControlResponse> replyTo) implements Command {}

    private record WorkerGone(String workerId) implements Command {}

    private enum ExpireLeases implements Command { INSTANCE }

    private final ActorContext<Command> context;
    private final LearnerJob job;
    private final CompletableFuture<TrainingSession.Outcome> done;
    private final Executor stepExecutor;
    private final RolloutLedger ledger;
    private final WorkerRegistry<ActorRef<Learner.ToWorker>> workers = new WorkerRegistry<>();
    private final long epoch;
    /** The digest of the task's problems, announced to workers: verifiers refuse requests naming another set. */
    private final String problemSetSha256;
    private final VersionPublisher publisher;
    private final LearnerEdge edge;
    /** Version, steps done and the operator's pause / stop, as of the last finished step (the session changes them off this thread). */
    private final RunControl run;
    private long batchStartNanos = System.nanoTime();
    private long verifyTimeouts;
    private double lastTokensPerSecond;
    private Optional<Evaluation> lastEvaluation = Optional.empty();

    /**
     * The learner, supervised: a message whose handling throws is logged and skipped, and the learner goes on with
     * the state it had (resume, not restart: a restart would lose the ledger's leases and accepted groups, and
     * build a new publication while a step may be changing the weights on the model thread). Every message from
     * another node passes its edge check before it touches state, so what is left to throw is a local bug. If the
     * learner stops anyway (it could not start, a step failed, its node left), {@code done} fails with the cause
     * and the command that resumes the run, so the job ends instead of waiting for a schedule nobody trains.
     *
     * @param done completed with the selected weights when the schedule is done, or exceptionally when the learner
     *     stops before that
     */
    public static Behavior<Command> create(LearnerJob job, CompletableFuture<TrainingSession.Outcome> done) {
        return Behaviors.supervise(Behaviors.<Command>setup(context -> {
            Optional<String> behind = behindTheRunDirectory(job);
            if (behind.isPresent()) {
                context.getLog().error(behind.get());
                done.completeExceptionally(new IllegalStateException(behind.get()));
                return Behaviors.stopped();
            }
            return Behaviors.withTimers(timers -> {
                try {
                    return new Learner(context, timers, job, done);
                } catch (RuntimeException e) {
                    context.getLog().error("the learner could not start", e);
                    done.completeExceptionally(stoppedEarly(job, job.trainer().stepsDone(), "it could not start: " + e, e));
                    return Behaviors.stopped();
                }
            });
        })).onFailure(SupervisorStrategy.resume());
    }

    /** Why the run ends without its schedule, and how to continue it from its last resume state. */
    private static IllegalStateException stoppedEarly(LearnerJob job, int stepsDone, String why, Throwable cause) {
        return new IllegalStateException("the learner stopped after step " + stepsDone + " of " + job.settings().rl().totalSteps() + ": " + why
                + "; continue the run from its last resume state with --resume " + job.runDirectory()
                + " (emend train --resume, or emend node --roles learner --resume)", cause);
    }

    /**
     * A learner that takes over from another (a second learner-role node) holds the state it started with; if the
     * run directory's resume state is further along, training on from here would silently redo steps.
     */
    private static Optional<String> behindTheRunDirectory(LearnerJob job) {
        return ResumeCheckpoint.find(job.runDirectory())
                .map(ResumeCheckpoint::readState)
                .filter(state -> state.getStepsDone() > job.trainer().stepsDone())
                .map(state -> "this learner holds step " + job.trainer().stepsDone() + " but " + job.runDirectory()
                        + " has a resume state at step " + state.getStepsDone() + " (another learner trained on); restart this node with --resume "
                        + job.runDirectory() + " instead of letting it take over");
    }

    private Learner(ActorContext<Command> context, TimerScheduler<Command> timers, LearnerJob job,
                    CompletableFuture<TrainingSession.Outcome> done) {
        super(context);
        this.context = context;
        this.job = job;
        this.done = done;
        this.stepExecutor = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("emend-model-dispatcher"));
        int batch = job.settings().rl().promptsPerStep();
        int stepsBefore = job.trainer().stepsDone();
        // The clock (milliseconds x 1000) names this incarnation and starts its lease ids, so a restarted learner never
        // takes a result of its predecessor's lease for one of its own (a learner hands out far fewer than 1,000
        // leases a millisecond).
        this.epoch = System.currentTimeMillis() * 1000;
        this.ledger = new RolloutLedger(new PromptQueue(job.task().train(), job.settings().seed(), batch, stepsBefore),
                new StalenessWindow(job.live().maxStaleness(), batch), job.runtime().leaseTimeout().toMillis(),
                (long) job.settings().rl().totalSteps() * batch, (long) stepsBefore * batch, epoch);
        this.problemSetSha256 = ProblemSet.of(job.task()).sha256();
        this.edge = new LearnerEdge(new LearnerEdge.Run(job.settings().rl().samplesPerPrompt(), job.settings().rl().turnTwoSamples(),
                job.policy().weights().config().vocabSize(), job.task().maxAttemptTokens(), job.dialogue(),
                step -> job.trainer().stageOf(step).twoTurns()));
        this.run = new RunControl(job.settings().rl().totalSteps(), job.trainer().version(), job.trainer().stepsDone(),
                job.trainer().lastCheckpointStep());
        this.publisher = new VersionPublisher(job, epoch, run.version(), context.getSystem().address().getHost().orElse("127.0.0.1"),
                context.getLog());
        timers.startTimerWithFixedDelay(ExpireLeases.INSTANCE, Duration.ofSeconds(1));
        NodeHealth.get(context.getSystem()).learnerServing(true);
        context.getLog().info("learner up: {} steps of {} prompts, max staleness {}", job.settings().rl().totalSteps(), batch,
                job.live().maxStaleness());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Hello.class, this::onHello)
                .onMessage(RequestWork.class, this::onRequestWork)
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(FetchChunk.class, this::onFetchChunk)
                .onMessage(GetStatus.class, this::onGetStatus)
                .onMessage(StepDone.class, this::onStepDone)
                .onMessage(Control.class, this::onControl)
                .onMessage(CheckpointDone.class, this::onCheckpointDone)
                .onMessage(StopDone.class, this::onStopDone)
                .onMessage(WorkerGone.class, this::onWorkerGone)
                .onMessage(ExpireLeases.class, tick -> onExpireLeases())
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    /** Frees the stream; a learner that stops before its run ended (a node leaving, a failure) ends the job. */
    private Behavior<Command> onPostStop() {
        NodeHealth.get(context.getSystem()).learnerServing(false);
        publisher.close();
        done.completeExceptionally(stoppedEarly(job, run.stepsDone(), "it stopped before its schedule was done (the log above says why)", null));
        return this;
    }

    /** Counts and logs a message that failed its edge check; it is dropped. */
    private Behavior<Command> drop(Rejection rejection) {
        Rejections.drop(context, rejection);
        return this;
    }

    private Behavior<Command> onHello(Hello hello) {
        String id = hello.payload().getWorkerId();
        Optional<Rejection> bad = edge.hello(hello.payload(), hello.replyTo(), workers.ref(id).orElse(null), workers.size());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        WorkerRegistry.Hello kind = workers.hello(id, hello.replyTo(), hello.payload().getNonce());
        if (kind == WorkerRegistry.Hello.NEW) {
            context.watchWith(hello.replyTo(), new WorkerGone(id));
            context.getLog().info("worker {} joined on {} ({})", id, hello.payload().getNodeAddress(), hello.payload().getDevice());
        } else if (kind == WorkerRegistry.Hello.RESTARTED) {
            ledger.expireWorker(id);
        }
        WorkerRegistry.Worker<ActorRef<Learner.ToWorker>> worker = workers.get(id).orElseThrow();
        hello.replyTo().tell(new Learner.Spec(job.runSpec(publisher.manifestFor(worker.ref(), worker.nonce()), epoch, problemSetSha256, hello.payload().getNonce())));
        return this;
    }

    private Behavior<Command> onRequestWork(RequestWork request) {
        Optional<WorkerRegistry.Worker<ActorRef<Learner.ToWorker>>> registered = workers.get(request.payload().getWorkerId());
        Optional<Rejection> bad = edge.requestWork(request.payload(), request.replyTo(), registered.map(WorkerRegistry.Worker::ref).orElse(null));
        if (bad.isPresent()) {
            if (bad.get().reason().equals(LearnerEdge.UNREGISTERED) && request.replyTo() != null) {
                // a worker of a learner that moved or restarted asks here: no work, only this epoch, so it says hello
                request.replyTo().tell(new Learner.Grant(LeaseGrant.newBuilder().setCurrentVersion(run.version()).setLearnerEpoch(epoch).build()));
            }
            return drop(bad.get());
        }
        LeaseGrant.Builder grant = LeaseGrant.newBuilder().setCurrentVersion(run.version()).setFinished(run.finished()).setLearnerEpoch(epoch)
                .setWorkerNonce(registered.orElseThrow().nonce());
        if (run.handsOutWork()) {
            long timeout = job.runtime().leaseTimeout().toMillis();
            double temperature = job.live().temperature();
            for (LeaseTable.Lease<PromptDraw> lease : ledger.grant(request.payload().getWorkerId(), request.payload().getCapacity(),
                    run.version(), System.currentTimeMillis())) {
                grant.addLeases(PromptLeases.toWire(lease, job.trainer().stageOf(lease.item().step()).twoTurns(), timeout, temperature));
            }
        }
        request.replyTo().tell(new Learner.Grant(grant.build()));
        return this;
    }

    private Behavior<Command> onSubmit(Submit submit) {
        GroupResult result = submit.payload();
        LearnerEdge.SubmitCheck check = edge.submit(result, submit.replyTo(), workers.ref(result.getWorkerId()).orElse(null),
                ledger.openLease(result.getLeaseId()), run.version());
        if (check instanceof LearnerEdge.Foreign foreign) {
            return drop(foreign.rejection());
        }
        if (check instanceof LearnerEdge.Malformed malformed) {
            // its holder sent it: tell it to stop re-sending; the lease expires and its prompt goes out again
            drop(malformed.rejection());
            return refuse(submit);
        }
        LearnerEdge.Admissible admissible = (LearnerEdge.Admissible) check;
        RolloutLedger.Admission admission = ledger.submit(result.getLeaseId(), admissible.sampleVersion(), admissible.group(), run.version());
        if (admission == RolloutLedger.Admission.ACCEPTED) {
            verifyTimeouts += result.getVerifyTimeouts();
        }
        submit.replyTo().tell(new Learner.Ack(GroupAck.newBuilder().setLeaseId(result.getLeaseId())
                .setOutcome(GroupAck.Outcome.valueOf(admission.name())).build()));
        maybeStep();
        return this;
    }

    /** Acknowledges a result that cannot be used as expired, so the worker stops re-sending it (its lease times out). */
    private Behavior<Command> refuse(Submit submit) {
        submit.replyTo().tell(new Learner.Ack(GroupAck.newBuilder().setLeaseId(submit.payload().getLeaseId())
                .setOutcome(GroupAck.Outcome.EXPIRED).build()));
        return this;
    }

    private Behavior<Command> onFetchChunk(FetchChunk fetch) {
        WeightChunkRequest request = fetch.payload();
        Optional<Rejection> bad = edge.fetchChunk(request, fetch.replyTo(), workers.answersAt(fetch.replyTo()), publisher.version(),
                publisher.chunkCount());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        fetch.replyTo().tell(new Learner.Chunk(publisher.chunk(request)));
        return this;
    }

    private Behavior<Command> onGetStatus(GetStatus request) {
        Optional<Rejection> bad = Replies.missing("GetStatus", request.replyTo());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        request.replyTo().tell(new Status(snapshot().runtime()));
        return this;
    }

    private Behavior<Command> onWorkerGone(WorkerGone gone) {
        workers.remove(gone.workerId());
        int reissued = ledger.expireWorker(gone.workerId());
        context.getLog().info("worker {} left; {} of its leases re-issued", gone.workerId(), reissued);
        return this;
    }

    private Behavior<Command> onExpireLeases() {
        int reissued = ledger.expireDue(System.currentTimeMillis());
        if (reissued > 0) {
            context.getLog().warn("{} leases timed out and were re-issued", reissued);
        }
        exportMetrics();
        return this;
    }

    /** The node's Prometheus figures: every second (the lease tick) and after every step. */
    private void exportMetrics() {
        NodeMetrics.get(context.getSystem()).learner(snapshot().runtime(), lastTokensPerSecond);
    }

    private void maybeStep() {
        if (!run.mayStep()) {
            return;
        }
        ledger.takeBatch(job.settings().rl().promptsPerStep()).ifPresent(batch -> {
            run.stepStarted();
            double rolloutSeconds = (System.nanoTime() - batchStartNanos) / 1e9;
            Map<String, Object> runtime = snapshot().stepMetrics();
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
                DjlRuntime.gradientsOffOnThisThread();
                long started = System.nanoTime();
                LearnerStats stats = job.trainer().step(batch, rolloutSeconds, runtime);
                long newVersion = job.trainer().version();
                return new StepResult(newVersion, job.trainer().stepsDone(), stats.generatedTokens() / rolloutSeconds,
                        job.trainer().lastEvaluation(), job.trainer().lastCheckpointStep(), publisher.encode(newVersion),
                        (System.nanoTime() - started) / 1e9);
            }, stepExecutor), StepDone::new);
        });
    }

    private Behavior<Command> onStepDone(StepDone step) {
        batchStartNanos = System.nanoTime();
        if (step.failure() != null) {
            context.getLog().error("learner step failed; the run stops", step.failure());
            done.completeExceptionally(stoppedEarly(job, run.stepsDone(), "step " + (run.stepsDone() + 1) + " failed ("
                    + rootMessage(step.failure()) + ")", step.failure()));
            return Behaviors.stopped();
        }
        run.stepEnded(step.result().version(), step.result().stepsDone(), step.result().lastCheckpointStep());
        lastTokensPerSecond = step.result().tokensPerSecond();
        lastEvaluation = step.result().lastEvaluation();
        NodeMetrics.get(context.getSystem()).stepSeconds.observe(step.result().seconds());
        exportMetrics();
        if (run.stopping()) {
            // The stop queued behind this step writes the state and ends the run; nothing more goes out.
            return this;
        }
        publisher.publish(step.result().publication());
        workers.all().forEach(worker -> worker.ref().tell(new Learner.NewVersion(publisher.manifestFor(worker.ref(), worker.nonce()))));
        if (run.finished()) {
            context.getLog().info("schedule done after {} steps", run.stepsDone());
            // on the step thread: a checkpoint queued there finishes before the run's memory can be freed
            CompletableFuture.supplyAsync(job.trainer()::finish, stepExecutor).whenComplete((outcome, failure) -> {
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else {
                    done.complete(outcome);
                }
            });
        } else {
            maybeStep();
        }
        return this;
    }

    private Behavior<Command> onControl(Control control) {
        Optional<Rejection> bad = Replies.missing("Control", control.replyTo());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        // Run control comes only through this node's control endpoint, which checks the token; a member of the
        // cluster is trusted with rollouts and verification, not with stopping or retuning the run.
        if (!control.replyTo().path().address().hasLocalScope()) {
            return drop(new Rejection("Control", "sender", "a run-control command from " + control.replyTo().path().address()
                    + ": commands are taken only from this node's control endpoint (emend ctl, with the token)"));
        }
        ControlRequest request = control.payload();
        switch (request.getCommandCase()) {
            case STATUS -> reply(control, ControlReply.Code.OK, "");
            case PAUSE -> {
                if (refusedWhenEnding(control, "pause")) {
                    return this;
                }
                reply(control, ControlReply.Code.OK, run.pause());
            }
            case RESUME -> {
                if (refusedWhenEnding(control, "resume")) {
                    return this;
                }
                run.resume();
                maybeStep();
                reply(control, ControlReply.Code.OK, "running");
            }
            case SET -> {
                try {
                    String change = job.live().set(request.getSet().getKey(), request.getSet().getValue());
                    ledger.setMaxStaleness(job.live().maxStaleness());
                    context.getLog().info("operator set {}", change);
                    reply(control, ControlReply.Code.OK, change + " (from the next step)");
                } catch (IllegalArgumentException e) {
                    reply(control, ControlReply.Code.REFUSED, e.getMessage());
                }
            }
            case CHECKPOINT -> {
                if (refusedWhenEnding(control, "checkpoint")) {
                    return this;
                }
                // The step executor runs one task at a time, so the state is written between two steps.
                context.pipeToSelf(CompletableFuture.supplyAsync(() -> job.trainer().checkpoint(), stepExecutor),
                        (dir, failure) -> new CheckpointDone(dir, failure, control.replyTo()));
            }
            case STOP -> {
                if (refusedWhenEnding(control, "stop")) {
                    return this;
                }
                run.stopStarted();
                context.getLog().info("operator stop: writing the resume state after step {}", run.stepsDone());
                context.pipeToSelf(CompletableFuture.supplyAsync(() -> job.trainer().stop(), stepExecutor),
                        (outcome, failure) -> new StopDone(outcome, failure, control.replyTo()));
            }
            default -> reply(control, ControlReply.Code.REFUSED, "the learner does not take " + request.getCommandCase()
                    + "; the control endpoint sends it to the nodes");
        }
        return this;
    }

    private boolean refusedWhenEnding(Control control, String command) {
        Optional<String> refusal = run.refusal(command);
        refusal.ifPresent(why -> reply(control, ControlReply.Code.REFUSED, why));
        return refusal.isPresent();
    }

    private Behavior<Command> onCheckpointDone(CheckpointDone checkpoint) {
        if (checkpoint.failure() != null) {
            context.getLog().error("checkpoint failed", checkpoint.failure());
            checkpoint.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.REFUSED,
                    "checkpoint failed: " + rootMessage(checkpoint.failure()))));
            return this;
        }
        run.checkpointed();
        checkpoint.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.OK, "checkpoint of step " + run.stepsDone() + " written")
                .toBuilder().setCheckpointPath(checkpoint.directory().toString()).build()));
        return this;
    }

    private Behavior<Command> onStopDone(StopDone stop) {
        if (stop.failure() != null) {
            // the run is intact: stopping without its state would throw away every step since the last checkpoint
            run.stopFailed();
            context.getLog().error("stop: the resume state could not be written; the run goes on", stop.failure());
            stop.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.REFUSED, "could not write the resume state ("
                    + rootMessage(stop.failure()) + "); the run goes on: fix the cause (e.g. free disk space) and stop again")));
            maybeStep();
            return this;
        }
        run.checkpointed();
        context.getLog().info("run stopped after step {}", run.stepsDone());
        stop.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.OK, "stopped after step " + run.stepsDone()
                + "; continue with --resume RUN_DIR").toBuilder().setCheckpointPath(job.runDirectory().resolve("resume").toString()).build()));
        done.complete(stop.outcome());
        return this;
    }

    /** The stage of the step being or about to be taken (the last one's, once the schedule is done). */
    private String nextStage() {
        return job.trainer().stageOf(run.nextStep()).label();
    }

    private static String rootMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

    private void reply(Control control, ControlReply.Code code, String message) {
        control.replyTo().tell(new ControlResponse(controlReply(code, message)));
    }

    private ControlReply controlReply(ControlReply.Code code, String message) {
        return ControlReply.newBuilder().setCode(code).setMessage(message)
                .setStatus(snapshot().runStatus(job.runDirectory().toString(), job.live().values())).build();
    }

    private LearnerSnapshot snapshot() {
        return LearnerSnapshot.of(run, nextStage(), ledger, job.live().maxStaleness(), workers.size(), verifyTimeouts,
                NodeMetrics.get(context.getSystem()).rejectedTotal(), lastTokensPerSecond, lastEvaluation);
    }
}
