package emend.actors.rollout;

import emend.actors.learner.LearnerProtocol;
import emend.actors.node.NodeMetrics;
import emend.actors.verifier.VerifierActor;
import emend.actors.wire.Rejections;
import emend.config.RuntimeSettings;
import emend.dispatch.LeasedRollouts;
import emend.dispatch.PolicyReplica;
import emend.dispatch.WorkerState;
import emend.engine.DeviceSlots;
import emend.engine.ModelThread;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.VerifyResult;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rollout.Trajectory;
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
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A rollout worker: one policy copy ({@link PolicyReplica}) on one device. It introduces itself to the learner,
 * has its {@link WeightFetcher} child download the current weights, then loops: ask for prompts when idle, sample
 * their RLOO groups on the model thread, have its {@link VerificationRelay} child score them, submit the groups and
 * re-send any the learner has not acknowledged. A newer version is fetched between two generations, never during
 * one. Its phases, drain and re-sends are {@link WorkerState}'s; this actor only moves messages.
 *
 * <p>Only its learner steers it: a spec, a grant and a new version must answer this incarnation's hello (its
 * random nonce) from the spec's learner epoch ({@link WorkerEdge}); anything else is counted and dropped.
 */
public final class RolloutWorker extends AbstractBehavior<LearnerProtocol.ToWorker> {

    /** The worker's own messages; what the learner tells it is {@link LearnerProtocol.ToWorker}. */
    public sealed interface Command extends LearnerProtocol.ToWorker {}

    /** Finish the leases held, take no more, then stop (a node scaling down or draining; local only). */
    public enum Drain implements Command { INSTANCE }

    /** The newest version the learner announced, from the {@link WeightFetcher}. */
    record Announced(long version) implements Command {}

    /** A whole version whose chunks all passed their hash check, from the {@link WeightFetcher}. */
    record Fetched(WeightManifest manifest, byte[] bytes) implements Command {}

    /** A group's scores, from the {@link VerificationRelay}, after {@code failures} failed verifications. */
    record GroupScored(long leaseId, List<Trajectory> group, VerifyResult scores, int failures) implements Command {}

    /** Every group of the batch is scored or let go (the learner re-issues those), from the {@link VerificationRelay}. */
    enum BatchVerified implements Command { INSTANCE }

    /** Whether the receptionist lists any verifier pool (the worker takes no work while it knows none). */
    record VerifiersKnown(boolean any) implements Command {}

    private record Loaded(WeightManifest manifest, Throwable failure) implements Command {}

    /** The outcome of generating {@code leases}; a restarted worker drops one its former self started. */
    private record Generated(List<PromptLease> leases, List<Trajectory> rows, Throwable failure) implements Command {}

    private enum Retry implements Command { INSTANCE }

    private enum ResendUnacked implements Command { INSTANCE }

    /**
     * What a worker needs besides the learner's RunSpec. Verifier pools are found through the receptionist
     * ({@link VerifierActor#KEY}); the worker takes no work while it knows none.
     */
    public record Setup(String workerId, DeviceSlots.Slot device, RuntimeSettings runtime, ActorRef<LearnerProtocol.Command> learner,
                        PolicyReplica.GeneratorFactory generators) {}

    private static final Duration RETRY = Duration.ofMillis(200);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

    private final ActorContext<LearnerProtocol.ToWorker> context;
    private final TimerScheduler<LearnerProtocol.ToWorker> timers;
    private final Setup setup;
    private final PolicyReplica replica;
    private final ActorRef<WeightFetcher.Command> fetcher;
    private final ActorRef<VerificationRelay.Command> relay;
    private final NodeMetrics metrics;
    /** Sent with every hello of this incarnation; only the learner sees it, and its spec must echo it. */
    private final long nonce = new SecureRandom().nextLong();
    private final WorkerState state = new WorkerState();
    private RunSpec spec;
    private Dialogue dialogue;
    private long announcedVersion = -1;
    private long heldVersion = -1;
    /** The version being loaded (phase LOADING); a restarted worker ignores its former self's load. */
    private WeightManifest loading;
    private boolean verifiersKnown;
    private long generationStartNanos;

    public static Behavior<LearnerProtocol.ToWorker> create(Setup setup) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RolloutWorker(context, timers, setup)));
    }

    private RolloutWorker(ActorContext<LearnerProtocol.ToWorker> context, TimerScheduler<LearnerProtocol.ToWorker> timers, Setup setup) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.setup = setup;
        // the model thread of this worker's device slot (workers on different slots generate at the same time); slot 0
        // through the model dispatcher, whose executor a deployment or `bench cluster` may configure
        this.replica = new PolicyReplica(setup.device().device(), setup.device().thread() == 0
                ? context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("emend-model-dispatcher"))
                : ModelThread.executor(setup.device().thread()), setup.generators());
        this.metrics = NodeMetrics.get(context.getSystem());
        // anonymous children: a restarted worker's new ones must not wait for the old ones' names to be freed
        this.fetcher = context.spawnAnonymous(WeightFetcher.create(setup.workerId(), setup.runtime().tls().sockets(), setup.learner(),
                context.getSelf()));
        this.relay = context.spawnAnonymous(VerificationRelay.create(setup.workerId(), setup.runtime().verifyTimeout(), context.getSelf().narrow()));
        sayHello();
        timers.startTimerWithFixedDelay(ResendUnacked.INSTANCE, ACK_TIMEOUT);
    }

    @Override
    public Receive<LearnerProtocol.ToWorker> createReceive() {
        return newReceiveBuilder()
                .onMessage(LearnerProtocol.Spec.class, this::onSpec)
                .onMessage(LearnerProtocol.NewVersion.class, this::onNewVersion)
                .onMessage(LearnerProtocol.Chunk.class, chunk -> forward(new WeightFetcher.ChunkArrived(chunk.payload())))
                .onMessage(Announced.class, this::onAnnounced)
                .onMessage(Fetched.class, this::onFetched)
                .onMessage(LearnerProtocol.Grant.class, this::onGrant)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(Generated.class, this::onGenerated)
                .onMessage(GroupScored.class, this::onGroupScored)
                .onMessageEquals(BatchVerified.INSTANCE, this::whenFree)
                .onMessage(LearnerProtocol.Ack.class, this::onAck)
                .onMessage(VerifiersKnown.class, this::onVerifiersKnown)
                .onMessageEquals(Retry.INSTANCE, this::onRetry)
                .onMessageEquals(ResendUnacked.INSTANCE, this::onResendUnacked)
                .onMessageEquals(Drain.INSTANCE, this::onDrain)
                .onSignal(PostStop.class, signal -> freeModel())
                .onSignal(PreRestart.class, signal -> freeModel())
                .build();
    }

    private void sayHello() {
        setup.learner().tell(new LearnerProtocol.Hello(WorkerHello.newBuilder().setWorkerId(setup.workerId())
                .setNodeAddress(context.getSystem().address().toString()).setDevice(setup.device().label()).setNonce(nonce).build(),
                context.getSelf()));
        timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
    }

    private Behavior<LearnerProtocol.ToWorker> drop(Rejection rejection) {
        Rejections.drop(context, rejection);
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> forward(WeightFetcher.Command command) {
        fetcher.tell(command);
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> onSpec(LearnerProtocol.Spec message) {
        Optional<Rejection> bad = WorkerEdge.spec(message.payload(), nonce);
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        if (spec != null && spec.getLearnerEpoch() == message.payload().getLearnerEpoch()) {
            return this;
        }
        Dialogue next;
        try {
            next = new Dialogue(Tokenizers.forKind(message.payload().getTokenizerKind()), message.payload().getInstruction());
        } catch (RuntimeException e) {
            return drop(new Rejection("Spec", "tokenizer", "tokenizer " + message.payload().getTokenizerKind() + ": " + e.getMessage()));
        }
        spec = message.payload();
        dialogue = next;
        state.registered(spec.getLearnerEpoch());
        state.fetching();
        timers.cancel(Retry.INSTANCE);
        return forward(new WeightFetcher.Restart(spec.getManifest()));
    }

    private Behavior<LearnerProtocol.ToWorker> onNewVersion(LearnerProtocol.NewVersion message) {
        Optional<Rejection> bad = WorkerEdge.newVersion(message.payload(), spec, nonce);
        return bad.isPresent() ? drop(bad.get()) : forward(new WeightFetcher.Offer(message.payload()));
    }

    private Behavior<LearnerProtocol.ToWorker> onAnnounced(Announced announced) {
        announcedVersion = announced.version();
        return state.phase() == WorkerState.Phase.ASKING ? whenFree() : this;
    }

    private Behavior<LearnerProtocol.ToWorker> onVerifiersKnown(VerifiersKnown known) {
        boolean hadNone = !verifiersKnown;
        verifiersKnown = known.any();
        return hadNone && verifiersKnown && state.phase() == WorkerState.Phase.ASKING ? whenFree() : this;
    }

    /** Loads a verified version on the model thread; work is asked for after. */
    private Behavior<LearnerProtocol.ToWorker> onFetched(Fetched fetched) {
        // a version of a learner this worker has since left (a failover while the download ended) is not loaded
        if (state.phase() != WorkerState.Phase.FETCHING || fetched.manifest().getLearnerEpoch() != spec.getLearnerEpoch()) {
            return this;
        }
        state.loading();
        loading = fetched.manifest();
        context.pipeToSelf(replica.load(fetched.manifest(), fetched.bytes(), dialogue), (done, failure) -> new Loaded(fetched.manifest(), failure));
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> onLoaded(Loaded loaded) {
        if (state.phase() != WorkerState.Phase.LOADING || loaded.manifest() != loading) {
            return this;
        }
        if (loaded.failure() != null) {
            throw new IllegalStateException("worker " + setup.workerId() + ": version " + loaded.manifest().getVersion()
                    + " passed its hash check but could not be loaded", loaded.failure());
        }
        heldVersion = loaded.manifest().getVersion();
        metrics.heldVersion.labelValues(setup.workerId()).set(heldVersion);
        return whenFree();
    }

    /** The worker is free: finish, fetch a newer version, serve kept leases, or ask the learner for work. */
    private Behavior<LearnerProtocol.ToWorker> whenFree() {
        WorkerState.Next next = state.free(announcedVersion > heldVersion, verifiersKnown);
        if (next instanceof WorkerState.Finish finish) {
            // the grant of a request sent before the drain may still bring leases: serve them, or give up later
            if (finish.awaitGrant()) {
                timers.startSingleTimer(Retry.INSTANCE, ACK_TIMEOUT);
            } else {
                timers.cancel(Retry.INSTANCE);
            }
        } else if (next instanceof WorkerState.FetchWeights) {
            state.fetching();
            timers.cancel(Retry.INSTANCE);
            fetcher.tell(WeightFetcher.Begin.INSTANCE);
        } else if (next instanceof WorkerState.Generate generate) {
            startGeneration(generate.leases());
        } else if (next instanceof WorkerState.AwaitVerifiers) {
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
        } else if (next instanceof WorkerState.AskForWork) {
            setup.learner().tell(new LearnerProtocol.RequestWork(WorkRequest.newBuilder().setWorkerId(setup.workerId())
                    .setCapacity(setup.runtime().promptsPerRequest()).setPolicyVersion(heldVersion).build(), context.getSelf()));
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
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
        Optional<Rejection> bad = WorkerEdge.grant(grant, spec, nonce, setup.runtime().promptsPerRequest());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        WorkerState.AfterGrant after = state.granted(grant);
        if (after instanceof WorkerState.Serve serve) {
            startGeneration(serve.leases());
        } else if (after instanceof WorkerState.Reregister reregister) {
            context.getLog().info("worker {}: a new learner (epoch {}) answers; registering with it", setup.workerId(), reregister.learnerEpoch());
            heldVersion = -1;
            sayHello();
        } else if (after instanceof WorkerState.RunFinished) {
            timers.cancel(Retry.INSTANCE);
        } else if (after instanceof WorkerState.NoWorkYet) {
            timers.startSingleTimer(Retry.INSTANCE, RETRY);
        }
        return stopIfDrained();
    }

    private void startGeneration(List<PromptLease> work) {
        timers.cancel(Retry.INSTANCE);
        List<PromptLease> batch = state.generating(work);
        generationStartNanos = System.nanoTime();
        context.pipeToSelf(replica.generate(spec, dialogue, batch, heldVersion), (rows, failure) -> new Generated(batch, rows, failure));
    }

    private Behavior<LearnerProtocol.ToWorker> onGenerated(Generated generated) {
        if (!state.isCurrentBatch(generated.leases())) {
            return this;
        }
        if (generated.failure() != null) {
            throw new IllegalStateException("worker " + setup.workerId() + ": generation failed", generated.failure());
        }
        state.verifying();
        metrics.generationSeconds.labelValues(setup.workerId()).observe((System.nanoTime() - generationStartNanos) / 1e9);
        metrics.generatedTokens.labelValues(setup.workerId())
                .inc(generated.rows().stream().mapToInt(t -> t.attemptOne().length + t.attemptTwo().length).sum());
        relay.tell(new VerificationRelay.ScoreBatch(state.batch(), generated.rows(), spec, dialogue,
                System.currentTimeMillis() + setup.runtime().leaseTimeout().toMillis()));
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> onGroupScored(GroupScored scored) {
        GroupResult built = LeasedRollouts.result(scored.leaseId(), setup.workerId(), (System.nanoTime() - generationStartNanos) / 1e9,
                scored.failures(), scored.group(), scored.scores());
        state.submitted(built);
        setup.learner().tell(new LearnerProtocol.Submit(built, context.getSelf()));
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> onAck(LearnerProtocol.Ack ack) {
        state.acknowledged(ack.payload().getLeaseId());
        return stopIfDrained();
    }

    private Behavior<LearnerProtocol.ToWorker> onDrain() {
        return state.drain() ? whenFree() : stopIfDrained();
    }

    /** A draining worker stops once it holds no lease and every result it sent is acknowledged. */
    private Behavior<LearnerProtocol.ToWorker> stopIfDrained() {
        if (!state.drained()) {
            return this;
        }
        context.getLog().info("worker {} drained", setup.workerId());
        return Behaviors.stopped();
    }

    private Behavior<LearnerProtocol.ToWorker> onResendUnacked() {
        state.unacknowledged().forEach(result -> setup.learner().tell(new LearnerProtocol.Submit(result, context.getSelf())));
        return this;
    }

    private Behavior<LearnerProtocol.ToWorker> freeModel() {
        metrics.heldVersion.remove(setup.workerId());
        replica.close();
        return this;
    }
}
