package emend.actors.verifier;

import emend.actors.metrics.NodeMetrics;
import emend.actors.metrics.Rejections;
import emend.actors.protocol.VerifierProtocol.Command;
import emend.actors.protocol.VerifierProtocol.Verified;
import emend.actors.protocol.VerifierProtocol.Verify;
import emend.proto.VerifyResult;
import emend.task.GroupScorer;
import emend.task.Problem;
import emend.task.ProblemSet;
import emend.task.Task;
import emend.wire.Checked;
import emend.wire.Rejection;
import emend.wire.VerifyCheck;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * Scores groups with the task's verifier, one group at a time, its attempts side by side ({@link GroupScorer}:
 * up to {@code parallelism} calls at once under one group deadline).
 *
 * <p>Overload and misbehaviour never stall a caller: requests wait in a bounded queue (a full queue answers at
 * once with an error); a request whose caller has already given up (its deadline passed) is dropped unscored;
 * and a group still unscored at its deadline is answered with an error (the caller sends it again), its
 * unfinished calls interrupted and their process trees killed, and this verifier goes on with the next request.
 *
 * <p>A request names its problem (id and problem set digest); the verifier scores against the problem set its
 * node loaded, so nothing a message carries is used as a reference or run as a test ({@link VerifyCheck}). A
 * request naming another set or an unknown problem is refused with the reason, and counted.
 */
public final class VerifierActor extends AbstractBehavior<Command> {

    /** A checked request and this node's copy of the problem it names; only these wait in the queue. */
    private record Scoring(Verify request, Problem problem) implements Command {}

    private record Done(Verify request, VerifyResult result, Throwable failure, long startedNanos) implements Command {}

    /**
     * @param parallelism attempts of one group scored at once
     * @param queueCapacity requests waiting behind the one being scored
     */
    public record Limits(int parallelism, int queueCapacity) {}

    private final ActorContext<Command> context;
    private final StashBuffer<Command> queue;
    private final Task task;
    private final ProblemSet problems;
    private final Limits limits;
    private final Executor executor;
    private final GroupScorer scorer;
    private boolean busy;
    private final NodeMetrics metrics;
    /** This actor's name, the label of its queue depth. */
    private final String name;

    /** @param problems {@code task}'s problems as this node loaded them ({@link ProblemSet#of}), shared by a pool */
    public static Behavior<Command> create(Task task, ProblemSet problems, Limits limits) {
        return Behaviors.withStash(limits.queueCapacity(), queue -> Behaviors.setup(context -> new VerifierActor(context, queue, task, problems,
                limits)));
    }

    private VerifierActor(ActorContext<Command> context, StashBuffer<Command> queue, Task task, ProblemSet problems, Limits limits) {
        super(context);
        this.context = context;
        this.queue = queue;
        this.task = task;
        this.problems = problems;
        this.limits = limits;
        this.executor = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(VerifierPool.BLOCKING_DISPATCHER));
        this.scorer = new GroupScorer(task.verifier(), limits.parallelism());
        this.metrics = NodeMetrics.get(context.getSystem());
        this.name = context.getSelf().path().name();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Verify.class, this::onVerify)
                .onMessage(Scoring.class, this::start)
                .onMessage(Done.class, this::onDone)
                .onSignal(PostStop.class, stopped -> {
                    scorer.close();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onVerify(Verify verify) {
        if (verify.replyTo() == null) {
            Rejections.drop(context, new Rejection(VerifyCheck.TYPE, "reply_to", "a request without a reply address"));
            return this;
        }
        Checked<Problem> problem = VerifyCheck.problem(verify.payload(), task.name(), problems);
        if (problem instanceof Checked.Refused<Problem> refused) {
            Rejections.drop(context, refused.rejection());
            reply(verify, error("refused (" + refused.rejection().reason() + "): " + refused.rejection().detail()));
            return this;
        }
        Scoring scoring = new Scoring(verify, ((Checked.Ok<Problem>) problem).value());
        if (!busy) {
            return start(scoring);
        }
        if (queue.isFull()) {
            reply(verify, error("verifier queue full (" + limits.queueCapacity() + " waiting): the pool is overloaded; add verifier "
                    + "nodes or raise emend.runtime.verifier-pool-size"));
        } else {
            queue.stash(scoring);
            metrics.verifierQueue.labelValues(name).set(queue.size());
        }
        return this;
    }

    private Behavior<Command> start(Scoring scoring) {
        Verify verify = scoring.request();
        long deadline = verify.payload().getDeadlineUnixMs();
        if (deadline > 0 && System.currentTimeMillis() > deadline) {
            reply(verify, error("expired before a verifier reached it (its caller gave up): the pool is overloaded"));
            return next();
        }
        if (task.verifier().instant()) {
            // string checks: three thread hand-offs would cost more than the scoring itself
            long started = System.nanoTime();
            VerifyResult result = score(scoring);
            metrics.scoringSeconds.observe((System.nanoTime() - started) / 1e9);
            reply(verify, result);
            return next();
        }
        busy = true;
        long started = System.nanoTime();
        // this thread waits for the group; its attempts run on the scorer's own threads
        context.pipeToSelf(CompletableFuture.supplyAsync(() -> score(scoring), executor),
                (result, failure) -> new Done(verify, result, failure, started));
        return this;
    }

    private Behavior<Command> onDone(Done done) {
        busy = false;
        metrics.scoringSeconds.observe((System.nanoTime() - done.startedNanos()) / 1e9);
        if (done.failure() == null) {
            reply(done.request(), done.result());
        } else if (unwrapped(done.failure()) instanceof GroupScorer.GroupTimeoutException late) {
            context.getLog().warn("verification of problem {}: {}", done.request().payload().getProblemId(), late.getMessage());
            metrics.verifications.labelValues("deadline").inc();
            reply(done.request(), error("not scored: " + late.getMessage()), false);
        } else {
            reply(done.request(), error("the verifier failed: " + unwrapped(done.failure())));
        }
        return next();
    }

    /** What failed inside the scoring future (supplyAsync wraps it). */
    private static Throwable unwrapped(Throwable failure) {
        return failure instanceof CompletionException wrapper && wrapper.getCause() != null ? wrapper.getCause() : failure;
    }

    private Behavior<Command> next() {
        metrics.verifierQueue.labelValues(name).set(Math.max(0, queue.size() - 1));
        return queue.isEmpty() ? this : queue.unstash(this, 1, Function.identity());
    }


    private void reply(Verify verify, VerifyResult result) {
        reply(verify, result, true);
    }

    /** @param count whether this reply counts as an ok or error outcome (a group past its deadline is counted on its own) */
    private void reply(Verify verify, VerifyResult result, boolean count) {
        if (count) {
            metrics.verifications.labelValues(result.getError().isEmpty() ? "ok" : "error").inc();
        }
        verify.replyTo().tell(new Verified(result.toBuilder().setRequestId(verify.payload().getRequestId()).setSend(verify.payload().getSend()).build()));
    }

    private static VerifyResult error(String message) {
        return VerifyResult.newBuilder().setError(message).build();
    }

    private VerifyResult score(Scoring scoring) {
        try {
            VerifyResult.Builder result = VerifyResult.newBuilder();
            for (int score : scorer.score(scoring.problem(), scoring.request().payload().getAttemptsList())) {
                result.addScores(score);
            }
            return result.build();
        } catch (GroupScorer.GroupTimeoutException e) {
            throw new CompletionException(e);
        }
    }
}
