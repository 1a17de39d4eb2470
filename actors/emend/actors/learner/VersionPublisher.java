package emend.actors.learner;

import emend.actors.protocol.LearnerProtocol;
import emend.checkpoint.HfModelConfig;
import emend.proto.WeightChunk;
import emend.proto.WeightChunkRequest;
import emend.proto.WeightManifest;
import emend.run.LearnerJob;
import emend.tls.TlsSettings;
import emend.weights.WeightPublication;
import emend.weights.WeightStreamServer;
import java.io.UncheckedIOException;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * The policy version workers fetch: its publication (manifest and chunks), the manifest stamped with the learner's
 * epoch, and the same manifest naming the weight stream for workers on other nodes when the stream is up. Workers in
 * this JVM get each new version's encoded weights themselves ({@link LearnerProtocol.SharedVersion}); their first
 * version they fetch as chunks over local messages (views, no copy). Used from the learner's thread, except
 * {@link #encode}, which runs on the step's.
 */
final class VersionPublisher implements AutoCloseable {

    private final LearnerJob job;
    private final String modelConfigJson;
    private final long epoch;
    /** Serves versions to workers on other nodes; null when off (emend.runtime.weight-stream-port = -1) or not bound. */
    private final WeightStreamServer stream;
    private WeightPublication publication;
    private WeightManifest localManifest;
    private WeightManifest streamManifest;

    /** Opens the stream (if configured) and publishes the policy as it is now, as {@code version}. */
    VersionPublisher(LearnerJob job, long epoch, long version, String host, Logger log) {
        this.job = job;
        this.epoch = epoch;
        this.modelConfigJson = HfModelConfig.toJson(job.policy().weights().config(), job.dialogue().tokenizer().specials());
        this.stream = openStream(host, job.runtime().weightStreamPort(), job.runtime().tls(), log);
        publish(encode(version));
    }

    /** The weight stream on {@code host}, or null: without it workers fetch over Artery, slower but whole. */
    private static WeightStreamServer openStream(String host, int port, TlsSettings tls, Logger log) {
        if (port < 0) {
            return null;
        }
        try {
            WeightStreamServer server = new WeightStreamServer(host, port, tls.serverSockets());
            log.info("weight stream listening on {}", server.address());
            return server;
        } catch (UncheckedIOException e) {
            log.warn("{}; workers on other nodes fetch weights over Artery instead", e.getMessage());
            return null;
        }
    }

    /** Encodes, hashes and chunks the policy's weights as they are now (on the thread that may read the model). */
    WeightPublication encode(long version) {
        return WeightPublication.of(version, job.policy().weights(), job.runtime().weightChunkBytes(), modelConfigJson);
    }

    /** Serves {@code next} from now on, in this JVM and on the stream. */
    void publish(WeightPublication next) {
        publication = next;
        localManifest = next.manifest().toBuilder().setLearnerEpoch(epoch).build();
        if (stream != null) {
            stream.publish(next);
            streamManifest = localManifest.toBuilder().setStreamAddress(stream.address()).build();
        }
    }

    /**
     * How one worker hears of the version: a worker in this JVM gets the encoded weights themselves, shared; one on
     * another node the manifest, which names the stream when there is one.
     */
    LearnerProtocol.ToWorker announcementFor(ActorRef<?> worker, long workerNonce) {
        WeightManifest manifest = manifestFor(worker, workerNonce);
        return worker.path().address().hasLocalScope()
                ? new LearnerProtocol.SharedVersion(manifest, publication.sharedBytes())
                : new LearnerProtocol.NewVersion(manifest);
    }

    /** The manifest for one worker, with its nonce: the stream's for a worker on another node, when there is one. */
    WeightManifest manifestFor(ActorRef<?> worker, long workerNonce) {
        WeightManifest manifest = stream != null && worker.path().address().hasGlobalScope() ? streamManifest : localManifest;
        return manifest.toBuilder().setWorkerNonce(workerNonce).build();
    }

    long version() {
        return publication.version();
    }

    int chunkCount() {
        return publication.manifest().getChunkCount();
    }

    /** The chunk asked for, or a "gone" answer when it names a version no longer served. */
    WeightChunk chunk(WeightChunkRequest request) {
        return request.getVersion() == publication.version()
                ? publication.chunk(request.getIndex())
                : WeightChunk.newBuilder().setVersion(request.getVersion()).setIndex(request.getIndex()).setGone(true).build();
    }

    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
    }
}
