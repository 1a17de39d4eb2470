package emend.actors.learner;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.protocol.LearnerProtocol.Command;
import emend.actors.metrics.NodeHealth;
import emend.actors.metrics.NodeMetrics;
import emend.actors.metrics.Rejections;
import emend.dispatch.LearnerSnapshot;
import emend.dispatch.OperatorCommands;
import emend.dispatch.RunControl;
import emend.dispatch.WorkerDesk;
import emend.proto.Evaluation;
import emend.proto.GroupAck;
import emend.proto.LeaseGrant;
import emend.run.LearnerJob;
import emend.run.LearnerSteps;
import emend.run.TrainingSession;
import emend.wire.Rejection;
import emend.wire.Replies;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * staleness window, admits scored groups, runs a learner step whenever a batch is full (on the model thread, while
 * rollouts go on), and publishes each new policy version as a manifest plus chunks that workers pull. It only moves
 * messages: the worker protocol's books and edge checks are {@link WorkerDesk}'s, the operator's commands
 * {@link OperatorDesk}'s, the steps {@link LearnerSteps}'; a message that fails its edge check is counted and dropped.
 */
public final class Learner extends AbstractBehavior<Command> {

    private record StepDone(LearnerSteps.StepResult result, Throwable failure) implements Command {}

    private record WorkerGone(String workerId) implements Command {}

    private enum ExpireLeases implements Command { INSTANCE }

    private final ActorContext<Command> context;
    private final LearnerJob job;
    private final CompletableFuture<TrainingSession.Outcome> done;
    /** Version, steps done and the operator's pause / stop, as of the last finished step. */
    private final RunControl run;
    private final WorkerDesk<ActorRef<LearnerProtocol.ToWorker>> desk;
    private final OperatorDesk operator;
    private final VersionPublisher publisher;
    private final LearnerSteps steps;
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
            Optional<String> behind = job.behindTheRunDirectory();
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
                    done.completeExceptionally(job.stoppedEarly(job.trainer().stepsDone(), "it could not start: " + e, e));
                    return Behaviors.stopped();
                }
            });
        })).onFailure(SupervisorStrategy.resume());
    }

    private Learner(ActorContext<Command> context, TimerScheduler<Command> timers, LearnerJob job,
                    CompletableFuture<TrainingSession.Outcome> done) {
        super(context);
        this.context = context;
        this.job = job;
        this.done = done;
        // The clock (milliseconds x 1000) names this incarnation and starts its lease ids (a learner hands out far
        // fewer than 1,000 leases a millisecond).
        long epoch = System.currentTimeMillis() * 1000;
        this.run = new RunControl(job.settings().rl().totalSteps(), job.trainer().version(), job.trainer().stepsDone(),
                job.trainer().lastCheckpointStep());
        this.desk = new WorkerDesk<>(job, run, epoch);
        this.publisher = new VersionPublisher(job, epoch, run.version(), context.getSystem().address().getHost().orElse("127.0.0.1"),
                context.getLog());
        this.steps = new LearnerSteps(job.trainer(),
                context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("emend-model-dispatcher")), publisher::encode);
        this.operator = new OperatorDesk(context, job, run, new OperatorCommands(run, job.live(), desk::setMaxStaleness), steps, done,
                this::snapshot, this::maybeStep);
        timers.startTimerWithFixedDelay(ExpireLeases.INSTANCE, Duration.ofSeconds(1));
        NodeHealth.get(context.getSystem()).learnerServing(true);
        context.getLog().info("learner up: {} steps of {} prompts, max staleness {}", run.totalSteps(), job.settings().rl().promptsPerStep(),
                job.live().maxStaleness());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(LearnerProtocol.Hello.class, this::onHello)
                .onMessage(LearnerProtocol.RequestWork.class, this::onRequestWork)
                .onMessage(LearnerProtocol.Submit.class, this::onSubmit)
                .onMessage(LearnerProtocol.FetchChunk.class, this::onFetchChunk)
                .onMessage(LearnerProtocol.GetStatus.class, this::onGetStatus)
                .onMessage(StepDone.class, this::onStepDone)
                .onMessage(LearnerProtocol.Control.class, control -> handled(() -> operator.onControl(control)))
                .onMessage(OperatorDesk.CheckpointDone.class, written -> handled(() -> operator.onCheckpointDone(written)))
                .onMessage(OperatorDesk.StopDone.class, written -> handled(() -> operator.onStopDone(written)))
                .onMessage(WorkerGone.class, this::onWorkerGone)
                .onMessage(ExpireLeases.class, tick -> onExpireLeases())
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    /** Frees the stream; a learner that stops before its run ended (a node leaving, a failure) ends the job. */
    private Behavior<Command> onPostStop() {
        NodeHealth.get(context.getSystem()).learnerServing(false);
        publisher.close();
        done.completeExceptionally(job.stoppedEarly(run.stepsDone(), "it stopped before its schedule was done (the log above says why)", null));
        return this;
    }

    /** Counts and logs a message that failed its edge check; it is dropped. */
    private Behavior<Command> drop(Optional<Rejection> rejection) {
        rejection.ifPresent(bad -> Rejections.drop(context, bad));
        return this;
    }

    private Behavior<Command> onHello(LearnerProtocol.Hello hello) {
        WorkerDesk.Outcome<WorkerDesk.Welcome> outcome = desk.hello(hello.payload(), hello.replyTo(), publisher::manifestFor);
        outcome.answer().ifPresent(welcome -> {
            if (welcome.joined()) {
                context.watchWith(hello.replyTo(), new WorkerGone(hello.payload().getWorkerId()));
                context.getLog().info("worker {} joined on {} ({})", hello.payload().getWorkerId(), hello.payload().getNodeAddress(),
                        hello.payload().getDevice());
            }
            hello.replyTo().tell(new LearnerProtocol.Spec(welcome.spec()));
        });
        return drop(outcome.rejection());
    }

    private Behavior<Command> onRequestWork(LearnerProtocol.RequestWork request) {
        WorkerDesk.Outcome<LeaseGrant> outcome = desk.requestWork(request.payload(), request.replyTo(), System.currentTimeMillis());
        outcome.answer().ifPresent(grant -> request.replyTo().tell(new LearnerProtocol.Grant(grant)));
        return drop(outcome.rejection());
    }

    private Behavior<Command> onSubmit(LearnerProtocol.Submit submit) {
        WorkerDesk.Outcome<GroupAck> outcome = desk.submit(submit.payload(), submit.replyTo());
        outcome.answer().ifPresent(ack -> submit.replyTo().tell(new LearnerProtocol.Ack(ack)));
        maybeStep();
        return drop(outcome.rejection());
    }

    private Behavior<Command> onFetchChunk(LearnerProtocol.FetchChunk fetch) {
        Optional<Rejection> bad = desk.fetchChunk(fetch.payload(), fetch.replyTo(), publisher.version(), publisher.chunkCount());
        if (bad.isEmpty()) {
            fetch.replyTo().tell(new LearnerProtocol.Chunk(publisher.chunk(fetch.payload())));
        }
        return drop(bad);
    }

    private Behavior<Command> onGetStatus(LearnerProtocol.GetStatus request) {
        Optional<Rejection> bad = Replies.missing("GetStatus", request.replyTo());
        if (bad.isEmpty()) {
            request.replyTo().tell(new LearnerProtocol.Status(snapshot().runtime()));
        }
        return drop(bad);
    }

    private Behavior<Command> onWorkerGone(WorkerGone gone) {
        context.getLog().info("worker {} left; {} of its leases re-issued", gone.workerId(), desk.workerLeft(gone.workerId()));
        return this;
    }

    private Behavior<Command> onExpireLeases() {
        int reissued = desk.expireDue(System.currentTimeMillis());
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
        if (run.mayStep()) {
            desk.takeBatch().ifPresent(batch -> {
                run.stepStarted();
                context.pipeToSelf(steps.step(batch, snapshot().stepMetrics()), StepDone::new);
            });
        }
    }

    private Behavior<Command> onStepDone(StepDone step) {
        steps.stepEnded();
        if (step.failure() != null) {
            context.getLog().error("learner step failed; the run stops", step.failure());
            done.completeExceptionally(job.stoppedEarly(run.stepsDone(), "step " + (run.stepsDone() + 1) + " failed ("
                    + OperatorCommands.rootMessage(step.failure()) + ")", step.failure()));
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
        desk.workers().forEach(worker -> worker.ref().tell(publisher.announcementFor(worker.ref(), worker.nonce())));
        if (run.finished()) {
            context.getLog().info("schedule done after {} steps", run.stepsDone());
            steps.finish(done);
        } else {
            maybeStep();
        }
        return this;
    }

    private Behavior<Command> handled(Runnable handling) {
        handling.run();
        return this;
    }

    private LearnerSnapshot snapshot() {
        return desk.snapshot(NodeMetrics.get(context.getSystem()).rejectedTotal(), lastTokensPerSecond, lastEvaluation);
    }
}
