package emend.actors.metrics;

import emend.proto.RuntimeStatus;
import emend.wire.Rejection;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The Prometheus metrics of one node (the official Java client), as a Pekko extension: every actor of an actor
 * system records into the same registry, which the node serves at /metrics together with the JVM's own metrics
 * (memory, GC, threads, class loading). The names and their help texts live here, in one place; docs/operations.md
 * lists them.
 */
public final class NodeMetrics implements Extension {

    public final PrometheusRegistry registry = new PrometheusRegistry();
    /** Where the node serves them ({@code http://host:port/metrics}), once its endpoint is up. */
    private volatile String endpoint;
    /** The learner's figures as of its last report; its metrics are absent until the first (nodes without a learner). */
    private volatile LearnerFigures learner;

    private record LearnerFigures(RuntimeStatus status, double tokensPerSecond) {}

    // rollout workers (label worker)
    public final Counter generatedTokens = Counter.builder().name("emend_worker_generated_tokens_total")
            .help("Tokens a worker generated.").labelNames("worker").register(registry);
    public final Histogram generationSeconds = Histogram.builder().name("emend_worker_generation_seconds")
            .help("Seconds per generation call.").labelNames("worker").classicOnly()
            .classicExponentialUpperBounds(0.05, 2, 14).register(registry);
    public final Gauge heldVersion = Gauge.builder().name("emend_worker_policy_version")
            .help("Policy version a worker holds.").labelNames("worker").register(registry);
    public final Histogram verifyLatency = Histogram.builder().name("emend_worker_verify_latency_seconds")
            .help("Seconds from a worker's verification request to its result (queueing, network and scoring).").labelNames("worker")
            .classicOnly().classicExponentialUpperBounds(0.01, 2, 14).register(registry);
    public final Counter verifyResent = Counter.builder().name("emend_worker_verify_resent_total")
            .help("Groups a worker sent to the verifiers again after a verification timed out or failed.").labelNames("worker").register(registry);
    public final Counter verifyAbandoned = Counter.builder().name("emend_worker_verify_abandoned_total")
            .help("Groups a worker let go unscored because their lease ran out first (the learner re-issues the prompt).").labelNames("worker")
            .register(registry);
    public final Gauge nodeWorkers = Gauge.builder().name("emend_node_rollout_workers")
            .help("Rollout workers running on this node.").register(registry);

    // verifiers (label outcome: ok, error, deadline)
    public final Counter verifications = Counter.builder().name("emend_verifier_requests_total")
            .help("Verification requests a verifier answered, by outcome.").labelNames("outcome").register(registry);
    public final Histogram scoringSeconds = Histogram.builder().name("emend_verifier_scoring_seconds")
            .help("Seconds a verifier spent scoring one request (after its queue).").classicOnly()
            .classicExponentialUpperBounds(0.01, 2, 14).register(registry);
    public final Gauge verifierQueue = Gauge.builder().name("emend_verifier_queue_depth")
            .help("Requests waiting at a verifier actor.").labelNames("verifier").register(registry);

    // the learner's step (on the node that hosts the singleton)
    public final Histogram stepSeconds = Histogram.builder().name("emend_learner_step_seconds")
            .help("Seconds per learner step (forward, backward and update of one batch, and the new version's encoding).").classicOnly()
            .classicExponentialUpperBounds(0.1, 2, 14).register(registry);

    // every actor that takes messages from other nodes (labels type, reason)
    private final Counter wireRejected = Counter.builder().name("emend_wire_rejected_total")
            .help("Messages from other nodes dropped at an actor's edge before they touched state, by message type and reason.")
            .labelNames("type", "reason").register(registry);
    private final Map<List<String>, AtomicLong> rejectedByKind = new ConcurrentHashMap<>();
    private final AtomicLong rejectedTotal = new AtomicLong();

    public NodeMetrics() {
        JvmMetrics.builder().register(registry);
        // the learner's figures are read from its last status at scrape time, so they cannot drift from `ctl status`
        learnerGauge("emend_policy_version", "Policy version the learner has published.", f -> f.status().getPolicyVersion());
        learnerGauge("emend_learner_steps_done", "Learner steps done.", f -> f.status().getStepsDone());
        learnerGauge("emend_learner_steps_total", "Learner steps in the schedule.", f -> f.status().getTotalSteps());
        learnerGauge("emend_max_staleness", "eta: versions a sample may lag the learner.", f -> f.status().getMaxStaleness());
        learnerGauge("emend_learner_workers", "Rollout workers registered with the learner.", f -> f.status().getWorkers());
        learnerGauge("emend_oldest_worker_version", "The oldest policy version a registered worker holds, as its last work request said (-1: not known yet).",
                f -> f.status().getOldestWorkerVersion());
        learnerGauge("emend_prompts_in_flight", "Prompt leases out with workers.", f -> f.status().getPromptsInFlight());
        learnerGauge("emend_learner_tokens_per_second", "Generated tokens per second of rollout time in the last step.",
                LearnerFigures::tokensPerSecond);
        learnerCounter("emend_prompts_dispatched_total", "Prompt leases issued.", f -> f.status().getPromptsDispatched());
        learnerCounter("emend_prompts_completed_total", "Prompt leases that ended with a result (accepted, or dropped as stale).", f -> f.status().getPromptsCompleted());
        learnerCounter("emend_prompts_reissued_total", "Leases that timed out or whose worker left; their prompts were issued again.",
                f -> f.status().getPromptsReissued());
        learnerCounter("emend_dropped_stale_total", "Results refused as older than max staleness.", f -> f.status().getDroppedStale());
        learnerCounter("emend_duplicates_total", "Re-sent results ignored by lease id.", f -> f.status().getDuplicates());
        learnerCounter("emend_admission_waits_total", "Work requests granted fewer prompts than asked (staleness window closed, weights too old, schedule ending).",
                f -> f.status().getAdmissionWaits());
        learnerCounter("emend_verify_timeouts_total",
                "Verifications of accepted groups that timed out or failed before the one that scored them (each group was sent again).",
                f -> f.status().getVerifyTimeouts());
    }

    private void learnerGauge(String name, String help, ToDoubleFunction<LearnerFigures> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(callback -> {
            LearnerFigures figures = learner;
            if (figures != null) {
                callback.call(value.applyAsDouble(figures));
            }
        }).register(registry);
    }

    private void learnerCounter(String name, String help, ToDoubleFunction<LearnerFigures> value) {
        CounterWithCallback.builder().name(name).help(help).callback(callback -> {
            LearnerFigures figures = learner;
            if (figures != null) {
                callback.call(value.applyAsDouble(figures));
            }
        }).register(registry);
    }

    /** Counts a dropped message; returns how many of its type and reason this node has dropped, this one included. */
    public long rejected(Rejection rejection) {
        wireRejected.labelValues(rejection.type(), rejection.reason()).inc();
        rejectedTotal.incrementAndGet();
        return rejectedByKind.computeIfAbsent(List.of(rejection.type(), rejection.reason()), kind -> new AtomicLong()).incrementAndGet();
    }

    /** Messages this node dropped at an actor's edge, every type and reason (for {@code ctl status}). */
    public long rejectedTotal() {
        return rejectedTotal.get();
    }

    /** The learner's figures, from its status (called on every tick and step). */
    public void learner(RuntimeStatus status, double tokensPerSecond) {
        learner = new LearnerFigures(status, tokensPerSecond);
    }

    public Optional<String> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    public void endpoint(String url) {
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
