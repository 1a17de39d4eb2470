package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.node.EmendNode;
import emend.actors.metrics.NodeHealth;
import emend.actors.metrics.NodeMetrics;
import emend.actors.node.NodeOptions;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.proto.RuntimeStatus;
import emend.proto.StatusRequest;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.testing.Await;
import emend.testing.TestNodes;
import emend.testing.TinyLearnerJob;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three JVM-like nodes (three ActorSystems over Artery on 127.0.0.1): a learner node, a rollout + verifier node,
 * and a rollout node that joins late. Every message between them is serialized; they train real steps.
 */
final class MultiNodeTest {

    @TempDir
    Path dir;

    @Test
    void threeNodes_trainTheScheduleAndAccountForEveryPrompt() throws Exception {
        int learnerPort = freePort();
        // the rollout role's port is held by another process: that node must fall back to a free port
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
             TinyLearnerJob tiny = new TinyLearnerJob(dir, "[\"stage1:2\", \"stage2:2\"]", 4, Map.of("emend.runtime.prompts-per-request", "2",
                     "emend.runtime.metrics-port", "by-role", "emend.runtime.metrics-role-ports.learner", Integer.toString(learnerPort),
                     "emend.runtime.metrics-role-ports.rollout", Integer.toString(taken.getLocalPort())));
             TestNodes nodes = new TestNodes()) {
            LearnerJob job = tiny.job();
            CompletableFuture<TrainingSession.Outcome> done = new CompletableFuture<>();
            NodeOptions learnerOptions = new NodeOptions(Set.of("learner"), "127.0.0.1", 0, List.of(), 0);
            ActorSystem<Void> learnerNode = nodes.start(new EmendNode.Plan(learnerOptions, job.task(), job.runtime(), DeviceSlots.CPU, job, done, PolicyReplica.POLICY, null));
            String seed = "127.0.0.1:" + learnerNode.address().getPort().orElseThrow();
            ActorSystem<Void> rolloutNode = nodes.start(new EmendNode.Plan(new NodeOptions(Set.of("rollout", "verifier"), "127.0.0.1", 0, List.of(seed), 1),
                    job.task(), job.runtime(), DeviceSlots.CPU, null, null, PolicyReplica.POLICY, null));
            ActorRef<LearnerProtocol.Command> learner = ClusterSingleton.get(learnerNode)
                    .init(SingletonActor.of(Behaviors.<LearnerProtocol.Command>empty(), "learner"));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (stepsDone(learnerNode, learner) < 1) {
                assertTrue(System.nanoTime() < deadline, "no learner step within 120 s");
                Thread.sleep(200);
            }
            // a late joiner: must fetch the current version before it takes work
            nodes.start(new EmendNode.Plan(new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, List.of(seed), 1),
                    job.task(), job.runtime(), DeviceSlots.CPU, null, null, PolicyReplica.POLICY, null));

            done.get(180, TimeUnit.SECONDS);
            RuntimeStatus status = status(learnerNode, learner);
            assertEquals(4, status.getStepsDone());
            assertEquals(4, status.getPolicyVersion());
            assertTrue(status.getFinished());
            assertEquals(status.getPromptsDispatched(), status.getPromptsCompleted() + status.getPromptsInFlight() + status.getPromptsReissued(), status.toString());
            assertEquals(16, status.getPromptsCompleted() - status.getDroppedStale(), "4 steps x 4 prompts were trained on");
            assertEquals(0, status.getDroppedStale(), "eta = 0 and every worker held the current version: nothing stale");
            assertEquals(0, status.getVerifyTimeouts());
            assertEquals(2, status.getWorkers(), "the late joiner registered");

            // Pekko Management on the learner node: ready (an Up member whose learner serves leases)
            String management = NodeHealth.get(learnerNode).managementUri().orElseThrow();
            assertEquals(200, java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(management + "/ready")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            // every node's Prometheus endpoint, scraped over HTTP: the learner on its role's port, the rollout node elsewhere
            assertEquals("http://127.0.0.1:" + learnerPort + "/metrics", NodeMetrics.get(learnerNode).endpoint().orElseThrow());
            assertFalse(NodeMetrics.get(rolloutNode).endpoint().orElseThrow().endsWith(":" + taken.getLocalPort() + "/metrics"));
            assertStrictOpenMetrics(NodeMetrics.get(learnerNode).endpoint().orElseThrow());
            Map<String, Double> learnerMetrics = scrape(learnerNode);
            assertEquals(4.0, learnerMetrics.get("emend_learner_step_seconds_count"));
            assertTrue(learnerMetrics.get("emend_learner_step_seconds_sum") > 0);
            assertTrue(learnerMetrics.get("jvm_memory_used_bytes{area=\"heap\"}") > 0, "the JVM's own metrics are served too");
            assertEquals(4.0, learnerMetrics.get("emend_learner_steps_done"));
            assertEquals(4.0, learnerMetrics.get("emend_policy_version"));
            assertEquals((double) status.getPromptsCompleted(), learnerMetrics.get("emend_prompts_completed_total"));
            assertEquals(2.0, learnerMetrics.get("emend_learner_workers"));
            // both workers asked for work holding version 1 or later (the first trained on steps 2-4 at eta = 0, the late
            // joiner fetched a version before it asked), each asks again after loading the last one
            Await.until(() -> learnerGauge(learnerNode, "emend_oldest_worker_version") >= 1, Duration.ofSeconds(60),
                    () -> "emend_oldest_worker_version stayed at " + learnerGauge(learnerNode, "emend_oldest_worker_version"));
            Map<String, Double> rolloutMetrics = scrape(rolloutNode);
            assertEquals(1.0, rolloutMetrics.get("emend_node_rollout_workers"));
            assertTrue(sumOf(rolloutMetrics, "emend_worker_generated_tokens_total{") > 0, rolloutMetrics.toString());
            double verifications = sumOf(rolloutMetrics, "emend_worker_verify_latency_seconds_count{");
            assertTrue(verifications > 0, rolloutMetrics.toString());
            assertEquals(verifications, rolloutMetrics.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("emend_worker_verify_latency_seconds_bucket{") && e.getKey().contains("le=\"+Inf\""))
                    .mapToDouble(Map.Entry::getValue).sum(), "a histogram: its +Inf bucket counts every observation");
            // the last version is announced as the run ends and loaded by the worker after it: wait for the load
            long loadDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (sumOf(rolloutMetrics, "emend_worker_policy_version{") < 4.0 && System.nanoTime() < loadDeadline) {
                Thread.sleep(100);
                rolloutMetrics = scrape(rolloutNode);
            }
            assertEquals(4.0, sumOf(rolloutMetrics, "emend_worker_policy_version{"), "the worker holds the last version");
            assertTrue(rolloutMetrics.getOrDefault("emend_verifier_requests_total{outcome=\"ok\"}", 0.0) > 0, rolloutMetrics.toString());
        }
    }

    /** One unlabelled figure of the node's /metrics (NaN if absent). */
    private static double learnerGauge(ActorSystem<Void> node, String name) {
        try {
            return scrape(node).getOrDefault(name, Double.NaN);
        } catch (Exception e) {
            throw new IllegalStateException("scraping " + name, e);
        }
    }

    /** The node's /metrics as {@code name{labels}} to value. */
    private static Map<String, Double> scrape(ActorSystem<Void> node) throws Exception {
        String url = NodeMetrics.get(node).endpoint().orElseThrow();
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        Map<String, Double> values = new java.util.HashMap<>();
        response.body().lines().filter(line -> !line.startsWith("#")).forEach(line -> {
            int space = line.lastIndexOf(' ');
            values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        });
        return values;
    }

    /**
     * The endpoint in OpenMetrics (asked for by Accept, as Prometheus does): its content type, every sample line in
     * the format's grammar (name, optional labels, a number), every family declared before its samples, and the
     * closing {@code # EOF}.
     */
    private static void assertStrictOpenMetrics(String url) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(url)).header("Accept", "application/openmetrics-text; version=1.0.0").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text; version=1.0.0"),
                response.headers().toString());
        String body = response.body();
        assertTrue(body.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
        java.util.regex.Pattern sample = java.util.regex.Pattern.compile(
                "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)( [0-9.eE+-]+)?");
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (String line : body.lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                declared.add(line.split(" ")[2]);
            } else if (!line.startsWith("#")) {
                java.util.regex.Matcher m = sample.matcher(line);
                assertTrue(m.matches(), "not an OpenMetrics sample: " + line);
                String name = m.group(1);
                assertTrue(declared.stream().anyMatch(name::startsWith), "sample before its family's TYPE: " + line);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static double sumOf(Map<String, Double> metrics, String prefix) {
        return metrics.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue).sum();
    }


    /** Steps done, or -1 while the singleton is not reachable yet (the cluster is still forming). */
    private static int stepsDone(ActorSystem<Void> node, ActorRef<LearnerProtocol.Command> learner) throws InterruptedException {
        try {
            return status(node, learner).getStepsDone();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return -1;
        }
    }

    private static RuntimeStatus status(ActorSystem<Void> node, ActorRef<LearnerProtocol.Command> learner)
            throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
        return AskPattern.<LearnerProtocol.Command, LearnerProtocol.Status>ask(learner, replyTo -> new LearnerProtocol.GetStatus(StatusRequest.getDefaultInstance(), replyTo),
                Duration.ofSeconds(10), node.scheduler()).toCompletableFuture().get(15, TimeUnit.SECONDS).payload();
    }
}
