package emend.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import emend.task.GroupScorer;
import emend.task.Verifier;
import emend.tls.TlsSettings;
import emend.weights.WeightPublication;
import java.time.Duration;

/**
 * Settings of the actor runtime ({@code emend.runtime}; cluster-config/reference.conf documents each key).
 *
 * @param driver {@code actors} (the default: learner, rollout workers and verifiers as actors) or {@code sync}
 *     (the single-threaded reference driver)
 * @param maxStaleness η: how many policy versions a sample may lag behind the learner
 * @param maxWorkersPerNode the most rollout workers one node runs; a scaling request over it is refused (each
 *     worker holds a policy copy, so an unbounded request would exhaust the node's memory)
 * @param weightStreamPort the learner's weight stream port: 0 any free port, -1 off (Artery chunks only)
 * @param metrics where every node serves its Prometheus metrics
 * @param management where every node serves Pekko Management's /alive, /ready and /cluster/members
 * @param nativeThreads libtorch's intra-op threads in this JVM; 0 = libtorch's default (every core)
 * @param tls this node's TLS identity for Artery, the weight stream and the control endpoint, or {@link TlsSettings#OFF}
 */
public record RuntimeSettings(
        String driver,
        int maxStaleness,
        int workersPerNode,
        int maxWorkersPerNode,
        int promptsPerRequest,
        Duration leaseTimeout,
        int verifierPoolSize,
        Duration verifyTimeout,
        int verifierParallelism,
        int verifierQueueCapacity,
        int weightChunkBytes,
        int weightStreamPort,
        NodePort metrics,
        NodePort management,
        int nativeThreads,
        TlsSettings tls) {

    public RuntimeSettings {
        if (!driver.equals("actors") && !driver.equals("sync")) {
            throw new IllegalArgumentException("emend.runtime.driver must be actors or sync, got '" + driver + "'");
        }
        if (maxStaleness < 0 || workersPerNode < 0 || promptsPerRequest < 1 || verifierPoolSize < 1 || verifierParallelism < 1) {
            throw new IllegalArgumentException("emend.runtime needs max-staleness >= 0, workers-per-node >= 0, "
                    + "prompts-per-request >= 1, verifier-pool-size >= 1 and verifier-parallelism >= 1");
        }
        for (Duration d : new Duration[] {leaseTimeout, verifyTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("emend.runtime lease-timeout and verify-timeout must be positive");
            }
        }
        if (maxWorkersPerNode < 1 || workersPerNode > maxWorkersPerNode) {
            throw new IllegalArgumentException("emend.runtime.max-workers-per-node must be >= 1 and >= workers-per-node (" + workersPerNode
                    + "), got " + maxWorkersPerNode);
        }
        if (nativeThreads < 0) {
            throw new IllegalArgumentException("emend.runtime.native-threads must be >= 0 (0 = libtorch's default, every core), got " + nativeThreads);
        }
        if (verifierQueueCapacity < 1) {
            throw new IllegalArgumentException("emend.runtime.verifier-queue-capacity must be >= 1, got " + verifierQueueCapacity);
        }
        WeightPublication.checkChunkBytes(weightChunkBytes);
        if (weightStreamPort < -1 || weightStreamPort > 65_535) {
            throw new IllegalArgumentException("emend.runtime.weight-stream-port must be a TCP port, 0 (any free port) or -1 (off), got "
                    + weightStreamPort);
        }
    }

    /**
     * Refuses a {@code verify-timeout} shorter than the deadline a verifier gives a group of {@code groupAttempts}
     * attempts (their calls {@code verifier-parallelism} at a time, each within the verifier's bound): a caller
     * that gives up first would re-issue groups that were on time. Instant verifiers have no such deadline.
     */
    public void requireVerifyTimeoutCovers(Verifier verifier, int groupAttempts) {
        if (verifier.instant()) {
            return;
        }
        Duration needed = GroupScorer.deadline(groupAttempts, verifierParallelism, verifier.attemptBound());
        if (verifyTimeout.compareTo(needed) < 0) {
            throw new IllegalArgumentException("emend.runtime.verify-timeout (" + verifyTimeout.toMillis() + " ms) is shorter than the "
                    + "verification deadline of one group: " + groupAttempts + " attempts, " + verifierParallelism
                    + " at a time (emend.runtime.verifier-parallelism), each within emend.verify.timeout plus clean-up ("
                    + verifier.attemptBound().toMillis() + " ms), is " + needed.toMillis() + " ms. Raise emend.runtime.verify-timeout to at least "
                    + needed.toMillis() + "ms, raise emend.runtime.verifier-parallelism, or lower emend.verify.timeout");
        }
    }

    public static RuntimeSettings fromConfig(Config root) {
        try {
            Config c = root.getConfig("emend.runtime");
            return new RuntimeSettings(c.getString("driver"), c.getInt("max-staleness"), c.getInt("workers-per-node"), c.getInt("max-workers-per-node"),
                    c.getInt("prompts-per-request"), c.getDuration("lease-timeout"), c.getInt("verifier-pool-size"),
                    c.getDuration("verify-timeout"), c.getInt("verifier-parallelism"), c.getInt("verifier-queue-capacity"),
                    c.getInt("weight-chunk-bytes"), c.getInt("weight-stream-port"),
                    NodePort.fromConfig(c, "metrics"), NodePort.fromConfig(c, "management"), c.getInt("native-threads"), TlsSettings.fromConfig(c.getConfig("tls")));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("configuration error: " + e.getMessage()
                    + " (see cluster-config/reference.conf for every key and its meaning)", e);
        }
    }
}
