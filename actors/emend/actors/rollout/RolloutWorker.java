package emend.actors.rollout;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import emend.actors.learner.Learner;
import emend.actors.node.NodeMetrics;
import emend.actors.verifier.VerifierActor;
import emend.actors.wire.Rejections;
import emend.checkpoint.HfModelConfig;
import emend.dispatch.LeasedRollouts;
import emend.dispatch.PromptLeases;
import emend.dispatch.WorkerState;
import emend.engine.DeviceSlots;
import emend.engine.DjlRuntime;
import emend.engine.ModelThread;
import emend.generate.Generator;
import emend.model.Transformer;
import emend.model.Weights;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.VerifyResult;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rl.RolloutGenerator;
import emend.rl.RolloutSampler;
import emend.rl.Trajectory;
import emend.run.RuntimeSettings;
import emend.task.Dialogue;
import emend.tokenize.Tokenizers;
import emend.weights.WeightAssembly;
import emend.weights.WeightCodec;
import emend.weights.WeightDownload;
import emend.weights.WeightStreamFetch;
import emend.wire.Rejection;
import emend.wire.WorkerEdge;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * A rollout worker: one policy copy on one device. It introduces itself to the learner, pulls the current
 * weights (from the learner's weight stream when the manifest names one, else chunk by chunk over Artery; every
 * chunk checked against its hash), then loops: ask for prompts when idle, sample their RLOO groups
 * (off the actor thread), have the verifier pools score them ({@link VerificationRelay}, a child), submit the groups and
 * re-send any the learner has not acknowledged. A newer version is fetched between two generations, never
 * during one. The worker owns its model's native memory and frees it on stop and restart.
 *
 * <p>Only its learner steers it: a spec, a grant and a new version must answer this incarnation's hello (its
 * random nonce) from the spec's learner epoch, and chunks and scores are checked ({@link WorkerEdge}); anything
 * else is counted and dropped.
 */
public final class RolloutWorker extends AbstractBehavior<Learner.ToWorker> {

    /** The worker's own messages; what the learner tells it is {@link Learner.ToWorker}. */
    public sealed interface Command extends Learner.ToWorker {}

    /** Finish the leases held, take no more, then stop (a node scaling down or draining; local only). */
    public enum Drain implements Command { INSTANCE }

    /** The outcome of generating {@code leases}; a restarted worker drops one its former self started. */
    private record Generated(List<PromptLease> leases, List<Trajectory> rows, Throwable failure) implements Command {}

    /** The weight stream ended for {@code assembly} ({@code failure}: the fetch itself threw). */
    private record Streamed(WeightAssembly assembly, WeightStreamFetch.Result result, Throwable failure) implements Command {}

    /** A verified version is in the model (or could not be loaded). */
    private record Loaded(WeightManifest manifest, Throwable failure) implements Command {}

    /** A group's scores, from the {@link VerificationRelay}, after {@code failures} failed verifications. */
    record GroupScored(long leaseId, List<Trajectory> group, VerifyResult scores, int failures) implements Command {}

    /** The relay let a group go: its lease runs out before another answer could come (the learner re-issues it). */
    record GroupLetGo(long leaseId) implements Command {}

    /** Whether the receptionist lists any verifier pool (the worker takes no work while it knows none). */
    record VerifiersKnown(boolean any) implements Command {}

    private enum Retry implements Command { INSTANCE }

    private enum ResendUnacked implements Command { INSTANCE }

    /** Builds the generator of a worker once it holds weights. */
    public interface GeneratorFactory {
        RolloutGenerator create(Weights weights, Dialogue dialogue);
    }

    /** The real thing: sampling from the policy with the KV cache. */
    public static final GeneratorFactory POLICY = (weights, dialogue) ->
            new RolloutSampler(new Generator(new Transformer(weights), dialogue.tokenizer().specials().pad()), dialogue);

    /**
     * What a worker needs besides the learner's RunSpec. Verifier pools are found through the receptionist
     * ({@link VerifierActor#KEY}); the worker takes no work while it knows none.
     */
    public record Setup(String workerId, DeviceSlots.Slot device, RuntimeSettings runtime, ActorRef<Learner.Command> learner,
                        GeneratorFactory generators) {}


    private static final Duration RETRY = Duration.ofMillis(200);
    /** For connecting to the weight stream and for each read from it (a learner that stopped sending). */
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

    private final ActorContext<Learner.ToWorker> context;
    private final TimerScheduler<Learner.ToWorker> timers;
    private final Setup setup;
    private final Executor generationExecutor;
    private final Executor streamExecutor;
    private final ActorRef<VerificationRelay.Command> relay;
    private final NodeMetrics metrics;
    private final NDManager manager;
    /** Sent with every hello of this incarnation; only the learner sees it, and its spec must echo it. */
    private final long nonce = new SecureRandom().nextLong();
    private final WorkerState state = new WorkerState();
    private RunSpec spec;
    private Dialogue dialogue;
    private final WeightDownload download = new WeightDownload();
    /** The version being loaded (phase LOADING); a restarted worker ignores its former self's load. */
    private WeightManifest loading;
    /** Touched on the model thread only (loading and generating), so no tensor work runs on an actor thread. */
    private Weights weights;
    private RolloutGenerator generator;
    /** The load or generation running on the model thread, if any: it uses the model, so the model outlives it. */
    private CompletableFuture<?> modelWork = CompletableFuture.completedFuture(null);
    private long heldVersion = -1;
    /** Leases whose groups the relay holds. */
    private final Set<Long> scoring = new HashSet<>();
    private boolean verifiersKnown;
    private long generationStartNanos;

    public static Behavior<Learner.ToWorker> create(Setup setup) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RolloutWorker(context, timers, setup)));
    }

    private RolloutWorker(ActorContext<Learner.ToWorker> context, TimerScheduler<Learner.ToWorker> timers, Setup setup) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.setup = setup;
        // the model thread of this worker's device slot (workers on different slots generate at the same time); slot 0
        // through the model dispatcher, whose executor a deployment or `bench cluster` may configure
        this.generationExecutor = setup.device().thread() == 0
                ? context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("emend-model-dispatcher"))
                : ModelThread.executor(setup.device().thread());
        this.streamExecutor = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        Device device = DjlRuntime.device(setup.device().device());
        this.manager = DjlRuntime.engine().newBaseManager(device);
        this.metrics = NodeMetrics.get(context.getSystem());
        // anonymous: a restarted worker's new relay must not wait for the old one's name to be freed
        this.relay = context.spawnAnonymous(VerificationRelay.create(setup.workerId(), setup.runtime().verifyTimeout(), context.getSelf().narrow()));
        sayHello();
        timers.startTimerWithFixedDelay(ResendUnacked.INSTANCE, ACK_TIMEOUT);
    }

    @Override
    public Receive<Learner.ToWorker> createReceive() {
        return newReceiveBuilder()
                .onMessage(Learner.Spec.class, this::onSpec)
                .onMessage(Learner.NewVersion.class, this::onNewVersion)
                .onMessage(Learner.Chunk.class, this::onChunk)
                .onMessage(Streamed.class, this::onStreamed)
                .onMessage(Learner.Grant.class, this::onGrant)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(Generated.class, this::onGenerated)
                .onMessage(GroupScored.class, this::onGroupScored)
                .onMessage(GroupLetGo.class, letGo -> verificationEnded(letGo.leaseId()))
                .onMessage(Learner.Ack.class, this::onAck)
                .onMessage(VerifiersKnown.class, this::onVerifiersKnown)
                .onMessage(Retry.class, retry -> onRetry())
                .onMessage(ResendUnacked.class, tick -> onResendUnacked())
                .onMessage(Drain.class, drain -> onDrain())
                .onSignal(PostStop.class, signal -> freeModel())
                .onSignal(PreRestart.class, signal -> freeModel())
                .build();
    }

    private void sayHello() {
        setup.learner().tell(new Learner.Hello(WorkerHello.newBuilder()
                .setWorkerId(setup.workerId())
                .setNodeAddress(context.getSystem().address().toString())
                .setDevice(setup.device().label())
                .setNonce(nonce)
                .build(), context.getSelf()));
        timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
    }

    /** Counts and logs a message that failed its edge check; it is dropped. */
    private Behavior<Learner.ToWorker> drop(Rejection rejection) {
        Rejections.drop(context, rejection);
        return this;
    }

    private Behavior<Learner.ToWorker> onSpec(Learner.Spec message) {
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
        state.registered(spec.getLearnerEpoch());
        dialogue = next;
        download.restart(spec.getManifest());
        return perform(download.begin());
    }

    private Behavior<Learner.ToWorker> onNewVersion(Learner.NewVersion message) {
        Optional<Rejection> bad = WorkerEdge.newVersion(message.payload(), spec, nonce);
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        download.offer(message.payload());
        if (state.phase() == WorkerState.Phase.ASKING) {
            askForWork();
        }
        return this;
    }

    private Behavior<Learner.ToWorker> onVerifiersKnown(VerifiersKnown known) {
        boolean hadNone = !verifiersKnown;
        verifiersKnown = known.any();
        if (hadNone && verifiersKnown && state.phase() == WorkerState.Phase.ASKING) {
            askForWork();
        }
        return this;
    }

    /** Does what the download asks for next: read the stream, request chunks over Artery, or load a whole version. */
    private Behavior<Learner.ToWorker> perform(WeightDownload.Step step) {
        if (step instanceof WeightDownload.Stream stream) {
            state.streaming();
            timers.cancel(Retry.INSTANCE);
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> WeightStreamFetch.fetch(stream.address(), stream.assembly(), STREAM_TIMEOUT,
                            setup.runtime().tls().sockets()), streamExecutor),
                    (result, failure) -> new Streamed(stream.assembly(), result, failure));
        } else if (step instanceof WeightDownload.Request request) {
            if (!request.warning().isEmpty()) {
                context.getLog().warn("worker {}: {}", setup.workerId(), request.warning());
            }
            request.indices().forEach(index -> setup.learner().tell(new Learner.FetchChunk(WeightChunkRequest.newBuilder()
                    .setVersion(request.version()).setIndex(index).build(), context.getSelf())));
            if (request.newRound()) {
                state.fetching();
                timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(5));
            }
        } else if (step instanceof WeightDownload.Load load) {
            startLoading(load.manifest(), load.bytes());
        }
        return stopIfDrained();
    }

    private Behavior<Learner.ToWorker> onStreamed(Streamed streamed) {
        WeightStreamFetch.Result result = streamed.failure() != null
                ? new WeightStreamFetch.Result(WeightStreamFetch.Ending.INCOMPLETE, 0, streamed.failure().toString())
                : streamed.result();
        return perform(download.streamEnded(streamed.assembly(), result));
    }

    private Behavior<Learner.ToWorker> onChunk(Learner.Chunk message) {
        Optional<WeightManifest> fetching = download.fetchingOverMessages();
        if (fetching.isEmpty() || message.payload().getVersion() != fetching.get().getVersion()) {
            return this;
        }
        Optional<Rejection> bad = WorkerEdge.chunk(message.payload(), fetching.get().getChunkCount());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        return perform(download.chunkArrived(message.payload()));
    }

    /** Loads a verified version on the model thread (no tensor work on an actor thread); work is asked for after. */
    private void startLoading(WeightManifest manifest, byte[] bytes) {
        state.loading();
        loading = manifest;
        timers.cancel(Retry.INSTANCE);
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            DjlRuntime.gradientsOffOnThisThread();
            if (weights == null) {
                weights = WeightCodec.decode(HfModelConfig.fromJson(manifest.getModelConfigJson()), bytes, manager);
                generator = setup.generators().create(weights, dialogue);
            } else {
                WeightCodec.loadInto(weights, bytes);
            }
        }, generationExecutor);
        modelWork = load;
        context.pipeToSelf(load, (done, failure) -> new Loaded(manifest, failure));
    }

    private Behavior<Learner.ToWorker> onLoaded(Loaded loaded) {
        if (state.phase() != WorkerState.Phase.LOADING || loaded.manifest() != loading) {
            return this;
        }
        if (loaded.failure() != null) {
            throw new IllegalStateException("worker " + setup.workerId() + ": version " + loaded.manifest().getVersion()
                    + " passed its hash check but could not be loaded", loaded.failure());
        }
        heldVersion = loaded.manifest().getVersion();
        metrics.heldVersion.labelValues(setup.workerId()).set(heldVersion);
        askForWork();
        return stopIfDrained();
    }

    /** The worker is free: finish, fetch a newer version, serve kept leases, or ask the learner for work. */
    private void askForWork() {
        WorkerState.Next next = state.free(download.hasNewerThan(heldVersion), verifiersKnown);
        if (next instanceof WorkerState.Finish finish) {
            if (finish.awaitGrant()) {
                // the grant of a request sent before the drain may still bring leases: serve them, or give up later
                timers.startSingleTimer(Retry.INSTANCE, ACK_TIMEOUT);
            } else {
                timers.cancel(Retry.INSTANCE);
            }
        } else if (next instanceof WorkerState.FetchWeights) {
            perform(download.begin());
        } else if (next instanceof WorkerState.Generate generate) {
            startGeneration(generate.leases());
        } else if (next instanceof WorkerState.AwaitVerifiers) {
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
        } else if (next instanceof WorkerState.AskForWork) {
            setup.learner().tell(new Learner.RequestWork(WorkRequest.newBuilder()
                    .setWorkerId(setup.workerId())
                    .setCapacity(setup.runtime().promptsPerRequest())
                    .setPolicyVersion(heldVersion)
                    .build(), context.getSelf()));
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
        }
    }

    private Behavior<Learner.ToWorker> onRetry() {
        switch (state.phase()) {
            case REGISTERING -> sayHello();
            case ASKING -> askForWork();
            case FETCHING -> {
                perform(download.askAgain());
                timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(5));
            }
            case FINISHED -> state.grantLost();
            default -> { }
        }
        return stopIfDrained();
    }

    private Behavior<Learner.ToWorker> onGrant(Learner.Grant message) {
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
        } else if (after instanceof WorkerState.Ignored) {
            return stopIfDrained();
        }
        return this;
    }

    private void startGeneration(List<PromptLease> work) {
        timers.cancel(Retry.INSTANCE);
        List<PromptLease> batch = state.generating(work);
        generationStartNanos = System.nanoTime();
        long version = heldVersion;
        CompletableFuture<List<Trajectory>> generation = CompletableFuture.supplyAsync(() -> generate(batch, version), generationExecutor);
        modelWork = generation;
        context.pipeToSelf(generation, (rows, failure) -> new Generated(batch, rows, failure));
    }

    private List<Trajectory> generate(List<PromptLease> work, long version) {
        DjlRuntime.gradientsOffOnThisThread();
        return LeasedRollouts.generate(generator, spec, dialogue.tokenizer().specials().eos(), work, version);
    }

    private Behavior<Learner.ToWorker> onGenerated(Generated generated) {
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
        Map<String, List<Trajectory>> byGroup = new LinkedHashMap<>();
        generated.rows().forEach(t -> byGroup.computeIfAbsent(t.groupId(), g -> new ArrayList<>()).add(t));
        long leaseEnd = System.currentTimeMillis() + setup.runtime().leaseTimeout().toMillis();
        for (PromptLease lease : state.batch()) {
            List<Trajectory> group = byGroup.get(PromptLeases.draw(lease).groupId());
            scoring.add(lease.getLeaseId());
            relay.tell(new VerificationRelay.Score(lease.getLeaseId(), group, LeasedRollouts.verifyRequest(spec, lease, group, dialogue), leaseEnd));
        }
        return this;
    }

    private Behavior<Learner.ToWorker> onGroupScored(GroupScored scored) {
        if (!scoring.contains(scored.leaseId())) {
            return this;
        }
        GroupResult built = LeasedRollouts.result(scored.leaseId(), setup.workerId(), (System.nanoTime() - generationStartNanos) / 1e9,
                scored.failures(), scored.group(), scored.scores());
        state.submitted(built);
        setup.learner().tell(new Learner.Submit(built, context.getSelf()));
        return verificationEnded(scored.leaseId());
    }

    /** A group left the relay: once none is left, the worker asks for more work. */
    private Behavior<Learner.ToWorker> verificationEnded(long leaseId) {
        if (scoring.remove(leaseId) && scoring.isEmpty()) {
            askForWork();
        }
        return stopIfDrained();
    }

    private Behavior<Learner.ToWorker> onAck(Learner.Ack ack) {
        state.acknowledged(ack.payload().getLeaseId());
        return stopIfDrained();
    }

    private Behavior<Learner.ToWorker> onDrain() {
        if (state.drain()) {
            askForWork();
        }
        return stopIfDrained();
    }

    /** A draining worker stops once it holds no lease and every result it sent is acknowledged. */
    private Behavior<Learner.ToWorker> stopIfDrained() {
        if (!state.drained()) {
            return this;
        }
        context.getLog().info("worker {} drained", setup.workerId());
        return Behaviors.stopped();
    }

    private Behavior<Learner.ToWorker> onResendUnacked() {
        state.unacknowledged().forEach(result -> setup.learner().tell(new Learner.Submit(result, context.getSelf())));
        return this;
    }

    private Behavior<Learner.ToWorker> freeModel() {
        metrics.heldVersion.remove(setup.workerId());
        if (download.corruptedChunks() > 0) {
            context.getLog().info("worker {} refetched {} corrupted weight chunks", setup.workerId(), download.corruptedChunks());
        }
        // Closing under a running generation frees tensors the model thread is reading (seen as a SIGSEGV in
        // libtorch when a test stopped a generating worker): close once it has ended.
        modelWork.whenComplete((result, failure) -> manager.close());
        return this;
    }
}
