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
}
