package emend.actors;

import emend.actors.protocol.NodeProtocol;
import static org.junit.jupiter.api.Assertions.assertEquals;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.node.NodeAgent;
import emend.actors.node.NodeConfig;
import emend.actors.node.NodeOptions;
import emend.actors.rollout.WorkerProtocol;
import emend.proto.NodeStatus;
import emend.proto.ScaleWorkers;
import emend.proto.StatusQuery;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node's agent: scaling spawns and drains workers; a worker that keeps failing is restarted, then taken out. */
final class NodeAgentTest {

    private final ActorTestKit kit = ActorTestKit.create(NodeConfig.of(NodeOptions.singleJvm(0)));

    @AfterEach
    void shutdown() {
        kit.shutdownTestKit();
    }

    @Test
    void workerWhoseDeviceKeepsFailing_isRestartedThreeTimesThenTakenOut() {
        AtomicInteger starts = new AtomicInteger();
        Behavior<LearnerProtocol.ToWorker> failing = Behaviors.setup(context -> {
            starts.incrementAndGet();
            throw new IllegalStateException("device lost");
        });
        ActorRef<NodeProtocol.Command> agent = kit.spawn(NodeAgent.create(Set.of("rollout"), 1, 8, (index, id) -> new NodeAgent.Worker(failing, "cpu")));
        TestProbe<NodeProtocol.NodeReply> probe = kit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(10), () -> {
            agent.tell(new NodeProtocol.Describe(StatusQuery.getDefaultInstance(), probe.ref()));
            assertEquals(0, probe.receiveMessage().payload().getRolloutWorkers());
            return null;
        });
        assertEquals(4, starts.get(), "the first start and three restarts");
    }

    @Test
    void scale_spawnsWorkersAndDrainsTheNewestDown() {
        AtomicInteger started = new AtomicInteger();
        ActorRef<NodeProtocol.Command> agent = kit.spawn(NodeAgent.create(Set.of("rollout"), 1, 8, (index, id) -> new NodeAgent.Worker(Behaviors.setup(context -> {
            started.incrementAndGet();
            // a worker that holds nothing stops as soon as it is asked to drain
            return Behaviors.receive(LearnerProtocol.ToWorker.class)
                    .onMessageEquals(WorkerProtocol.Drain.INSTANCE, Behaviors::stopped)
                    .build();
        }), "cpu slot " + index)));
        TestProbe<NodeProtocol.NodeReply> probe = kit.createTestProbe();
        agent.tell(new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(3).build(), probe.ref()));
        NodeStatus up = probe.receiveMessage().payload();
        assertEquals(3, up.getRolloutWorkers());
        assertEquals(Map.of("rollout-1", "cpu slot 0", "rollout-2", "cpu slot 1", "rollout-3", "cpu slot 2"), up.getWorkerDevicesMap(),
                "each worker is made with its index (the device slots go round by it)");
        // a child's setup runs on its own schedule, after the agent has replied
        probe.awaitAssert(Duration.ofSeconds(5), () -> {
            assertEquals(3, started.get());
            return null;
        });
        agent.tell(new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(1).build(), probe.ref()));
        assertEquals(1, probe.receiveMessage().payload().getRolloutWorkers());
        agent.tell(new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(2).build(), probe.ref()));
        NodeStatus again = probe.receiveMessage().payload();
        assertEquals(2, again.getRolloutWorkers());
        assertEquals(Map.of("rollout-1", "cpu slot 0", "rollout-4", "cpu slot 3"), again.getWorkerDevicesMap());
        probe.awaitAssert(Duration.ofSeconds(5), () -> {
            assertEquals(4, started.get(), "one new worker, the drained ones are not reused");
            return null;
        });
    }

    /** Over emend.runtime.max-workers-per-node: refused with the reason at once (the caller does not wait out a timeout). */
    @Test
    void scaleOverTheMaximum_isRefusedAtOnceWithTheReason_andChangesNothing() {
        ActorRef<NodeProtocol.Command> agent = kit.spawn(NodeAgent.create(Set.of("rollout"), 1, 8, (index, id) -> new NodeAgent.Worker(Behaviors.empty(), "cpu")));
        TestProbe<NodeProtocol.NodeReply> probe = kit.createTestProbe();
        agent.tell(new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(9).build(), probe.ref()));
        NodeStatus refused = probe.receiveMessage(Duration.ofSeconds(3)).payload();
        assertEquals("9 rollout workers (0 to 8, emend.runtime.max-workers-per-node)", refused.getRefused());
        assertEquals(1, refused.getRolloutWorkers());
        agent.tell(new NodeProtocol.Scale(ScaleWorkers.newBuilder().setRolloutWorkers(8).build(), probe.ref()));
        NodeStatus done = probe.receiveMessage().payload();
        assertEquals("", done.getRefused());
        assertEquals(8, done.getRolloutWorkers());
    }
}
