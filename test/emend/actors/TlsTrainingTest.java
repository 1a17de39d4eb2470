package emend.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import emend.actors.control.ControlEndpoint;
import emend.actors.node.EmendNode;
import emend.actors.node.NodeOptions;
import emend.config.RuntimeSettings;
import emend.control.ControlClient;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.proto.NodeStatus;
import emend.proto.RunStatus;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.testing.TestCerts;
import emend.testing.TestControl;
import emend.testing.TestNodes;
import emend.testing.TinyLearnerJob;
import emend.tls.TlsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on a TLS cluster: the learner node and a rollout node of the cluster's CA train; a node with another CA's
 * certificate and a plain-TCP node keep trying to join all along, and the run goes on without them.
 */
final class TlsTrainingTest {

    @TempDir
    Path dir;

    @Test
    void foreignAndPlainNodes_stayOut_whileTheRunTrains() throws Exception {
        TestCerts certs = TestCerts.make(dir.resolve("certs"));
        Map<String, String> settings = Map.of("emend.runtime.prompts-per-request", "1",
                "emend.runtime.tls.dir", "\"" + certs.cluster() + "\"", "emend.runtime.tls.name", "seed");
        // the refused nodes retry their seed every second
        Config retryOften = ConfigFactory.parseString("pekko.cluster.seed-node-timeout = 1s");
        try (TinyLearnerJob tiny = new TinyLearnerJob(dir.resolve("run"), "[\"stage1:200\"]", 2, settings); TestNodes nodes = new TestNodes()) {
            LearnerJob job = tiny.job();
            ActorSystem<Void> learnerNode = nodes.start(new EmendNode.Plan(new NodeOptions(Set.of("learner", "verifier"), "127.0.0.1", 0,
                    List.of(), 0), job.task(), job.runtime(), DeviceSlots.CPU, job, new CompletableFuture<TrainingSession.Outcome>(), PolicyReplica.POLICY,
                    TestControl.anyPort()));
            List<String> seed = List.of("127.0.0.1:" + learnerNode.address().getPort().orElseThrow());
            ActorSystem<Void> good = nodes.start(EmendNode.Plan.serving(new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, seed, 1),
                    job.task(), withTls(job.runtime(), certs.node("good")), DeviceSlots.CPU));
            nodes.start(EmendNode.Plan.serving(new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, seed, 0, retryOften),
                    job.task(), withTls(job.runtime(), certs.rogue()), DeviceSlots.CPU));
            nodes.start(EmendNode.Plan.serving(new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, seed, 0, retryOften),
                    job.task(), withTls(job.runtime(), TlsSettings.OFF), DeviceSlots.CPU));
            ControlClient client = TestControl.client(dir.resolve("run").resolve(ControlEndpoint.CONTACT_FILE), TestControl.TOKEN,
                    Duration.ofSeconds(60), certs.node("ops").context());
            Set<String> members = Set.of(learnerNode.address().toString(), good.address().toString());

            RunStatus first = TestControl.await(client, s -> s.getStepsDone() >= 1, "a step", Duration.ofMinutes(2));
            assertEquals(members, addresses(first));
            RunStatus later = TestControl.await(client, s -> s.getStepsDone() >= first.getStepsDone() + 3, "three more steps", Duration.ofMinutes(2));
            assertEquals(members, addresses(later));
        }
    }

    private static Set<String> addresses(RunStatus status) {
        return Set.copyOf(status.getNodesList().stream().map(NodeStatus::getAddress).toList());
    }

    private static RuntimeSettings withTls(RuntimeSettings r, TlsSettings tls) {
        return new RuntimeSettings(r.driver(), r.maxStaleness(), r.workersPerNode(), r.maxWorkersPerNode(), r.promptsPerRequest(), r.leaseTimeout(),
                r.verifierPoolSize(), r.verifyTimeout(), r.verifierParallelism(), r.verifierQueueCapacity(), r.weightChunkBytes(),
                r.weightStreamPort(), r.metrics(), r.management(), r.nativeThreads(), tls);
    }
}
