package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class NodeWorkersTest {

    private static NodeWorkers<String> startedTo(int target) {
        NodeWorkers<String> workers = new NodeWorkers<>();
        workers.toStart(target).forEach(s -> workers.started(s.name(), "ref-" + s.name(), "cpu"));
        return workers;
    }

    @Test
    void scalingUpNamesNewWorkersAfterEveryOneStartedBefore_evenStoppedOnes() {
        NodeWorkers<String> workers = startedTo(2);
        assertEquals(List.of(new NodeWorkers.ToStart(2, "rollout-3")), workers.toStart(3));
        workers.started("rollout-3", "ref-rollout-3", "gpu:1");
        assertEquals(List.of("ref-rollout-3"), workers.toDrain(2));
        assertTrue(workers.toStart(2).isEmpty(), "two take work");
        assertFalse(workers.stopped("rollout-3"), "a drained worker stopping is expected");
        assertEquals(List.of(new NodeWorkers.ToStart(3, "rollout-4")), workers.toStart(3), "names are never reused");
    }

    @Test
    void scalingDownDrainsTheNewestFirst_andTheyLeaveOnlyWhenStopped() {
        NodeWorkers<String> workers = startedTo(3);
        assertEquals(List.of("ref-rollout-3", "ref-rollout-2"), workers.toDrain(1));
        assertEquals(1, workers.activeCount());
        assertEquals(Map.of("rollout-1", "cpu"), workers.activeDevices());
        assertEquals(List.of("ref-rollout-3", "ref-rollout-2"), List.copyOf(workers.leaving()));
        assertFalse(workers.draining());
        workers.drain();
        assertTrue(workers.draining());
        workers.toDrain(0);
        assertFalse(workers.drained(), "three workers still hold leases");
        workers.stopped("rollout-1");
        workers.stopped("rollout-2");
        assertFalse(workers.drained());
        workers.stopped("rollout-3");
        assertTrue(workers.drained());
    }

    @Test
    void aWorkerThatStopsUnasked_isReported_andNoLongerCounted() {
        NodeWorkers<String> workers = startedTo(2);
        assertTrue(workers.stopped("rollout-1"));
        assertEquals(1, workers.activeCount());
        assertFalse(workers.drained(), "not draining: a node with no workers is not drained");
    }
}
