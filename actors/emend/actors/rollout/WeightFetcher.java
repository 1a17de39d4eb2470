package emend.actors.rollout;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.metrics.Rejections;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.weights.WeightAssembly;
import emend.weights.WeightDownload;
import emend.weights.WeightStreamFetch;
import emend.wire.Rejection;
import emend.wire.WorkerEdge;
import java.time.Duration;
import java.util.Optional;
import javax.net.SocketFactory;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A rollout worker's weight download (a child of the worker): reads a version from the learner's weight stream
 * when the manifest names one and follows the stream for the versions after it (on a thread of its own), else requests
 * its chunks over Artery in a window (asking again for the ones lost), every chunk checked against its hash
 * ({@link WeightDownload} decides what to fetch from where). Tells the worker
 * the newest version announced ({@link WorkerProtocol.Announced}) and each whole, verified version
 * ({@link WorkerProtocol.Fetched}). Chunk requests name the worker as their reply address (the learner answers only
 * registered workers), and the worker hands the chunks on.
 */
final class WeightFetcher extends AbstractBehavior<WeightFetcher.Command> {

    sealed interface Command {}

    /** A new learner's manifest (its versions are its own): taken as it is and fetched at once. */
    record Restart(WeightManifest manifest) implements Command {}

    /** A version announced by the current learner; {@code shared}: its encoded weights, from a learner in this JVM, or null. */
    record Offer(WeightManifest manifest, byte[] shared) implements Command {}

    /** Fetch the newest version announced (the worker is free and holds an older one). */
    enum Begin implements Command { INSTANCE }

    /** A chunk the learner sent the worker. */
    record ChunkArrived(WeightChunk chunk) implements Command {}

    /** The stream {@code from} began to bring a version the learner pushed. */
    private record StreamStarted(WeightStreamFetch from, WeightAssembly assembly) implements Command {}

    /** The stream {@code from} brought a whole version. */
    private record StreamDelivered(WeightStreamFetch from, WeightAssembly assembly) implements Command {}

    /** The stream {@code from} ended. */
    private record StreamEnded(WeightStreamFetch from, WeightStreamFetch.Result result) implements Command {}

    /** The stream was to have begun bringing {@code version} by now. */
    private record Overdue(long version) implements Command {}

    private enum AskAgain implements Command { INSTANCE }

    /**
     * For connecting to the weight stream, for each read from it while a version comes (a learner that stopped sending),
     * and for the stream to begin bringing a version announced.
     */
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(10);
    /** How long chunks requested over Artery may take before the missing ones are asked for again. */
    private static final Duration CHUNK_TIMEOUT = Duration.ofSeconds(5);

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String workerId;
    private final SocketFactory sockets;
    private final ActorRef<LearnerProtocol.Command> learner;
    private final ActorRef<LearnerProtocol.ToWorker> worker;
    private final WeightDownload download = new WeightDownload();
    /** The stream followed, or null: open exactly while {@link WeightDownload#following()}. */
    private WeightStreamFetch stream;

    static Behavior<Command> create(String workerId, SocketFactory sockets, ActorRef<LearnerProtocol.Command> learner,
                                    ActorRef<LearnerProtocol.ToWorker> worker) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new WeightFetcher(context, timers, workerId, sockets, learner, worker)));
    }

    private WeightFetcher(ActorContext<Command> context, TimerScheduler<Command> timers, String workerId, SocketFactory sockets,
                          ActorRef<LearnerProtocol.Command> learner, ActorRef<LearnerProtocol.ToWorker> worker) {
        super(context);
        this.context = context;
        this.timers = timers;
        this.workerId = workerId;
        this.sockets = sockets;
        this.learner = learner;
        this.worker = worker;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Restart.class, this::onRestart)
                .onMessage(Offer.class, this::onOffer)
                .onMessageEquals(Begin.INSTANCE, () -> perform(download.begin()))
                .onMessage(ChunkArrived.class, this::onChunk)
                .onMessage(StreamStarted.class, started -> started.from() == stream ? perform(download.streamStarted(started.assembly())) : this)
                .onMessage(StreamDelivered.class, delivered -> delivered.from() == stream ? perform(download.streamDelivered(delivered.assembly())) : this)
                .onMessage(StreamEnded.class, this::onStreamEnded)
                .onMessage(Overdue.class, overdue -> perform(download.overdue(overdue.version())))
                .onMessageEquals(AskAgain.INSTANCE, this::onAskAgain)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<Command> onRestart(Restart restart) {
        download.restart(restart.manifest());
        worker.tell(new WorkerProtocol.Announced(download.newest()));
        return perform(download.begin());
    }

    private Behavior<Command> onOffer(Offer offer) {
        WeightDownload.Step step = download.offer(offer.manifest(), offer.shared());
        worker.tell(new WorkerProtocol.Announced(download.newest()));
        return perform(step);
    }

    /** Does what the download asks for next: read the stream, request chunks over Artery, or hand over a whole version. */
    private Behavior<Command> perform(WeightDownload.Step step) {
        if (step instanceof WeightDownload.Stream open) {
            timers.cancel(AskAgain.INSTANCE);
            closeStream();
            stream = follow(open);
        } else if (step instanceof WeightDownload.Await await) {
            timers.cancel(AskAgain.INSTANCE);
            timers.startSingleTimer(Overdue.class, new Overdue(await.version()), STREAM_TIMEOUT);
        } else if (step instanceof WeightDownload.Request request) {
            if (!request.warning().isEmpty()) {
                context.getLog().warn("worker {}: {}", workerId, request.warning());
            }
            request.indices().forEach(index -> learner.tell(new LearnerProtocol.FetchChunk(WeightChunkRequest.newBuilder()
                    .setVersion(request.version()).setIndex(index).build(), worker)));
            if (request.newRound()) {
                timers.startSingleTimer(AskAgain.INSTANCE, CHUNK_TIMEOUT);
            }
        } else if (step instanceof WeightDownload.Load load) {
            timers.cancel(AskAgain.INSTANCE);
            timers.cancel(Overdue.class);
            worker.tell(new WorkerProtocol.Fetched(load.manifest(), load.bytes()));
        }
        if (!download.following()) {
            closeStream();
        }
        return this;
    }

    /** Reads the stream on a thread of its own (it blocks between versions for as long as a learner step takes). */
    private WeightStreamFetch follow(WeightDownload.Stream open) {
        WeightStreamFetch fetch = new WeightStreamFetch(open.address(), STREAM_TIMEOUT, sockets);
        ActorRef<Command> self = context.getSelf();
        WeightStreamFetch.Listener listener = new WeightStreamFetch.Listener() {
            @Override
            public void started(WeightAssembly assembly) {
                self.tell(new StreamStarted(fetch, assembly));
            }

            @Override
            public void delivered(WeightAssembly assembly) {
                self.tell(new StreamDelivered(fetch, assembly));
            }
        };
        Thread reader = new Thread(() -> {
            WeightStreamFetch.Result result;
            try {
                result = fetch.follow(open.assembly(), listener);
            } catch (RuntimeException | Error e) {
                result = new WeightStreamFetch.Result(WeightStreamFetch.Ending.INCOMPLETE, 0, e.toString());
            }
            self.tell(new StreamEnded(fetch, result));
        }, "emend-weight-follow-" + workerId);
        reader.setDaemon(true);
        reader.start();
        return fetch;
    }

    private void closeStream() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    private Behavior<Command> onStreamEnded(StreamEnded ended) {
        if (ended.from() != stream) {
            return this;
        }
        stream = null;
        return perform(download.streamEnded(ended.result()));
    }

    private Behavior<Command> onChunk(ChunkArrived arrived) {
        Optional<WeightManifest> fetching = download.fetchingOverMessages();
        if (fetching.isEmpty() || arrived.chunk().getVersion() != fetching.get().getVersion()) {
            return this;
        }
        Optional<Rejection> bad = WorkerEdge.chunk(arrived.chunk(), fetching.get().getChunkCount());
        if (bad.isPresent()) {
            Rejections.drop(context, bad.get());
            return this;
        }
        return perform(download.chunkArrived(arrived.chunk()));
    }

    /** Chunks can be lost (a dropped frame, a moved learner): the missing ones of this round are requested again. */
    private Behavior<Command> onAskAgain() {
        WeightDownload.Step step = download.askAgain();
        if (step instanceof WeightDownload.Request) {
            timers.startSingleTimer(AskAgain.INSTANCE, CHUNK_TIMEOUT);
        }
        return perform(step);
    }

    private Behavior<Command> onPostStop() {
        closeStream();
        if (download.corruptedChunks() > 0) {
            context.getLog().info("worker {} refetched {} corrupted weight chunks", workerId, download.corruptedChunks());
        }
        return this;
    }
}
