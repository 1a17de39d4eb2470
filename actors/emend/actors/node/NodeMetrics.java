package emend.actors.node;

import emend.metrics.MetricsRegistry;
import emend.proto.RuntimeStatus;
import emend.wire.Rejection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The Prometheus metrics of one node, as a Pekko extension: every actor of an actor system records into the same
 * {@link MetricsRegistry}, which the node serves at /metrics. The names and their help texts live here, in one
 * place; README's metrics table lists them.
 */
public final class NodeMetrics implements Extension {

    public final MetricsRegistry registry = new MetricsRegistry();
    /** Where the node serves them ({@code http://host:port/metrics}), once its endpoint is up. */
    private volatile String endpoint;

    // the learner (on the node that hosts the singleton)
    private final MetricsRegistry.Gauge policyVersion = registry.gauge("emend_policy_version", "Policy version the learner has published.");
    private final MetricsRegistry.Gauge stepsDone = registry.gauge("emend_learner_steps_done", "Learner steps done.");
    private final MetricsRegistry.Gauge totalSteps = registry.gauge("emend_learner_steps_total", "Learner steps in the schedule.");
    private final MetricsRegistry.Gauge maxStaleness = registry.gauge("emend_max_staleness", "eta: versions a sample may lag the learner.");
    private final MetricsRegistry.Gauge registeredWorkers = registry.gauge("emend_learner_workers", "Rollout workers registered with the learner.");
    private final MetricsRegistry.Gauge inFlight = registry.gauge("emend_prompts_in_flight", "Prompt leases out with workers.");
    private final MetricsRegistry.Counter dispatched = registry.counter("emend_prompts_dispatched_total", "Prompt leases issued.");
    private final MetricsRegistry.Counter completed = registry.counter("emend_prompts_completed_total", "Prompt leases completed and admitted.");
    private final MetricsRegistry.Counter reissued = registry.counter("emend_prompts_reissued_total",
            "Leases that timed out or whose worker left; their prompts were issued again.");
    private final MetricsRegistry.Counter droppedStale = registry.counter("emend_samples_dropped_stale_total",
            "Results refused as older than max staleness.");
    private final MetricsRegistry.Counter duplicates = registry.counter("emend_results_duplicate_total", "Re-sent results ignored by lease id.");
    private final MetricsRegistry.Counter admissionWaits = registry.counter("emend_admission_waits_total",
            "Work requests refused while the staleness window was closed.");
    private final MetricsRegistry.Counter verifyTimeouts = registry.counter("emend_verify_timeouts_total",
            "Verifications of accepted groups that timed out or failed before the one that scored them (each group was sent again).");
    private final MetricsRegistry.Gauge learnerTokensPerSecond = registry.gauge("emend_learner_tokens_per_second",
            "Generated tokens per second of rollout time in the last step.");

    // rollout workers (label worker)
    public final MetricsRegistry.Counter generatedTokens = registry.counter("emend_worker_generated_tokens_total",
            "Tokens a worker generated.", "worker");
    public final MetricsRegistry.Summary generationSeconds = registry.summary("emend_worker_generation_seconds",
            "Seconds per generation call (rate of _sum / rate of _count = mean).", "worker");
    public final MetricsRegistry.Gauge heldVersion = registry.gauge("emend_worker_policy_version", "Policy version a worker holds.", "worker");
    public final MetricsRegistry.Summary verifyLatency = registry.summary("emend_worker_verify_latency_seconds",
            "Seconds from a worker's verification request to its result (queueing, network and scoring).", "worker");
    public final MetricsRegistry.Counter verifyResent = registry.counter("emend_worker_verify_resent_total",
            "Groups a worker sent to the verifiers again after a verification timed out or failed.", "worker");
    public final MetricsRegistry.Counter verifyAbandoned = registry.counter("emend_worker_verify_abandoned_total",
            "Groups a worker let go unscored because their lease ran out first (the learner re-issues the prompt).", "worker");
    public final MetricsRegistry.Gauge nodeWorkers = registry.gauge("emend_node_rollout_workers", "Rollout workers running on this node.");

    // verifiers (label outcome: ok, error, deadline)
    public final MetricsRegistry.Counter verifications = registry.counter("emend_verifier_requests_total",
            "Verification requests a verifier answered, by outcome.", "outcome");
    public final MetricsRegistry.Summary scoringSeconds = registry.summary("emend_verifier_scoring_seconds",
            "Seconds a verifier spent scoring one request (after its queue).");
    public final MetricsRegistry.Gauge verifierQueue = registry.gauge("emend_verifier_queue_depth",
            "Requests waiting at a verifier actor.", "verifier");

    // every actor that takes messages from other nodes (labels type, reason)
    private final MetricsRegistry.Counter wireRejected = registry.counter("emend_wire_rejected_total",
            "Messages from other nodes dropped at an actor's edge before they touched state, by message type and reason.", "type", "reason");
    private final Map<List<String>, AtomicLong> rejectedByKind = new ConcurrentHashMap<>();
    private final AtomicLong rejectedTotal = new AtomicLong();

    /** Counts a dropped message; returns how many of its type and reason this node has dropped, this one included. */
    public long rejected(Rejection rejection) {
        wireRejected.inc(1, rejection.type(), rejection.reason());
        rejectedTotal.incrementAndGet();
        return rejectedByKind.computeIfAbsent(List.of(rejection.type(), rejection.reason()), kind -> new AtomicLong()).incrementAndGet();
    }

    /** Messages this node dropped at an actor's edge, every type and reason (for {@code ctl status}). */
    public long rejectedTotal() {
        return rejectedTotal.get();
    }

    /** The learner's figures, from its status (called on every tick and step). */
    public void learner(RuntimeStatus status, double tokensPerSecond) {
        policyVersion.set(status.getPolicyVersion());
        stepsDone.set(status.getStepsDone());
        totalSteps.set(status.getTotalSteps());
        maxStaleness.set(status.getMaxStaleness());
        registeredWorkers.set(status.getWorkers());
        inFlight.set(status.getInFlight());
        dispatched.setTotal(status.getDispatched());
        completed.setTotal(status.getCompleted());
        reissued.setTotal(status.getExpired());
        droppedStale.setTotal(status.getDroppedStale());
        duplicates.setTotal(status.getDuplicates());
        admissionWaits.setTotal(status.getAdmissionWaits());
        verifyTimeouts.setTotal(status.getVerifyTimeouts());
        learnerTokensPerSecond.set(tokensPerSecond);
    }

    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    void endpoint(String url) {
        endpoint = url;
    }

    public static NodeMetrics get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    /** One {@link NodeMetrics} per actor system. */
    public static final class Id extends ExtensionId<NodeMetrics> {
        static final Id INSTANCE = new Id();

        @Override
        public NodeMetrics createExtension(ActorSystem<?> system) {
            return new NodeMetrics();
        }
    }
}
