package emend.actors.rollout;

import emend.actors.protocol.VerifierProtocol;
import emend.actors.metrics.NodeMetrics;
import emend.actors.metrics.Rejections;
import emend.dispatch.LeasedRollouts;
import emend.dispatch.PendingScores;
import emend.proto.RunSpec;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.rollout.GroupScoring;
import emend.rollout.RlooGroup;
import emend.task.Dialogue;
import emend.wire.Rejection;
import emend.wire.WorkerEdge;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A rollout worker's verification fan-out (a child of the worker): sends each leased group of a generated batch
 * to a verifier pool, round robin over the pools the receptionist lists, with
 * a deadline; a sending that fails or times out goes again after a pause until the worker's lease on the group
 * would run out ({@link PendingScores}: a group is never scored 0 for want of an answer, it is let go). Tells the
 * worker each group's result for the learner ({@link WorkerProtocol.GroupScored}), that the batch is done
 * ({@link WorkerProtocol.BatchVerified}: every group scored or let go) and whether any verifier pool is known
 * ({@link WorkerProtocol.VerifiersKnown}).
 */
final class VerificationRelay extends AbstractBehavior<VerificationRelay.Command> {

    sealed interface Command {}

    /**
     * Score {@code groups}, whose generation began at {@code startNanos} ({@link System#nanoTime}); the worker's
     * leases on them end at {@code leaseEndMillis}.
     */
    record ScoreBatch(List<LeasedRollouts.LeasedGroup> groups, RunSpec spec, Dialogue dialogue, long startNanos, long leaseEndMillis)
            implements Command {}

    /** An answer from a verifier, or (result null) the timeout of sending {@code send}. */
    private record Scored(long leaseId, int send, VerifyResult result, Throwable failure) implements Command {}

    /** Time to send a group whose verification failed again. */
    private record SendAgain(long leaseId) implements Command {}

    private record VerifiersListed(Set<ActorRef<VerifierProtocol.Command>> pools) implements Command {}

    /** The timer key of a lease's verification deadline. */
    private record VerifyDeadline(long leaseId) {}

    /** A group and the request that scores it, kept until its scores arrive (it may be sent again). */
    private record Awaiting(RlooGroup group, VerifyRequest request, long generationStartNanos, long firstSentNanos) {}

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String workerId;
    private final Duration verifyTimeout;
    private final ActorRef<WorkerProtocol.Command> worker;
    private final NodeMetrics metrics;
    /** Where every verifier answers; a result names its lease by its request id. */
    private final ActorRef<VerifierProtocol.Verified> verifiedAdapter;
    private final PendingScores<Awaiting> pending = new PendingScores<>();
    private List<ActorRef<VerifierProtocol.Command>> verifiers = List.of();
    private int nextVerifier;

    static Behavior<Command> create(String workerId, Duration verifyTimeout, ActorRef<WorkerProtocol.Command> worker) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new VerificationRelay(context, timers, workerId, verifyTimeout, worker)));
    }

    private VerificationRelay(ActorContext<Command> context, TimerScheduler<Command> timers, String workerId, Duration verifyTimeout,
                        ActorRef<WorkerProtocol.Command> worker) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.workerId = workerId;
        this.verifyTimeout = verifyTimeout;
        this.worker = worker;
        this.metrics = NodeMetrics.get(context.getSystem());
        this.verifiedAdapter = context.messageAdapter(VerifierProtocol.Verified.class,
                verified -> new Scored(verified.payload().getRequestId(), verified.payload().getSend(), verified.payload(), null));
        context.getSystem().receptionist().tell(Receptionist.subscribe(VerifierProtocol.KEY,
                context.messageAdapter(Receptionist.Listing.class, listing -> new VerifiersListed(listing.getServiceInstances(VerifierProtocol.KEY)))));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(ScoreBatch.class, this::onScoreBatch)
                .onMessage(Scored.class, this::onScored)
                .onMessage(SendAgain.class, again -> send(again.leaseId()))
                .onMessage(VerifiersListed.class, this::onVerifiersListed)
                .build();
    }

    private Behavior<Command> onVerifiersListed(VerifiersListed listed) {
        verifiers = List.copyOf(listed.pools());
        worker.tell(new WorkerProtocol.VerifiersKnown(!verifiers.isEmpty()));
        return this;
    }

    private Behavior<Command> onScoreBatch(ScoreBatch batch) {
        for (LeasedRollouts.LeasedGroup group : batch.groups()) {
            VerifyRequest request = LeasedRollouts.verifyRequest(batch.spec(), group.lease(), group.group(), batch.dialogue());
            pending.await(group.lease().getLeaseId(), new Awaiting(group.group(), request, batch.startNanos(), System.nanoTime()), batch.leaseEndMillis());
        }
        // all awaited before any is sent: a group let go at once must not end the batch while others are still to come
        batch.groups().forEach(group -> send(group.lease().getLeaseId()));
        return this;
    }

    /** A group left: once none is pending, the batch is done. */
    private Behavior<Command> groupEnded() {
        if (pending.isEmpty()) {
            worker.tell(WorkerProtocol.BatchVerified.INSTANCE);
        }
        return this;
    }

    /** Sends a pending group's current sending to the next verifier pool, with a deadline and a timeout of its own. */
    private Behavior<Command> send(long leaseId) {
        Optional<Awaiting> awaiting = pending.group(leaseId);
        if (awaiting.isEmpty()) {
            return this;
        }
        if (verifiers.isEmpty()) {   // the pools left since the worker asked for work: try again after the usual pause
            return failed(leaseId, pending.send(leaseId), "no verifier pool is known");
        }
        int send = pending.send(leaseId);
        VerifyRequest request = awaiting.get().request().toBuilder().setSend(send)
                .setDeadlineUnixMs(System.currentTimeMillis() + verifyTimeout.toMillis()).build();
        ActorRef<VerifierProtocol.Command> pool = verifiers.get(nextVerifier++ % verifiers.size());
        // Not context.ask: profiled, each of its replies completed through Scala's future-to-CompletableFuture
        // converter on CompletableFuture's default async executor, a new thread per reply on a 2-core machine.
        pool.tell(new VerifierProtocol.Verify(request, verifiedAdapter));
        timers.startSingleTimer(new VerifyDeadline(leaseId), new Scored(leaseId, send, null,
                new TimeoutException("no verifier answered within " + verifyTimeout)), verifyTimeout);
        return this;
    }

    private Behavior<Command> onScored(Scored scored) {
        Optional<Awaiting> awaiting = pending.group(scored.leaseId());
        if (awaiting.isEmpty()) {
            return this;
        }
        RlooGroup group = awaiting.get().group();
        Optional<Rejection> bad = scored.failure() == null ? WorkerEdge.verified(scored.result(), GroupScoring.scoreCount(group)) : Optional.empty();
        bad.ifPresent(rejection -> Rejections.drop(context, rejection));
        if (scored.failure() != null || !scored.result().getError().isEmpty() || bad.isPresent()) {
            String why = scored.failure() != null ? scored.failure().getMessage() : bad.map(Rejection::toString).orElse(scored.result().getError());
            return failed(scored.leaseId(), scored.send(), why);
        }
        timers.cancel(new VerifyDeadline(scored.leaseId()));
        int failures = pending.scored(scored.leaseId()).orElseThrow().failures();
        metrics.verifyLatency.labelValues(workerId).observe((System.nanoTime() - awaiting.get().firstSentNanos()) / 1e9);
        double seconds = (System.nanoTime() - awaiting.get().generationStartNanos()) / 1e9;
        worker.tell(new WorkerProtocol.GroupScored(LeasedRollouts.result(scored.leaseId(), workerId, seconds, failures, group, scored.result())));
        return groupEnded();
    }

    /** Sends the group again after a pause, or lets it go when the lease would run out first (never scores it 0). */
    private Behavior<Command> failed(long leaseId, int send, String why) {
        PendingScores.Next next = pending.failed(leaseId, send, System.currentTimeMillis());
        if (next instanceof PendingScores.SendAgain again) {
            context.getLog().warn("worker {}: verification of lease {} failed ({}); sending it again in {} ms", workerId, leaseId,
                    why, again.pause().toMillis());
            metrics.verifyResent.labelValues(workerId).inc();
            timers.startSingleTimer(new VerifyDeadline(leaseId), new SendAgain(leaseId), again.pause());
        } else if (next instanceof PendingScores.LetGo letGo) {
            context.getLog().warn("worker {}: verification of lease {} failed {} times (last: {}); the lease runs out before another "
                    + "answer could come, so the group is dropped and the learner re-issues its prompt", workerId, leaseId,
                    letGo.failures(), why);
            metrics.verifyAbandoned.labelValues(workerId).inc();
            timers.cancel(new VerifyDeadline(leaseId));
            return groupEnded();
        }
        return this;
    }
}
