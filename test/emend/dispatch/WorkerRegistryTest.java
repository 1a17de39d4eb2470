package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

final class WorkerRegistryTest {

    @Test
    void aRepeatedHelloKeepsTheIncarnation_aNewNonceIsARestart() {
        WorkerRegistry<String> workers = new WorkerRegistry<>();
        assertEquals(WorkerRegistry.Hello.NEW, workers.hello("n/rollout-1", "ref-a", 7));
        assertEquals(WorkerRegistry.Hello.REPEATED, workers.hello("n/rollout-1", "ref-a", 7));
        assertEquals(WorkerRegistry.Hello.RESTARTED, workers.hello("n/rollout-1", "ref-b", 8));
        assertEquals(Optional.of("ref-b"), workers.ref("n/rollout-1"), "the new incarnation answers now");
        assertEquals(8, workers.get("n/rollout-1").orElseThrow().nonce());
        assertTrue(workers.answersAt("ref-b"));
        assertFalse(workers.answersAt("ref-a"));
        assertEquals(1, workers.size());
        workers.remove("n/rollout-1");
        assertEquals(0, workers.all().size());
        assertEquals(Optional.empty(), workers.ref("n/rollout-1"));
    }

    @Test
    void theCensusNamesTheOldestVersionAWorkerSaidItHolds_andMinusOneUntilEveryWorkerHasSaid() {
        WorkerRegistry<String> workers = new WorkerRegistry<>();
        assertEquals(new WorkerRegistry.Census(0, -1), workers.census(), "no worker: nothing is held");
        workers.hello("a", "ref-a", 1);
        workers.hello("b", "ref-b", 2);
        workers.holds("a", 5);
        assertEquals(new WorkerRegistry.Census(2, -1), workers.census(), "b has not asked for work yet");
        workers.holds("b", 3);
        assertEquals(new WorkerRegistry.Census(2, 3), workers.census());
        workers.holds("b", 6);
        assertEquals(new WorkerRegistry.Census(2, 5), workers.census(), "the last request counts, not the first");
        workers.holds("stranger", 0);
        assertEquals(new WorkerRegistry.Census(2, 5), workers.census(), "an unregistered id is not counted");
        workers.hello("a", "ref-a2", 9);
        assertEquals(new WorkerRegistry.Census(2, -1), workers.census(), "a restarted worker holds nothing it has told of");
        workers.remove("a");
        assertEquals(new WorkerRegistry.Census(1, 6), workers.census());
        workers.holds("a", 9);
        workers.hello("a", "ref-a3", 10);
        assertEquals(new WorkerRegistry.Census(2, -1), workers.census(), "a worker that left and came back holds nothing it has told of");
    }
}
