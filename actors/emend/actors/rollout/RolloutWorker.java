package emend.actors.rollout;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import emend.actors.learner.Learner;
import emend.actors.node.NodeMetrics;
import emend.actors.verifier.VerifierActor;
import emend.actors.wire.Rejections;
import emend.actors.wire.WireMessage;
import emend.checkpoint.HfModelConfig;
import emend.dispatch.PendingScores;
import emend.engine.DjlRuntime;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.proto.GroupAck;
import emend.proto.GroupResult;
import emend.proto.LeaseGrant;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.VerifyRequest;
import emend.proto.VerifyResult;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.proto.WorkRequest;
import emend.proto.WorkerHello;
import emend.rl.GroupShape;
import emend.rl.PromptDraw;
import emend.rl.RolloutGenerator;
import emend.rl.RolloutSampler;
import emend.rl.Trajectory;
import emend.rl.TrajectoryCodec;
import emend.run.RuntimeSettings;
import emend.task.Dialogue;
import emend.task.Problem;
import emend.tokenize.Tokenizers;
import emend.weights.WeightAssembly;
import emend.weights.WeightCodec;
import emend.weights.WeightStreamFetch;
import emend.wire.Rejection;
import emend.wire.WorkerEdge;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
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
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A rollout worker: one policy copy on one device. It introduces itself to the learner, pulls the current
 * weights (from the learner's weight stream when the manifest names one, else chunk by chunk over Artery; every
 * chunk checked against its hash), then loops: ask for prompts when idle, sample their RLOO groups
 * (off the actor thread), have the verifier pool score them (a timed-out call scores 0), submit the groups and
 * re-send any the learner has not acknowledged. A newer version is fetched between two generations, never
 * during one. The worker owns its model's native memory and frees it on stop and restart.
 *
 * <p>Only its learner steers it: a spec, a grant and a new version must answer this incarnation's hello (its
 * random nonce) from the spec's learner epoch, and chunks and scores are checked ({@link WorkerEdge}); anything
 * else is counted and dropped.
 */
public final class RolloutWorker extends AbstractBehavior<RolloutWorker.Command> {

    public sealed interface Command {}

    public record Spec(RunSpec payload) implements Command, WireMessage {}

    public record Grant(LeaseGrant payload) implements Command, WireMessage {}

    public record Ack(GroupAck payload) implements Command, WireMessage {}

    public record NewVersion(WeightManifest payload) implements Command, WireMessage {}

    public record Chunk(WeightChunk payload) implements Command, WireMessage {}

    /** Finish the leases held, take no more, then stop (a node scaling down or draining; local only). */
    public enum Drain implements Command { INSTANCE }

    /** The outcome of generating {@code leases}; a restarted worker drops one its former self started. */
    private record Generated(List<PromptLease> leases, List<Trajectory> rows, Throwable failure) implements Command {}

    /** The weight stream ended for {@code assembly} ({@code failure}: the fetch itself threw). */
    private record Streamed(WeightAssembly assembly, WeightStreamFetch.Result result, Throwable failure) implements Command {}

    /** A verified version is in the model (or could not be loaded). */
    private record Loaded(WeightManifest manifest, Throwable failure) implements Command {}

    /** An answer from a verifier, or (result null) the timeout of sending {@code send}. */
    private record Scored(long leaseId, int send, VerifyResult result, Throwable failure) implements Command {}

    /** Time to send a group whose verification failed again. */
    private record SendAgain(long leaseId) implements Command {}

    /** The timer key of a lease's verification deadline. */
    private record VerifyDeadline(long leaseId) {}

    private record VerifiersListed(Set<ActorRef<VerifierActor.Command>> pools) implements Command {}

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
    public record Setup(String workerId, String device, RuntimeSettings runtime, ActorRef<Learner.Command> learner,
                        GeneratorFactory generators) {}

    /** STREAMING: the assembly is filled on an IO thread (hands off until {@link Streamed}); FETCHING: over Artery. */
    private enum Phase { REGISTERING, STREAMING, FETCHING, LOADING, ASKING, GENERATING, VERIFYING, FINISHED }

    /**
     * Chunk requests a worker keeps in flight. Measured on a 49 MB version (2 workers, steady state): 4 in flight
     * 0.36-0.38 s, 16 0.30-0.31 s, 48 0.32-0.34 s.
     */
    private static final int FETCH_WINDOW = 16;
    private static final Duration RETRY = Duration.ofMillis(200);
    /** For connecting to the weight stream and for each read from it (a learner that stopped sending). */
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(5);

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Setup setup;
    private final Executor generationExecutor;
    private final Executor streamExecutor;
    /** Where every verifier answers; a result names its lease by its request id. */
    private final ActorRef<VerifierActor.Verified> verifiedAdapter;
    private final NodeMetrics metrics;
    private final NDManager manager;
    /** Sent with every hello of this incarnation; only the learner sees it, and its spec must echo it. */
    private final long nonce = new SecureRandom().nextLong();
    private Phase phase = Phase.REGISTERING;
    private RunSpec spec;
    private Dialogue dialogue;
    private WeightManifest latest;
    private WeightAssembly assembly;
    /** The version being loaded (phase LOADING); a restarted worker ignores its former self's load. */
    private WeightManifest loading;
    private int nextChunk;
    /** A weight stream this worker could not connect to: skipped, and warned about once, until the address changes. */
    private String unreachableStream = "";
    /** Touched on the model thread only (loading and generating), so no tensor work runs on an actor thread. */
    private Weights weights;
    private RolloutGenerator generator;
    /** The load or generation running on the model thread, if any: it uses the model, so the model outlives it. */
    private CompletableFuture<?> modelWork = CompletableFuture.completedFuture(null);
    private long heldVersion = -1;
    /** When this batch's verification requests went out (all at once, after its generation). */
    private long verifySentNanos;
    private List<PromptLease> leases = List.of();
    /** Leases granted while the worker was busy (a late answer to a repeated request); served next. */
    private final List<PromptLease> stashed = new ArrayList<>();
    private final PendingScores<AwaitingScores> pendingScores = new PendingScores<>();
    private final Map<Long, GroupResult> unacked = new LinkedHashMap<>();
    private List<ActorRef<VerifierActor.Command>> verifiers = List.of();
    private int nextVerifier;
    private long generationStartNanos;
    private int hashMismatches;
    private boolean draining;
    /** A work request is out and its grant has not come back (a draining worker waits for it before stopping). */
    private boolean awaitingGrant;

    public static Behavior<Command> create(Setup setup) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new RolloutWorker(context, timers, setup)));
    }

    private RolloutWorker(ActorContext<Command> context, TimerScheduler<Command> timers, Setup setup) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.setup = setup;
        this.generationExecutor = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("emend-model-dispatcher"));
        this.streamExecutor = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        Device device = DjlRuntime.device(setup.device());
        this.manager = DjlRuntime.engine().newBaseManager(device);
        this.metrics = NodeMetrics.get(context.getSystem());
        this.verifiedAdapter = context.messageAdapter(VerifierActor.Verified.class,
                verified -> new Scored(verified.payload().getRequestId(), verified.payload().getSend(), verified.payload(), null));
        context.getSystem().receptionist().tell(Receptionist.subscribe(VerifierActor.KEY,
                context.messageAdapter(Receptionist.Listing.class, listing -> new VerifiersListed(listing.getServiceInstances(VerifierActor.KEY)))));
        sayHello();
        timers.startTimerWithFixedDelay(ResendUnacked.INSTANCE, ACK_TIMEOUT);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Spec.class, this::onSpec)
                .onMessage(NewVersion.class, this::onNewVersion)
                .onMessage(Chunk.class, this::onChunk)
                .onMessage(Streamed.class, this::onStreamed)
                .onMessage(Grant.class, this::onGrant)
                .onMessage(Loaded.class, this::onLoaded)
                .onMessage(Generated.class, this::onGenerated)
                .onMessage(Scored.class, this::onScored)
                .onMessage(SendAgain.class, again -> sendForScoring(again.leaseId()))
                .onMessage(Ack.class, this::onAck)
                .onMessage(VerifiersListed.class, this::onVerifiersListed)
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
                .setDevice(setup.device())
                .setNonce(nonce)
                .build(), context.getSelf()));
        timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
    }

    /** Counts and logs a message that failed its edge check; it is dropped. */
    private Behavior<Command> drop(Rejection rejection) {
        Rejections.drop(context, rejection);
        return this;
    }

    private Behavior<Command> onSpec(Spec message) {
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
        latest = spec.getManifest();
        startFetch();
        return this;
    }

    private Behavior<Command> onNewVersion(NewVersion message) {
        Optional<Rejection> bad = WorkerEdge.newVersion(message.payload(), spec, nonce);
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        if (latest == null || message.payload().getVersion() > latest.getVersion()) {
            latest = message.payload();
        }
        if (phase == Phase.ASKING) {
            askForWork();
        }
        return this;
    }

    private Behavior<Command> onVerifiersListed(VerifiersListed listed) {
        boolean hadNone = verifiers.isEmpty();
        verifiers = List.copyOf(listed.pools());
        if (hadNone && !verifiers.isEmpty() && phase == Phase.ASKING) {
            askForWork();
        }
        return this;
    }

    private void startFetch() {
        assembly = new WeightAssembly(latest);
        if (latest.getStreamAddress().isEmpty() || latest.getStreamAddress().equals(unreachableStream)) {
            fetchMissingOverArtery();
        } else {
            startStream();
        }
    }

    private void startStream() {
        phase = Phase.STREAMING;
        timers.cancel(Retry.INSTANCE);
        WeightAssembly streaming = assembly;
        String address = latest.getStreamAddress();
        context.pipeToSelf(CompletableFuture.supplyAsync(() -> WeightStreamFetch.fetch(address, streaming, STREAM_TIMEOUT, setup.runtime().tls().sockets()), streamExecutor),
                (result, failure) -> new Streamed(streaming, result, failure));
    }

    private Behavior<Command> onStreamed(Streamed streamed) {
        if (phase != Phase.STREAMING || streamed.assembly() != assembly) {
            return this;
        }
        WeightStreamFetch.Result result = streamed.failure() != null
                ? new WeightStreamFetch.Result(WeightStreamFetch.Ending.INCOMPLETE, 0, streamed.failure().toString())
                : streamed.result();
        hashMismatches += result.corruptedChunks();
        if (result.ending() == WeightStreamFetch.Ending.COMPLETE) {
            startLoading(assembly.manifest(), assembly.bytes());
        } else if (result.ending() == WeightStreamFetch.Ending.GONE && latest.getVersion() > assembly.manifest().getVersion()) {
            startFetch();
        } else {
            if (result.ending() == WeightStreamFetch.Ending.INCOMPLETE) {
                context.getLog().warn("worker {}: the weight stream at {} ended early ({}); fetching the missing chunks of version {} over Artery",
                        setup.workerId(), assembly.manifest().getStreamAddress(), result.problem(), assembly.manifest().getVersion());
            } else if (result.ending() == WeightStreamFetch.Ending.UNREACHABLE) {
                unreachableStream = assembly.manifest().getStreamAddress();
                context.getLog().warn("worker {}: cannot connect to the learner's weight stream at {} ({}); fetching weights over Artery, "
                        + "slower, until the learner announces another address (open that port to this node, or set "
                        + "emend.runtime.weight-stream-port to one that is open)", setup.workerId(), unreachableStream, result.problem());
            }
            fetchMissingOverArtery();
        }
        return stopIfDrained();
    }

    private void fetchMissingOverArtery() {
        phase = Phase.FETCHING;
        nextChunk = 0;
        for (int i = 0; i < FETCH_WINDOW && requestNextMissing(); i++) {
            // keeps FETCH_WINDOW requests in flight
        }
        timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(5));
    }

    /** Requests the next chunk not received yet; false when every one is received or requested. */
    private boolean requestNextMissing() {
        int index = assembly.nextMissing(nextChunk);
        if (index < 0) {
            return false;
        }
        requestChunk(index);
        nextChunk = index + 1;
        return true;
    }

    private void requestChunk(int index) {
        setup.learner().tell(new Learner.FetchChunk(WeightChunkRequest.newBuilder()
                .setVersion(assembly.manifest().getVersion()).setIndex(index).build(), context.getSelf()));
    }

    private Behavior<Command> onChunk(Chunk message) {
        WeightChunk chunk = message.payload();
        if (phase != Phase.FETCHING || chunk.getVersion() != assembly.manifest().getVersion()) {
            return this;
        }
        Optional<Rejection> bad = WorkerEdge.chunk(chunk, assembly.manifest().getChunkCount());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        if (chunk.getGone()) {
            if (latest.getVersion() > assembly.manifest().getVersion()) {
                startFetch();
            }
            return this;
        }
        switch (assembly.accept(chunk)) {
            case IGNORED -> {
                return this;
            }
            case CORRUPTED -> {
                hashMismatches++;
                context.getLog().warn("worker {}: chunk {} of version {} does not match its SHA-256 in the manifest; fetching it again",
                        setup.workerId(), chunk.getIndex(), chunk.getVersion());
                requestChunk(chunk.getIndex());
                return this;
            }
            case STORED -> requestNextMissing();
        }
        if (assembly.complete()) {
            startLoading(assembly.manifest(), assembly.bytes());
        }
        return stopIfDrained();
    }

    /** Loads a verified version on the model thread (no tensor work on an actor thread); work is asked for after. */
    private void startLoading(WeightManifest manifest, byte[] bytes) {
        phase = Phase.LOADING;
        loading = manifest;
        timers.cancel(Retry.INSTANCE);
        assembly = null;
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

    private Behavior<Command> onLoaded(Loaded loaded) {
        if (phase != Phase.LOADING || loaded.manifest() != loading) {
            return this;
        }
        if (loaded.failure() != null) {
            throw new IllegalStateException("worker " + setup.workerId() + ": version " + loaded.manifest().getVersion()
                    + " passed its hash check but could not be loaded", loaded.failure());
        }
        heldVersion = loaded.manifest().getVersion();
        metrics.heldVersion.set(heldVersion, setup.workerId());
        askForWork();
        return stopIfDrained();
    }

    private void askForWork() {
        if (draining && stashed.isEmpty()) {
            phase = Phase.FINISHED;
            if (awaitingGrant) {
                // the grant of a request sent before the drain may still bring leases: serve them, or give up later
                timers.startSingleTimer(Retry.INSTANCE, ACK_TIMEOUT);
            } else {
                timers.cancel(Retry.INSTANCE);
            }
            return;
        }
        if (latest.getVersion() > heldVersion) {
            startFetch();
            return;
        }
        if (!stashed.isEmpty()) {
            List<PromptLease> work = List.copyOf(stashed);
            stashed.clear();
            startGeneration(work);
            return;
        }
        phase = Phase.ASKING;
        if (verifiers.isEmpty()) {
            // Work taken now could not be scored: wait for a verifier pool to be listed (or the retry).
            timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
            return;
        }
        setup.learner().tell(new Learner.RequestWork(WorkRequest.newBuilder()
                .setWorkerId(setup.workerId())
                .setCapacity(setup.runtime().promptsPerRequest())
                .setPolicyVersion(heldVersion)
                .build(), context.getSelf()));
        awaitingGrant = true;
        timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(2));
    }

    private Behavior<Command> onRetry() {
        switch (phase) {
            case REGISTERING -> sayHello();
            case ASKING -> askForWork();
            case FETCHING -> {
                // Chunks can be lost (a dropped frame, a moved learner): ask again for every one still missing.
                for (int i = assembly.nextMissing(0); i >= 0 && i < nextChunk; i = assembly.nextMissing(i + 1)) {
                    requestChunk(i);
                }
                timers.startSingleTimer(Retry.INSTANCE, Duration.ofSeconds(5));
            }
            case FINISHED -> awaitingGrant = false;
            default -> { }
        }
        return stopIfDrained();
    }

    private Behavior<Command> onGrant(Grant message) {
        LeaseGrant grant = message.payload();
        Optional<Rejection> bad = WorkerEdge.grant(grant, spec, nonce, setup.runtime().promptsPerRequest());
        if (bad.isPresent()) {
            return drop(bad.get());
        }
        awaitingGrant = false;
        if (draining && phase == Phase.FINISHED) {
            // the answer to a request sent before the drain: serve what it brought, then stop
            if (grant.getLeasesCount() > 0 && spec != null && grant.getLearnerEpoch() == spec.getLearnerEpoch()) {
                startGeneration(grant.getLeasesList());
                return this;
            }
            return stopIfDrained();
        }
        if (phase != Phase.ASKING) {
            // Never drop a lease: it would sit until its timeout. Serve it after the current fetch or generation.
            stashed.addAll(grant.getLeasesList());
            return this;
        }
        if (spec != null && grant.getLearnerEpoch() != spec.getLearnerEpoch()) {
            // The learner restarted or moved: its weights may differ at the same version, and it knows nothing of
            // this worker. Introduce ourselves again and fetch its weights before taking work.
            context.getLog().info("worker {}: a new learner (epoch {}) answers; registering with it", setup.workerId(), grant.getLearnerEpoch());
            // Leases stashed from the old learner died with it (the new one hands their prompts out again); the
            // new learner's leases in this grant are served once its weights are in.
            stashed.clear();
            stashed.addAll(grant.getLeasesList());
            heldVersion = -1;
            phase = Phase.REGISTERING;
            sayHello();
            return this;
        }
        if (grant.getFinished()) {
            phase = Phase.FINISHED;
            timers.cancel(Retry.INSTANCE);
            return this;
        }
        if (grant.getLeasesCount() == 0) {
            timers.startSingleTimer(Retry.INSTANCE, RETRY);
            return this;
        }
        startGeneration(grant.getLeasesList());
        return this;
    }

    private void startGeneration(List<PromptLease> work) {
        timers.cancel(Retry.INSTANCE);
        phase = Phase.GENERATING;
        leases = List.copyOf(work);
        generationStartNanos = System.nanoTime();
        long version = heldVersion;
        List<PromptLease> batch = leases;
        CompletableFuture<List<Trajectory>> generation = CompletableFuture.supplyAsync(() -> generate(batch, version), generationExecutor);
        modelWork = generation;
        context.pipeToSelf(generation, (rows, failure) -> new Generated(batch, rows, failure));
    }

    /**
     * Samples the groups of {@code work}; leases that differ in turns or temperature (an operator may change it
     * live) are generated separately.
     */
    private List<Trajectory> generate(List<PromptLease> work, long version) {
        DjlRuntime.gradientsOffOnThisThread();
        Map<SamplingKey, List<PromptDraw>> batches = new LinkedHashMap<>();
        for (PromptLease lease : work) {
            batches.computeIfAbsent(new SamplingKey(lease.getTwoTurns(), lease.getTemperature()), key -> new ArrayList<>()).add(draw(lease));
        }
        List<Trajectory> out = new ArrayList<>();
        batches.forEach((key, draws) -> {
            SamplingConfig sampling = SamplingConfig.sampled(key.temperature(), spec.getMaxAttemptTokens(), dialogue.tokenizer().specials().eos());
            out.addAll(generator.generateUnscored(draws, new GroupShape(spec.getSamplesPerPrompt(), key.twoTurns() ? Math.max(1, spec.getTurnTwoSamples()) : 0),
                    sampling, spec.getRunSeed(), version));
        });
        return out;
    }

    private record SamplingKey(boolean twoTurns, double temperature) {}

    /** The prompt a lease hands out, as the sampler and the group ids know it. */
    private static PromptDraw draw(PromptLease lease) {
        // no reference answer: the worker never scores, the verifiers look the problem up in their own set
        return new PromptDraw(new Problem(lease.getProblemId(), lease.getQuestion(), ""), lease.getProblemIndex(),
                lease.getStep());
    }

    private Behavior<Command> onGenerated(Generated generated) {
        if (generated.leases() != leases) {
            return this;
        }
        if (generated.failure() != null) {
            throw new IllegalStateException("worker " + setup.workerId() + ": generation failed", generated.failure());
        }
        phase = Phase.VERIFYING;
        metrics.generationSeconds.observe((System.nanoTime() - generationStartNanos) / 1e9, setup.workerId());
        metrics.generatedTokens.inc(generated.rows().stream().mapToInt(t -> t.attemptOne().length + t.attemptTwo().length).sum(),
                setup.workerId());
        verifySentNanos = System.nanoTime();
        Map<String, List<Trajectory>> byGroup = new LinkedHashMap<>();
        generated.rows().forEach(t -> byGroup.computeIfAbsent(t.groupId(), g -> new ArrayList<>()).add(t));
        long leaseEnd = System.currentTimeMillis() + setup.runtime().leaseTimeout().toMillis();
        for (PromptLease lease : leases) {
            List<Trajectory> group = byGroup.get(draw(lease).groupId());
            VerifyRequest.Builder request = VerifyRequest.newBuilder().setTask(spec.getTask()).setProblemId(lease.getProblemId())
                    .setProblemSetSha256(spec.getProblemSetSha256()).setRequestId(lease.getLeaseId());
            group.forEach(t -> request.addAttempts(dialogue.attemptText(t.attemptOne())));
            group.forEach(t -> request.addAttempts(dialogue.attemptText(t.attemptTwo())));
            pendingScores.await(lease.getLeaseId(), new AwaitingScores(group, request.build()), leaseEnd);
            sendForScoring(lease.getLeaseId());
        }
        return this;
    }

    /** A group and the request that scores it, kept until its scores arrive (it may be sent again). */
    private record AwaitingScores(List<Trajectory> group, VerifyRequest request) {}

    /** Sends a pending group's current sending to the next verifier pool, with a deadline and a timeout of its own. */
    private Behavior<Command> sendForScoring(long leaseId) {
        Optional<AwaitingScores> awaiting = pendingScores.group(leaseId);
        if (awaiting.isEmpty()) {
            return this;
        }
        int send = pendingScores.send(leaseId);
        Duration timeout = setup.runtime().verifyTimeout();
        VerifyRequest request = awaiting.get().request().toBuilder().setSend(send)
                .setDeadlineUnixMs(System.currentTimeMillis() + timeout.toMillis()).build();
        ActorRef<VerifierActor.Command> pool = verifiers.get(nextVerifier++ % verifiers.size());
        // Not context.ask: profiled, each of its replies completed through Scala's future-to-CompletableFuture
        // converter on CompletableFuture's default async executor, a new thread per reply on a 2-core machine.
        pool.tell(new VerifierActor.Verify(request, verifiedAdapter));
        timers.startSingleTimer(new VerifyDeadline(leaseId), new Scored(leaseId, send, null,
                new TimeoutException("no verifier answered within " + timeout)), timeout);
        return this;
    }

    private Behavior<Command> onScored(Scored scored) {
        Optional<AwaitingScores> awaiting = pendingScores.group(scored.leaseId());
        if (awaiting.isEmpty()) {
            return this;
        }
        List<Trajectory> group = awaiting.get().group();
        int k = group.size();
        Optional<Rejection> bad = scored.failure() == null ? WorkerEdge.verified(scored.result(), 2 * k) : Optional.empty();
        bad.ifPresent(rejection -> Rejections.drop(context, rejection));
        if (scored.failure() != null || !scored.result().getError().isEmpty() || bad.isPresent()) {
            String why = scored.failure() != null ? scored.failure().getMessage() : bad.map(Rejection::toString).orElse(scored.result().getError());
            return verificationFailed(scored.leaseId(), scored.send(), why);
        }
        timers.cancel(new VerifyDeadline(scored.leaseId()));
        int failures = pendingScores.scored(scored.leaseId()).orElseThrow().failures();
        metrics.verifyLatency.observe((System.nanoTime() - verifySentNanos) / 1e9, setup.workerId());
        GroupResult.Builder result = GroupResult.newBuilder().setLeaseId(scored.leaseId()).setWorkerId(setup.workerId())
                .setRolloutSeconds((System.nanoTime() - generationStartNanos) / 1e9).setVerifyTimeouts(failures);
        for (int i = 0; i < k; i++) {
            Trajectory t = group.get(i);
            int r1 = scored.result().getScores(i);
            int r2 = t.hasTurnTwo() ? scored.result().getScores(k + i) : 0;
            result.addTrajectories(TrajectoryCodec.toProto(t.withRewards(r1, r2)));
        }
        GroupResult built = result.build();
        unacked.put(scored.leaseId(), built);
        setup.learner().tell(new Learner.Submit(built, context.getSelf()));
        return verificationEnded();
    }

    /** Sends the group again after a pause, or lets it go when the lease would run out first (never scores it 0). */
    private Behavior<Command> verificationFailed(long leaseId, int send, String why) {
        PendingScores.Next next = pendingScores.failed(leaseId, send, System.currentTimeMillis());
        if (next instanceof PendingScores.SendAgain again) {
            context.getLog().warn("worker {}: verification of lease {} failed ({}); sending it again in {} ms", setup.workerId(), leaseId,
                    why, again.pause().toMillis());
            metrics.verifyResent.inc(1, setup.workerId());
            timers.startSingleTimer(new VerifyDeadline(leaseId), new SendAgain(leaseId), again.pause());
        } else if (next instanceof PendingScores.LetGo letGo) {
            context.getLog().warn("worker {}: verification of lease {} failed {} times (last: {}); the lease runs out before another "
                    + "answer could come, so the group is dropped and the learner re-issues its prompt", setup.workerId(), leaseId,
                    letGo.failures(), why);
            metrics.verifyAbandoned.inc(1, setup.workerId());
            timers.cancel(new VerifyDeadline(leaseId));
            return verificationEnded();
        }
        return this;
    }

    /** A group left the pending table: once none is left, the worker asks for more work. */
    private Behavior<Command> verificationEnded() {
        if (pendingScores.isEmpty()) {
            askForWork();
        }
        return stopIfDrained();
    }

    private Behavior<Command> onAck(Ack ack) {
        unacked.remove(ack.payload().getLeaseId());
        return stopIfDrained();
    }

    private Behavior<Command> onDrain() {
        draining = true;
        if (phase == Phase.ASKING || phase == Phase.REGISTERING) {
            askForWork();
        }
        return stopIfDrained();
    }

    /** A draining worker stops once it holds no lease and every result it sent is acknowledged. */
    private Behavior<Command> stopIfDrained() {
        boolean holdsWork = phase == Phase.GENERATING || phase == Phase.VERIFYING || !stashed.isEmpty() || !unacked.isEmpty() || awaitingGrant;
        if (!draining || holdsWork || phase == Phase.STREAMING || phase == Phase.FETCHING || phase == Phase.LOADING) {
            return this;
        }
        context.getLog().info("worker {} drained", setup.workerId());
        return Behaviors.stopped();
    }

    private Behavior<Command> onResendUnacked() {
        unacked.values().forEach(result -> setup.learner().tell(new Learner.Submit(result, context.getSelf())));
        return this;
    }

    private Behavior<Command> freeModel() {
        metrics.heldVersion.remove(setup.workerId());
        if (hashMismatches > 0) {
            context.getLog().info("worker {} refetched {} corrupted weight chunks", setup.workerId(), hashMismatches);
        }
        // Closing under a running generation frees tensors the model thread is reading (seen as a SIGSEGV in
        // libtorch when a test stopped a generating worker): close once it has ended.
        modelWork.whenComplete((result, failure) -> manager.close());
        return this;
    }
}
