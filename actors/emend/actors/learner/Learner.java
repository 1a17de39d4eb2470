package emend.actors.learner;

import emend.actors.node.NodeMetrics;
import emend.actors.rollout.RolloutWorker;
import emend.actors.wire.WireMessage;
import emend.checkpoint.HfModelConfig;
import emend.checkpoint.ResumeCheckpoint;
import emend.dispatch.LeaseTable;
import emend.engine.DjlRuntime;
import emend.dispatch.PromptQueue;
import emend.dispatch.RolloutLedger;
import emend.dispatch.StalenessWindow;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.Evaluation;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.RunStatus;
import emend.proto.RuntimeStatus;
import emend.proto.StatusRequest;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rl.LearnerStats;
import emend.rl.PromptDraw;
import emend.rl.Trajectory;
import emend.rl.TrajectoryCodec;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.tls.TlsSettings;
import emend.weights.WeightCodec;
import emend.weights.WeightPublication;
import emend.weights.WeightStreamServer;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The learner (a cluster singleton on role {@code learner}): hands out prompts by work pulling under the
 * staleness window, admits scored groups, runs a learner step of the {@link TrainingSession} whenever a batch is
 * full (off the actor thread, while rollouts go on), and publishes each new policy version as a manifest plus
 * chunks that workers pull. All bookkeeping is {@link RolloutLedger}'s; this actor only moves messages.
 */
public final class Learner extends AbstractBehavior<Learner.Command> {

    public sealed interface Command {}

    public record Hello(WorkerHello payload, ActorRef<RolloutWorker.Command> replyTo) implements Command, WireMessage {}

    public record RequestWork(WorkRequest payload, ActorRef<RolloutWorker.Command> replyTo) implements Command, WireMessage {}

    public record Submit(GroupResult payload, ActorRef<RolloutWorker.Command> replyTo) implements Command, WireMessage {}

    public record FetchChunk(WeightChunkRequest payload, ActorRef<RolloutWorker.Command> replyTo) implements Command, WireMessage {}

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
                              int lastCheckpointStep, WeightPublication publication) {}

    private record StepDone(StepResult result, Throwable failure) implements Command {}

    private record CheckpointDone(Path directory, Throwable failure, ActorRef<ControlResponse> replyTo) implements Command {}

    private record StopDone(TrainingSession.Outcome outcome, Throwable failure, ActorRef<ControlResponse> replyTo) implements Command {}

    private enum RunState { RUNNING, PAUSED, STOPPING, FINISHED }

    private record WorkerGone(String workerId) implements Command {}

    private enum ExpireLeases implements Command { INSTANCE }

    private final ActorContext<Command> context;
    private final LearnerJob job;
    private final CompletableFuture<TrainingSession.Outcome> done;
    private final Executor stepExecutor;
    private final RolloutLedger ledger;
    private final Map<String, ActorRef<RolloutWorker.Command>> workers = new HashMap<>();
    private final String modelConfigJson;
    private final long epoch;
    private WeightPublication publication;
    /** Serves versions to workers on other nodes; null when off (emend.runtime.weight-stream-port = -1) or not bound. */
    private final WeightStreamServer stream;
    /** The publication's manifest naming the stream, for workers on other nodes. */
    private WeightManifest streamManifest;
    /** Policy version and steps done, as of the last finished step (the session changes them off this thread). */
    private long version;
    private int stepsDone;
    private boolean stepping;
    private long batchStartNanos = System.nanoTime();
    private long verifyTimeouts;
    private boolean paused;
    private boolean stopping;
    private double lastTokensPerSecond;
    private Optional<Evaluation> lastEvaluation = Optional.empty();
    private int lastCheckpointStep;

    /**
     * @param done completed with the selected weights when the schedule is done (or exceptionally if a step fails)
     */
    public static Behavior<Command> create(LearnerJob job, CompletableFuture<TrainingSession.Outcome> done) {
        return Behaviors.setup(context -> {
            Optional<String> behind = behindTheRunDirectory(job);
            if (behind.isPresent()) {
                context.getLog().error(behind.get());
                done.completeExceptionally(new IllegalStateException(behind.get()));
                return Behaviors.stopped();
            }
            return Behaviors.withTimers(timers -> new Learner(context, timers, job, done));
        });
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
        this.modelConfigJson = HfModelConfig.toJson(job.policy().weights().config(), job.dialogue().tokenizer().specials());
        this.version = job.trainer().version();
        this.stepsDone = job.trainer().stepsDone();
        this.lastCheckpointStep = job.trainer().lastCheckpointStep();
        this.stream = openStream(context, job.runtime().weightStreamPort(), job.runtime().tls());
        publish(publicationOf(version));
        timers.startTimerWithFixedDelay(ExpireLeases.INSTANCE, Duration.ofSeconds(1));
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
                .onSignal(PostStop.class, signal -> closeStream())
                .onSignal(PreRestart.class, signal -> closeStream())
                .build();
    }

    /** The weight stream on this node's host, or null: without it workers fetch over Artery, slower but whole. */
    private static WeightStreamServer openStream(ActorContext<Command> context, int port, TlsSettings tls) {
        if (port < 0) {
            return null;
        }
        String host = context.getSystem().address().getHost().orElse("127.0.0.1");
        try {
            WeightStreamServer server = new WeightStreamServer(host, port, tls.serverSockets());
            context.getLog().info("weight stream listening on {}", server.address());
            return server;
        } catch (UncheckedIOException e) {
            context.getLog().warn("{}; workers on other nodes fetch weights over Artery instead", e.getMessage());
            return null;
        }
    }

    private Behavior<Command> closeStream() {
        if (stream != null) {
            stream.close();
        }
        return this;
    }

    private void publish(WeightPublication next) {
        publication = next;
        if (stream != null) {
            stream.publish(next);
            streamManifest = next.manifest().toBuilder().setStreamAddress(stream.address()).build();
        }
    }

    /** Workers in this JVM take chunks as local messages (views, no copy); others read the stream when there is one. */
    private WeightManifest manifestFor(ActorRef<?> worker) {
        return stream != null && worker.path().address().hasGlobalScope() ? streamManifest : publication.manifest();
    }

    private Behavior<Command> onHello(Hello hello) {
        String id = hello.payload().getWorkerId();
        if (workers.put(id, hello.replyTo()) == null) {
            context.watchWith(hello.replyTo(), new WorkerGone(id));
            context.getLog().info("worker {} joined on {} ({})", id, hello.payload().getNodeAddress(), hello.payload().getDevice());
        } else {
            // A known worker says hello again after a restart: the work it held is lost with its old state.
            ledger.expireWorker(id);
        }
        var rl = job.settings().rl();
        hello.replyTo().tell(new RolloutWorker.Spec(RunSpec.newBuilder()
                .setRunSeed(job.settings().seed())
                .setTask(job.task().name())
                .setInstruction(job.task().instruction())
                .setTokenizerKind(job.dialogue().tokenizer().kind())
                .setSamplesPerPrompt(rl.samplesPerPrompt())
                .setMaxAttemptTokens(job.task().maxAttemptTokens())
                .setManifest(manifestFor(hello.replyTo()))
                .setLearnerEpoch(epoch)
                .build()));
        return this;
    }

    private Behavior<Command> onRequestWork(RequestWork request) {
        LeaseGrant.Builder grant = LeaseGrant.newBuilder().setCurrentVersion(version).setFinished(finished()).setLearnerEpoch(epoch);
        if (!finished() && !paused && !stopping) {
            long timeout = job.runtime().leaseTimeout().toMillis();
            double temperature = job.live().temperature();
            for (LeaseTable.Lease<PromptDraw> lease : ledger.grant(request.payload().getWorkerId(), request.payload().getCapacity(),
                    version, System.currentTimeMillis())) {
                PromptDraw draw = lease.item();
                grant.addLeases(PromptLease.newBuilder()
                        .setLeaseId(lease.id())
                        .setProblemId(draw.problem().id())
                        .setQuestion(draw.problem().question())
                        .setAnswer(draw.problem().answer())
                        .setProblemIndex(draw.problemIndex())
                        .setStep(draw.step())
                        .setTwoTurns(job.trainer().stageOf(draw.step()).twoTurns())
                        .setTimeoutMs(timeout)
                        .setTemperature(temperature));
            }
        }
        request.replyTo().tell(new RolloutWorker.Grant(grant.build()));
        return this;
    }

    private Behavior<Command> onSubmit(Submit submit) {
        GroupResult result = submit.payload();
        List<Trajectory> group = new ArrayList<>(result.getTrajectoriesCount());
        long sampleVersion = Long.MAX_VALUE;
        try {
            for (emend.proto.Trajectory t : result.getTrajectoriesList()) {
                Trajectory trajectory = TrajectoryCodec.fromProto(t);
                group.add(trajectory);
                sampleVersion = Math.min(sampleVersion, trajectory.policyVersion());
            }
        } catch (IllegalArgumentException e) {
            context.getLog().warn("worker {} sent a malformed group for lease {}: {}; the lease will expire and be re-issued",
                    result.getWorkerId(), result.getLeaseId(), e.getMessage());
            return refuse(submit);
        }
        if (group.isEmpty()) {
            context.getLog().warn("worker {} sent an empty group for lease {}; the lease will expire and be re-issued", result.getWorkerId(),
                    result.getLeaseId());
            return refuse(submit);
        }
        RolloutLedger.Admission admission = ledger.submit(result.getLeaseId(), sampleVersion, group, version);
        if (admission == RolloutLedger.Admission.ACCEPTED) {
            verifyTimeouts += result.getVerifyTimeouts();
        }
        submit.replyTo().tell(new RolloutWorker.Ack(GroupAck.newBuilder().setLeaseId(result.getLeaseId())
                .setOutcome(GroupAck.Outcome.valueOf(admission.name())).build()));
        maybeStep();
        return this;
    }

    /** Acknowledges a result that cannot be used as expired, so the worker stops re-sending it (its lease times out). */
    private Behavior<Command> refuse(Submit submit) {
        submit.replyTo().tell(new RolloutWorker.Ack(GroupAck.newBuilder().setLeaseId(submit.payload().getLeaseId())
                .setOutcome(GroupAck.Outcome.EXPIRED).build()));
        return this;
    }

    private Behavior<Command> onFetchChunk(FetchChunk fetch) {
        WeightChunkRequest request = fetch.payload();
        WeightChunk chunk = request.getVersion() == publication.version()
                ? publication.chunk(request.getIndex())
                : WeightChunk.newBuilder().setVersion(request.getVersion()).setIndex(request.getIndex()).setGone(true).build();
        fetch.replyTo().tell(new RolloutWorker.Chunk(chunk));
        return this;
    }

    private Behavior<Command> onGetStatus(GetStatus request) {
        request.replyTo().tell(new Status(status()));
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
        NodeMetrics.get(context.getSystem()).learner(status(), lastTokensPerSecond);
    }

    private void maybeStep() {
        if (stepping || finished() || paused || stopping) {
            return;
        }
        ledger.takeBatch(job.settings().rl().promptsPerStep()).ifPresent(batch -> {
            stepping = true;
            double rolloutSeconds = (System.nanoTime() - batchStartNanos) / 1e9;
            Map<String, Object> runtime = runtimeMetrics();
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
                DjlRuntime.gradientsOffOnThisThread();
                LearnerStats stats = job.trainer().step(batch, rolloutSeconds, runtime);
                long newVersion = job.trainer().version();
                return new StepResult(newVersion, job.trainer().stepsDone(), stats.generatedTokens() / rolloutSeconds,
                        job.trainer().lastEvaluation(), job.trainer().lastCheckpointStep(), publicationOf(newVersion));
            }, stepExecutor), StepDone::new);
        });
    }

    private Behavior<Command> onStepDone(StepDone step) {
        stepping = false;
        batchStartNanos = System.nanoTime();
        if (step.failure() != null) {
            context.getLog().error("learner step failed; the run stops", step.failure());
            done.completeExceptionally(step.failure());
            return Behaviors.stopped();
        }
        version = step.result().version();
        stepsDone = step.result().stepsDone();
        lastTokensPerSecond = step.result().tokensPerSecond();
        lastEvaluation = step.result().lastEvaluation();
        lastCheckpointStep = step.result().lastCheckpointStep();
        exportMetrics();
        if (stopping) {
            // The stop queued behind this step writes the state and ends the run; nothing more goes out.
            return this;
        }
        publish(step.result().publication());
        workers.values().forEach(worker -> worker.tell(new RolloutWorker.NewVersion(manifestFor(worker))));
        if (finished()) {
            context.getLog().info("schedule done after {} steps", stepsDone);
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

    private boolean finished() {
        return stepsDone >= job.settings().rl().totalSteps();
    }

    private Behavior<Command> onControl(Control control) {
        ControlRequest request = control.payload();
        switch (request.getCommandCase()) {
            case STATUS -> reply(control, ControlReply.Code.OK, "");
            case PAUSE -> {
                if (refusedWhenEnding(control, "pause")) {
                    return this;
                }
                paused = true;
                reply(control, ControlReply.Code.OK, "paused after step " + (stepping ? (stepsDone + 1) + " (in progress now)" : stepsDone)
                        + "; work in flight is kept");
            }
            case RESUME -> {
                if (refusedWhenEnding(control, "resume")) {
                    return this;
                }
                paused = false;
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
                stopping = true;
                context.getLog().info("operator stop: writing the resume state after step {}", stepsDone);
                context.pipeToSelf(CompletableFuture.supplyAsync(() -> job.trainer().stop(), stepExecutor),
                        (outcome, failure) -> new StopDone(outcome, failure, control.replyTo()));
            }
            default -> reply(control, ControlReply.Code.REFUSED, "the learner does not take " + request.getCommandCase()
                    + "; the control endpoint sends it to the nodes");
        }
        return this;
    }

    private boolean refusedWhenEnding(Control control, String command) {
        boolean lastStepRunning = stepping && stepsDone + 1 >= job.settings().rl().totalSteps();
        if (finished() || stopping || lastStepRunning) {
            reply(control, ControlReply.Code.REFUSED, "cannot " + command + ": the run is "
                    + (stopping ? "stopping" : lastStepRunning ? "taking its last step and ends on its own" : "finished"));
            return true;
        }
        return false;
    }

    private Behavior<Command> onCheckpointDone(CheckpointDone checkpoint) {
        if (checkpoint.failure() != null) {
            context.getLog().error("checkpoint failed", checkpoint.failure());
            checkpoint.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.REFUSED,
                    "checkpoint failed: " + rootMessage(checkpoint.failure()))));
            return this;
        }
        lastCheckpointStep = stepsDone;
        checkpoint.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.OK, "checkpoint of step " + stepsDone + " written")
                .toBuilder().setCheckpointPath(checkpoint.directory().toString()).build()));
        return this;
    }

    private Behavior<Command> onStopDone(StopDone stop) {
        if (stop.failure() != null) {
            // the run is intact: stopping without its state would throw away every step since the last checkpoint
            stopping = false;
            context.getLog().error("stop: the resume state could not be written; the run goes on", stop.failure());
            stop.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.REFUSED, "could not write the resume state ("
                    + rootMessage(stop.failure()) + "); the run goes on: fix the cause (e.g. free disk space) and stop again")));
            maybeStep();
            return this;
        }
        lastCheckpointStep = stepsDone;
        context.getLog().info("run stopped after step {}", stepsDone);
        stop.replyTo().tell(new ControlResponse(controlReply(ControlReply.Code.OK, "stopped after step " + stepsDone
                + "; continue with --resume RUN_DIR").toBuilder().setCheckpointPath(job.runDirectory().resolve("resume").toString()).build()));
        done.complete(stop.outcome());
        return this;
    }

    /** The stage of the step being or about to be taken (the last one's, once the schedule is done). */
    private String nextStage() {
        return job.trainer().stageOf(Math.min(stepsDone + 1, job.settings().rl().totalSteps())).label();
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
        RunState state = stopping ? RunState.STOPPING : finished() ? RunState.FINISHED : paused ? RunState.PAUSED : RunState.RUNNING;
        RunStatus.Builder status = RunStatus.newBuilder()
                .setRunDirectory(job.runDirectory().toString())
                .setStage(nextStage())
                .setStepsDone(stepsDone)
                .setTotalSteps(job.settings().rl().totalSteps())
                .setPolicyVersion(version)
                .setState(state.name())
                .setPromptsDispatched(ledger.dispatched())
                .setPromptsCompleted(ledger.completed())
                .setPromptsInFlight(ledger.inFlight())
                .setPromptsReissued(ledger.expired())
                .setStalenessDropped(ledger.droppedStale())
                .setDuplicates(ledger.duplicates())
                .setVerifyTimeouts(verifyTimeouts)
                .setTokensPerSecond(lastTokensPerSecond)
                .putAllParameters(job.live().values())
                .setLastCheckpointStep(lastCheckpointStep);
        lastEvaluation.ifPresent(status::setLastEvaluation);
        return ControlReply.newBuilder().setCode(code).setMessage(message).setStatus(status).build();
    }

    private WeightPublication publicationOf(long policyVersion) {
        return new WeightPublication(policyVersion, WeightCodec.encode(job.policy().weights()), job.runtime().weightChunkBytes(), modelConfigJson);
    }

    private Map<String, Object> runtimeMetrics() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("staleness/dropped", ledger.droppedStale());
        out.put("leases/dispatched", ledger.dispatched());
        out.put("leases/expired", ledger.expired());
        out.put("leases/duplicates", ledger.duplicates());
        out.put("verify/timeouts", verifyTimeouts);
        out.put("workers", workers.size());
        return out;
    }

    private RuntimeStatus status() {
        return RuntimeStatus.newBuilder()
                .setPolicyVersion(version)
                .setStepsDone(stepsDone)
                .setTotalSteps(job.settings().rl().totalSteps())
                .setStage(nextStage())
                .setMaxStaleness(job.live().maxStaleness())
                .setDispatched(ledger.dispatched())
                .setCompleted(ledger.completed())
                .setInFlight(ledger.inFlight())
                .setExpired(ledger.expired())
                .setDroppedStale(ledger.droppedStale())
                .setDuplicates(ledger.duplicates())
                .setAdmissionWaits(ledger.admissionWaits())
                .setWorkers(workers.size())
                .setFinished(finished())
                .setVerifyTimeouts(verifyTimeouts)
                .build();
    }
}
