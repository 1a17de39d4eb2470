package emend.actors;

import static emend.testing.NodeProcesses.freePort;
import static emend.testing.NodeProcesses.node;
import static emend.testing.NodeProcesses.upNodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.actors.control.ControlEndpoint;
import emend.checkpoint.ResumeCheckpoint;
import emend.control.ControlClient;
import emend.proto.ControlReply;
import emend.proto.ControlRequest;
import emend.proto.DrainNode;
import emend.proto.RunStatus;
import emend.proto.StopRun;
import emend.testing.NodeProcesses;
import emend.testing.TestControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real JVM processes on 127.0.0.1, each an `emend node`: a learner (with verifiers) and rollout nodes. A rollout
 * node is killed with SIGKILL mid-run, another joins and one is drained, then the learner is stopped and started
 * again from its checkpoint under the running rollout node. The prompt accounting must balance throughout and
 * training must go on after each event.
 */
final class ProcessClusterTest {

    @TempDir
    Path dir;

    @Test
    void killJoinDrainAndLearnerRestart_loseNoWork() throws Exception {
        Path run = dir.resolve("run");
        int learnerPort = freePort();
        try (NodeProcesses nodes = new NodeProcesses(dir)) {
            Process learner = nodes.start("learner", "learner,verifier", learnerPort, List.of(), List.of("--run-dir", run.toString()));
            Path contact = run.resolve(ControlEndpoint.CONTACT_FILE);
            ControlClient client = TestControl.client(contact, NodeProcesses.TOKEN, Duration.ofMinutes(4));
            String seed = "127.0.0.1:" + learnerPort;
            int portA = freePort();
            int portB = freePort();
            Process a = nodes.start("rollout-a", "rollout", portA, List.of(seed), List.of());
            Process b = nodes.start("rollout-b", "rollout", portB, List.of(seed), List.of());
            RunStatus before = await(client, s -> s.getStepsDone() >= 2 && upNodes(s) == 3, "three nodes up and two steps");

            b.destroyForcibly();
            RunStatus afterKill = await(client, s -> s.getStepsDone() >= before.getStepsDone() + 3 && upNodes(s) == 2
                    && s.getNodesList().stream().noneMatch(n -> n.getAddress().endsWith(":" + portB)), "B downed and three more steps");
            assertBalanced(afterKill);

            int portC = freePort();
            nodes.start("rollout-c", "rollout", portC, List.of(seed), List.of());
            RunStatus joined = await(client, s -> node(s, portC) != null && node(s, portC).getRolloutWorkers() == 1
                    && s.getStepsDone() >= afterKill.getStepsDone() + 2, "C joined and two more steps");
            long reissuedBeforeDrain = joined.getPromptsReissued();
            assertEquals(ControlReply.Code.OK, client.send(ControlRequest.newBuilder()
                    .setDrain(DrainNode.newBuilder().setNode("127.0.0.1:" + portA)).build()).getCode());
            assertTrue(a.waitFor(90, TimeUnit.SECONDS), "the drained node's JVM exited");
            RunStatus drained = await(client, s -> node(s, portA) == null && s.getStepsDone() >= joined.getStepsDone() + 2,
                    "A gone and two more steps");
            assertBalanced(drained);
            assertEquals(reissuedBeforeDrain, drained.getPromptsReissued(), "a drained node finishes its leases: nothing re-issued");

            assertEquals(ControlReply.Code.OK, client.send(ControlRequest.newBuilder().setStop(StopRun.getDefaultInstance()).build()).getCode());
            assertTrue(learner.waitFor(120, TimeUnit.SECONDS), "the learner JVM exited after stop");
            int stoppedAt = ResumeCheckpoint.readState(run.resolve(ResumeCheckpoint.DIRECTORY)).getStepsDone();

            Files.delete(contact);
            nodes.start("learner-2", "learner,verifier", freePort(), List.of("127.0.0.1:" + portC), List.of("--resume", run.toString()));
            ControlClient again = TestControl.client(contact, NodeProcesses.TOKEN, Duration.ofMinutes(3));
            RunStatus resumed = await(again, s -> s.getStepsDone() >= stoppedAt, "the learner back");
            assertTrue(resumed.getStepsDone() <= stoppedAt + 1, "resumed from step " + stoppedAt + ", not from scratch: " + resumed.getStepsDone());
            // loading the state checked every file against its sha256, so the restarted learner holds the stopped one's parameters
            assertTrue(Files.readString(dir.resolve("learner-2.log")).contains("resumed at step " + stoppedAt + " of 1000 (policy version "
                    + stoppedAt + ")"), "the log says where it resumed");
            RunStatus continued = await(again, s -> s.getStepsDone() >= stoppedAt + 2, "two steps after the restart, by C's worker");
            assertBalanced(continued);
            assertEquals(1, node(continued, portC).getRolloutWorkers());
            System.out.printf("process cluster: B killed after step %d, downed and %d prompts re-issued by step %d; C joined by step %d; "
                            + "A drained by step %d with re-issued unchanged (%d); learner stopped at step %d, resumed there, reached step %d "
                            + "(dispatched %d = completed %d + in flight %d + re-issued %d since the restart)%n",
                    before.getStepsDone(), afterKill.getPromptsReissued(), afterKill.getStepsDone(), joined.getStepsDone(), drained.getStepsDone(),
                    drained.getPromptsReissued(), stoppedAt, continued.getStepsDone(), continued.getPromptsDispatched(),
                    continued.getPromptsCompleted(), continued.getPromptsInFlight(), continued.getPromptsReissued());
        }
    }

    private static RunStatus await(ControlClient client, Predicate<RunStatus> condition, String what) throws Exception {
        RunStatus status = TestControl.await(client, condition, what, Duration.ofMinutes(4));
        assertBalanced(status);
        return status;
    }

    private static void assertBalanced(RunStatus s) {
        assertEquals(s.getPromptsDispatched(), s.getPromptsCompleted() + s.getPromptsInFlight() + s.getPromptsReissued(), s.toString());
    }

}
