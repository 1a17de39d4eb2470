package emend.actors;

import static emend.testing.NodeProcesses.freePort;
import static emend.testing.NodeProcesses.node;
import static emend.testing.NodeProcesses.upNodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.actors.control.ControlEndpoint;
import emend.control.ControlClient;
import emend.proto.RunStatus;
import emend.testing.NodeProcesses;
import emend.testing.TestControl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The split-brain rule keeps the learner: real JVMs, a learner node and two rollout nodes; the two rollout nodes
 * are frozen with SIGSTOP for 30 s, which to the learner is a partition in which it is the minority. Its side
 * stays up and downs the frozen nodes; thawed, they find themselves downed and stop; a new rollout node joins and
 * training goes on. (Under keep-majority the learner, one node against two, downed itself.)
 */
final class PartitionTest {

    private static boolean unreachable(RunStatus status, int port) {
        return node(status, port) != null && node(status, port).getState().equals("UNREACHABLE");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @TempDir
    Path dir;

    @Test
    void learnerCutOffFromTwoRolloutNodes_keepsTheRun_andTheFrozenNodesStop() throws Exception {
        Path run = dir.resolve("run");
        int learnerPort = freePort();
        try (NodeProcesses nodes = new NodeProcesses(dir)) {
            nodes.start("learner", "learner,verifier", learnerPort, List.of(), List.of("--run-dir", run.toString()));
            ControlClient client = TestControl.client(run.resolve(ControlEndpoint.CONTACT_FILE), NodeProcesses.TOKEN, Duration.ofMinutes(4));
            String seed = "127.0.0.1:" + learnerPort;
            int portA = freePort();
            int portB = freePort();
            Process a = nodes.start("rollout-a", "rollout", portA, List.of(seed), List.of());
            Process b = nodes.start("rollout-b", "rollout", portB, List.of(seed), List.of());
            TestControl.await(client, s -> s.getStepsDone() >= 2 && upNodes(s) == 3, "three nodes up and two steps", Duration.ofMinutes(4));

            NodeProcesses.signal(a, "STOP");
            NodeProcesses.signal(b, "STOP");
            long frozenAt = System.nanoTime();
            // a frozen node cannot answer the status query at once; the cluster first marks it unreachable, then
            // the resolver downs it after stable-after and it is removed
            TestControl.await(client, s -> unreachable(s, portA) && unreachable(s, portB), "both frozen nodes unreachable", Duration.ofSeconds(60));
            RunStatus alone = TestControl.await(client, s -> node(s, portA) == null && node(s, portB) == null && upNodes(s) == 1
                    && System.nanoTime() - frozenAt >= TimeUnit.SECONDS.toNanos(30), "the frozen nodes downed and removed, 30 s frozen, the learner up",
                    Duration.ofSeconds(90));
            NodeProcesses.signal(a, "CONT");
            NodeProcesses.signal(b, "CONT");
            boolean stopped = a.waitFor(90, TimeUnit.SECONDS) && b.waitFor(30, TimeUnit.SECONDS);
            assertTrue(stopped,
                    () -> "the thawed nodes found themselves downed and stopped; rollout-a's log ends:\n" + tail(dir.resolve("rollout-a.log")));

            int portC = freePort();
            Process c = nodes.start("rollout-c", "rollout", portC, List.of(seed), List.of());
            RunStatus goesOn = TestControl.await(client, s -> node(s, portC) != null && s.getStepsDone() >= alone.getStepsDone() + 2,
                    "C joined and two more steps", Duration.ofMinutes(3));

            // SIGTERM on a rollout node drains it: its worker finishes its leases before the node leaves
            c.destroy();
            assertTrue(c.waitFor(120, TimeUnit.SECONDS), "C exited after SIGTERM");
            RunStatus afterTerm = TestControl.await(client, s -> node(s, portC) == null, "C gone", Duration.ofSeconds(60));
            assertEquals(goesOn.getPromptsReissued(), afterTerm.getPromptsReissued(), "a node stopped by SIGTERM leaves no lease behind");
            assertEquals(0, afterTerm.getPromptsInFlight(), "nothing in flight once C is gone");
            assertTrue(java.nio.file.Files.readString(dir.resolve("rollout-c.log")).contains("SIGTERM: 1 workers finish their leases"));
            System.out.printf("partition: learner alone at step %d with its peers frozen; they stopped after thawing; with C, step %d; "
                    + "C stopped by SIGTERM with %d prompts re-issued before and after%n", alone.getStepsDone(), goesOn.getStepsDone(),
                    afterTerm.getPromptsReissued());
        }
    }
}
