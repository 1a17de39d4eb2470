package emend.actors.rollout;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.metrics.Rejections;
import emend.dispatch.WorkerState;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.WeightManifest;
import emend.task.Dialogue;
import emend.tokenize.Tokenizers;
import emend.wire.Rejection;
import emend.wire.WorkerEdge;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A rollout worker: one policy copy on one device. It introduces itself to the learner, has its {@link WeightFetcher}
 * child download the current weights and its {@link ModelHost} child load them, then loops: ask for prompts when
 * idle, have the model host sample their RLOO groups, have its {@link VerificationRelay} child score them, submit the
 * groups and re-send any the learner has not acknowledged. A newer version is fetched between two generations, never during
 * one. Its phases, drain and re-sends are {@link WorkerState}'s; this actor only moves messages.
 *
 * <p>Only its learner steers it: a spec, a grant and a new version must answer this incarnation's hello (its
 * random nonce) from the spec's learner epoch ({@link WorkerEdge}); anything else is counted and dropped.
 */
public final class RolloutWorker extends AbstractBehavior<LearnerProtocol.ToWorker> {

    private static final Duration RETRY = Duration.ofMillis(200);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

    private final ActorContext<LearnerProtocol.ToWorker> context;
    private final TimerScheduler<LearnerProtocol.ToWorker> timers;
    private final WorkerProtocol.Setup setup;
    private final ActorRef<WeightFetcher.Command> fetcher;
    private final ActorRef<ModelHost.Command> model;
    private final ActorRef<VerificationRelay.Command> relay;
    /** Sent with every hello of this incarnation; only the learner sees it, and its spec must echo it. */
    private final long nonce = new SecureRandom().nextLong();
    private final WorkerState state = new WorkerState();
    private RunSpec spec;
    private Dialogue dialogue;
    private long generationStartNanos;

    public static Behavior<LearnerProtocol.ToWorker> create(WorkerProtocol.Setup setup) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RolloutWorker(context, timers, setup)));
    }

    private RolloutWorker(ActorContext<LearnerProtocol.ToWorker> context, TimerScheduler<LearnerProtocol.ToWorker> timers, WorkerProtocol.Setup setup) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.setup = setup;
        // anonymous children: a restarted worker's new ones must not wait for the old ones' names to be freed
        this.fetcher = context.spawnAnonymous(WeightFetcher.create(setup.workerId(), setup.runtime().tls().sockets(), setup.learner(),
                context.getSelf()));
        this.model = context.spawnAnonymous(ModelHost.create(setup, context.getSelf().narrow()));
        this.relay = context.spawnAnonymous(VerificationRelay.create(setup.workerId(), setup.runtime().verifyTimeout(), context.getSelf().narrow()));
        // a child that fails (a device that cannot be opened, a bug) fails the worker, which its node restarts: an
        // unwatched one would leave it waiting for a load or a generation that never ends
        List.of(fetcher, model, relay).forEach(context::watch);
        sayHello();
        timers.startTimerWithFixedDelay(WorkerProtocol.ResendUnacked.INSTANCE, ACK_TIMEOUT);
    }

    @Override
    public Receive<LearnerProtocol.ToWorker> createReceive() {
        return newReceiveBuilder()
                .onMessage(LearnerProtocol.Spec.class, this::onSpec)
                .onMessage(LearnerProtocol.NewVersion.class, announced -> onNewVersion(announced.payload(), null))
                .onMessage(LearnerProtocol.SharedVersion.class, shared -> onNewVersion(shared.payload(), shared.bytes()))
                .onMessage(LearnerProtocol.Chunk.class, chunk -> forward(new WeightFetcher.ChunkArrived(chunk.payload())))
                .onMessage(WorkerProtocol.Announced.class, announced -> state.announced(announced.version()) ? whenFree() : this)
                .onMessage(WorkerProtocol.Fetched.class, this::onFetched)
                .onMessage(LearnerProtocol.Grant.class, this::onGrant)
                .onMessage(WorkerProtocol.Loaded.class, this::onLoaded)
                .onMessage(WorkerProtocol.Generated.class, this::onGenerated)
                .onMessage(WorkerProtocol.GroupScored.class, scored -> submit(scored.result()))
                .onMessageEquals(WorkerProtocol.BatchVerified.INSTANCE, this::whenFree)
                .onMessage(LearnerProtocol.Ack.class, ack -> {
                    state.acknowledged(ack.payload().getLeaseId());
                    return stopIfDrained();
                })
                .onMessage(WorkerProtocol.VerifiersKnown.class, known -> state.verifiersListed(known.any()) ? whenFree() : this)
                .onMessageEquals(WorkerProtocol.Retry.INSTANCE, this::onRetry)
                .onMessageEquals(WorkerProtocol.ResendUnacked.INSTANCE, () -> {
                    state.unacknowledged().forEach(this::submit);
                    return this;
                })
                .onMessageEquals(WorkerProtocol.Drain.INSTANCE, () -> state.drain() ? whenFree() : stopIfDrained())
                .build();
    }

    private void sayHello() {
        setup.learner().tell(new LearnerProtocol.Hello(setup.hello(context.getSystem().address().toString(), nonce), context.getSelf()));
        timers.startSingleTimer(WorkerProtocol.Retry.INSTANCE, Duration.ofSeconds(2));
    }

    /** Whether the edge check found {@code bad}; a rejected message is counted and dropped. */
    private boolean rejected(Optional<Rejection> bad) {
        bad.ifPresent(rejection -> Rejections.drop(context, rejection));
        return bad.isPresent();
    }

    private Behavior<LearnerProtocol.ToWorker> forward(WeightFetcher.Command command) {
        fetcher.tell(command);
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> onSpec(LearnerProtocol.Spec message) {
        if (rejected(WorkerEdge.spec(message.payload(), nonce))
                || spec != null && spec.getLearnerEpoch() == message.payload().getLearnerEpoch()) {
            return this;
        }
        Dialogue next;
        try {
            next = new Dialogue(Tokenizers.forKind(message.payload().getTokenizerKind()), message.payload().getInstruction());
        } catch (RuntimeException e) {
            rejected(Optional.of(new Rejection("Spec", "tokenizer", "tokenizer " + message.payload().getTokenizerKind() + ": " + e.getMessage())));
            return this;
        }
        spec = message.payload();
        dialogue = next;
        state.registered(spec.getLearnerEpoch());
        timers.cancel(WorkerProtocol.Retry.INSTANCE);
        return forward(new WeightFetcher.Restart(spec.getManifest()));
    }

    /** @param shared the encoded weights, from a learner in this JVM; null: to be fetched */
    private Behavior<LearnerProtocol.ToWorker> onNewVersion(WeightManifest manifest, byte[] shared) {
        return rejected(WorkerEdge.newVersion(manifest, spec, nonce)) ? this : forward(new WeightFetcher.Offer(manifest, shared));
    }

    /** Loads a verified version on the model thread; work is asked for after. */
    private Behavior<LearnerProtocol.ToWorker> onFetched(WorkerProtocol.Fetched fetched) {
        if (state.load(fetched.manifest())) {
            model.tell(new ModelHost.Load(fetched.manifest(), fetched.bytes(), dialogue));
        }
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> onLoaded(WorkerProtocol.Loaded loaded) {
        if (!state.isCurrentLoad(loaded.manifest())) {
            return this;
        }
        if (loaded.failure() != null) {
            throw new IllegalStateException("worker " + setup.workerId() + ": version " + loaded.manifest().getVersion()
                    + " passed its hash check but could not be loaded", loaded.failure());
        }
        state.loaded();
        return whenFree();
    }

    /** The worker is free: finish, fetch a newer version, serve kept leases, or ask the learner for work. */
    private Behavior<LearnerProtocol.ToWorker> whenFree() {
        WorkerState.Next next = state.free();
        if (next instanceof WorkerState.Finish finish && finish.awaitGrant()) {
            // the grant of a request sent before the drain may still bring leases: serve them, or give up later
            timers.startSingleTimer(WorkerProtocol.Retry.INSTANCE, ACK_TIMEOUT);
        } else if (next instanceof WorkerState.Finish) {
            timers.cancel(WorkerProtocol.Retry.INSTANCE);
        } else if (next instanceof WorkerState.FetchWeights) {
            timers.cancel(WorkerProtocol.Retry.INSTANCE);
            fetcher.tell(WeightFetcher.Begin.INSTANCE);
        } else if (next instanceof WorkerState.Generate generate) {
            startGeneration(generate.leases());
        } else if (next instanceof WorkerState.AwaitVerifiers) {
            timers.startSingleTimer(WorkerProtocol.Retry.INSTANCE, Duration.ofSeconds(2));
        } else if (next instanceof WorkerState.AskForWork) {
            setup.learner().tell(new LearnerProtocol.RequestWork(setup.workRequest(state.heldVersion()), context.getSelf()));
            timers.startSingleTimer(WorkerProtocol.Retry.INSTANCE, Duration.ofSeconds(2));
        }
        return stopIfDrained();
    }

    private Behavior<LearnerProtocol.ToWorker> onRetry() {
        switch (state.phase()) {
            case REGISTERING -> sayHello();
            case ASKING -> {
                return whenFree();
            }
            case FINISHED -> state.grantLost();
            default -> { }
        }
        return stopIfDrained();
    }

    private Behavior<LearnerProtocol.ToWorker> onGrant(LearnerProtocol.Grant message) {
        LeaseGrant grant = message.payload();
        if (rejected(WorkerEdge.grant(grant, spec, nonce, setup.runtime().promptsPerRequest()))) {
            return this;
        }
        WorkerState.AfterGrant after = state.granted(grant);
        if (after instanceof WorkerState.Serve serve) {
            startGeneration(serve.leases());
        } else if (after instanceof WorkerState.Reregister reregister) {
            context.getLog().info("worker {}: a new learner (epoch {}) answers; registering with it", setup.workerId(), reregister.learnerEpoch());
            sayHello();
        } else if (after instanceof WorkerState.RunFinished) {
            timers.cancel(WorkerProtocol.Retry.INSTANCE);
        } else if (after instanceof WorkerState.NoWorkYet) {
            timers.startSingleTimer(WorkerProtocol.Retry.INSTANCE, RETRY);
        }
        return stopIfDrained();
    }

    private void startGeneration(List<PromptLease> work) {
        timers.cancel(WorkerProtocol.Retry.INSTANCE);
        List<PromptLease> batch = state.generating(work);
        generationStartNanos = System.nanoTime();
        model.tell(new ModelHost.Generate(spec, dialogue, batch, state.heldVersion()));
    }

    private Behavior<LearnerProtocol.ToWorker> onGenerated(WorkerProtocol.Generated generated) {
        if (!state.isCurrentBatch(generated.leases())) {
            return this;
        }
        if (generated.failure() != null) {
            throw new IllegalStateException("worker " + setup.workerId() + ": generation failed", generated.failure());
        }
        state.verifying();
        relay.tell(new VerificationRelay.ScoreBatch(generated.groups(), spec, dialogue, generationStartNanos,
                System.currentTimeMillis() + setup.runtime().leaseTimeout().toMillis()));
        return this;
    }

    /** Sends a scored group to the learner (again, on the resend timer), keeping it until acknowledged. */
    private Behavior<LearnerProtocol.ToWorker> submit(GroupResult result) {
        state.submitted(result);
        setup.learner().tell(new LearnerProtocol.Submit(result, context.getSelf()));
        return this;
    }

    /** A draining worker stops once it holds no lease and every result it sent is acknowledged. */
    private Behavior<LearnerProtocol.ToWorker> stopIfDrained() {
        if (!state.drained()) {
            return this;
        }
        context.getLog().info("worker {} drained", setup.workerId());
        return Behaviors.stopped();
    }
}
