package emend.actors.learner;

import emend.actors.rollout.RolloutWorker;
import emend.actors.wire.WireMessage;
import emend.checkpoint.HfModelConfig;
import emend.dispatch.LeaseTable;
import emend.engine.DjlRuntime;
import emend.dispatch.PromptQueue;
import emend.dispatch.RolloutLedger;
import emend.dispatch.StalenessWindow;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.RuntimeStatus;
import emend.proto.StatusRequest;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rl.LearnerStats;
import emend.rl.PromptDraw;
import emend.rl.Trajectory;
import emend.rl.TrajectoryCodec;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.weights.WeightCodec;
import emend.weights.WeightPublication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
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

    private record StepDone(LearnerStats stats, Throwable failure) implements Command {}

    private record WorkerGone(String workerId) implements Command {}

    private enum ExpireLeases implements Command { INSTANCE }

    private final ActorContext<Command> context;
    private final LearnerJob job;
    private final CompletableFuture<TrainingSession.Outcome> done;
    private final Executor stepExecutor;
    private final RolloutLedger ledger;
    private final Map<String, ActorRef<RolloutWorker.Command>> workers = new HashMap<>();
    private final String modelConfigJson;
    private WeightPublication publication;
    /** Policy version and steps done, as of the last finished step (the session changes them off this thread). */
    private long version;
    private int stepsDone;
    private boolean stepping;
    private long batchStartNanos = System.nanoTime();
    private long verifyTimeouts;

    /**
     * @param done completed with the selected weights when the schedule is done (or exceptionally if a step fails)
     */
    public static Behavior<Command> create(LearnerJob job, CompletableFuture<TrainingSession.Outcome> done) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new Learner(context, timers, job, done)));
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
        // Lease ids start at the clock in microseconds, so a restarted learner never takes a result of its
        // predecessor's lease for one of its own (a learner hands out far fewer than 1,000 leases a millisecond).
        this.ledger = new RolloutLedger(new PromptQueue(job.task().train(), job.settings().seed(), batch, stepsBefore),
                new StalenessWindow(job.live().maxStaleness(), batch), job.runtime().leaseTimeout().toMillis(),
                (long) job.settings().rl().totalSteps() * batch, (long) stepsBefore * batch, System.currentTimeMillis() * 1000);
        this.modelConfigJson = HfModelConfig.toJson(job.policy().weights().config(), job.dialogue().tokenizer().specials());
        this.version = job.trainer().version();
        this.stepsDone = job.trainer().stepsDone();
        publish();
        timers.startTimerWithFixedDelay(ExpireLeases.INSTANCE, Duration.ofSeconds(1));
        context.getLog().info("learner up: {} steps of {} prompts, max staleness {}", job.settings().rl().totalSteps(), batch,
                job.runtime().maxStaleness());
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
                .onMessage(WorkerGone.class, this::onWorkerGone)
                .onMessage(ExpireLeases.class, tick -> onExpireLeases())
                .build();
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
                .setTemperature(rl.temperature())
                .setMaxAttemptTokens(job.task().maxAttemptTokens())
                .setManifest(publication.manifest())
                .build()));
        return this;
    }

    private Behavior<Command> onRequestWork(RequestWork request) {
        LeaseGrant.Builder grant = LeaseGrant.newBuilder().setCurrentVersion(version).setFinished(finished());
        if (!finished()) {
            long timeout = job.runtime().leaseTimeout().toMillis();
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
                        .setTimeoutMs(timeout));
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
            return this;
        }
        if (group.isEmpty()) {
            context.getLog().warn("worker {} sent an empty group for lease {}; ignored", result.getWorkerId(), result.getLeaseId());
            return this;
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
        return this;
    }

    private void maybeStep() {
        if (stepping || finished()) {
            return;
        }
        ledger.takeBatch(job.settings().rl().promptsPerStep()).ifPresent(batch -> {
            stepping = true;
            double rolloutSeconds = (System.nanoTime() - batchStartNanos) / 1e9;
            Map<String, Object> runtime = runtimeMetrics();
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
                DjlRuntime.gradientsOffOnThisThread();
                return job.trainer().step(batch, rolloutSeconds, runtime);
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
        version = job.trainer().version();
        stepsDone = job.trainer().stepsDone();
        publish();
        workers.values().forEach(worker -> worker.tell(new RolloutWorker.NewVersion(publication.manifest())));
        if (finished()) {
            context.getLog().info("schedule done after {} steps", stepsDone);
            done.complete(job.trainer().finish());
        } else {
            maybeStep();
        }
        return this;
    }

    private boolean finished() {
        return stepsDone >= job.settings().rl().totalSteps();
    }

    private void publish() {
        publication = new WeightPublication(version, WeightCodec.encode(job.policy().weights()), job.runtime().weightChunkBytes(),
                modelConfigJson);
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
                .setStage(job.trainer().stageOf(Math.min(stepsDone + 1, job.settings().rl().totalSteps())).label())
                .setMaxStaleness(job.runtime().maxStaleness())
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
