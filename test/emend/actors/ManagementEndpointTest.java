package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import emend.actors.node.NodeConfig;
import emend.actors.metrics.NodeHealth;
import emend.actors.node.NodeOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.Test;

/** Pekko Management on a node: /alive answers while the JVM runs; /ready waits for membership and, on a learner node, for the learner. */
final class ManagementEndpointTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Pekko Management answers a failed health check with 500 ("Not Healthy: Check [...] not ok"). */
    private static final int NOT_READY = 500;

    /** The status of GET base + path; {@link #NOT_READY} when nothing answers any more (a node that has left and ended). */
    private static int status(String base, String path) throws Exception {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (java.net.ConnectException gone) {
            return NOT_READY;
        }
    }

    /** Waits (up to 60 s) for {@code path} to answer a status {@code expected} accepts; returns the last status. */
    private static int await(String base, String path, IntPredicate expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int last;
        do {
            last = status(base, path);
        } while (!expected.test(last) && System.nanoTime() < deadline && sleepBriefly());
        return last;
    }

    private static boolean sleepBriefly() throws InterruptedException {
        Thread.sleep(100); // polling an HTTP endpoint; the condition is checked by the caller
        return true;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static ActorSystem<Void> node(NodeOptions options) {
        return ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, NodeConfig.of(options));
    }

    @Test
    void aNodeThatHasNotJoinedIsAliveButNotReady() throws Exception {
        NodeOptions options = new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, List.of("127.0.0.1:" + closedPort()), 1,
                ConfigFactory.parseMap(Map.of("emend.runtime.management-port", 0)));
        ActorSystem<Void> node = node(options);
        try {
            String base = PekkoManagement.get(node).start().toCompletableFuture().get(30, TimeUnit.SECONDS).toString();
            assertEquals(200, status(base, "/alive"));
            assertEquals(NOT_READY, status(base, "/ready"), "its seed node is unreachable: not a member");
        } finally {
            node.terminate();
            node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLearnerNodeIsReadyOnlyWhileItsLearnerServes() throws Exception {
        ActorSystem<Void> node = node(NodeOptions.singleJvm(0, ConfigFactory.parseMap(Map.of("emend.runtime.management-port", 0))));
        try {
            NodeHealth health = NodeHealth.get(node);
            health.expectLearner();
            health.learnerServing(true);
            String base = PekkoManagement.get(node).start().toCompletableFuture().get(30, TimeUnit.SECONDS).toString();
            Cluster cluster = Cluster.get(node);
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            assertEquals(200, await(base, "/ready", code -> code == 200), "an Up member whose learner serves");
            String members = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/cluster/members")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(members.contains(node.address().toString()) && members.contains("\"Up\""), members);
            health.learnerServing(false);
            assertEquals(NOT_READY, status(base, "/ready"), "an Up member, but its learner stopped");
            assertEquals(200, status(base, "/alive"));
            health.learnerServing(true);
            assertEquals(200, status(base, "/ready"));
            // leaving the cluster: no longer ready (Leaving, Exiting), while the JVM still answers /alive until it ends
            cluster.manager().tell(Leave.create(cluster.selfMember().address()));
            assertEquals(NOT_READY, await(base, "/ready", code -> code != 200), "a leaving member is not ready");
        } finally {
            node.terminate();
            node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
