package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import emend.rollout.PromptQueue;

import emend.proto.Evaluation;
import emend.proto.RunStatus;
import emend.proto.RuntimeStatus;
import emend.rollout.PromptDraw;
import emend.task.Problem;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class LearnerSnapshotTest {

    @Test
    void theThreeViewsReadTheSameCounts() {
        List<Problem> problems = List.of(new Problem("a", "1+1", "2"), new Problem("b", "2+2", "4"), new Problem("c", "3+3", "6"));
        RolloutLedger ledger = new RolloutLedger(new PromptQueue(problems, 7, 2, 0), new StalenessWindow(0, 2), 1_000, 20, 0, 1);
        List<LeaseTable.Lease<PromptDraw>> leases = ledger.grant("w", 5, 0, 0, 0);
        ledger.expireDue(5_000);
        RunControl run = new RunControl(10, 3, 3, 2);
        run.pause();
        Evaluation dev = Evaluation.newBuilder().setStep(2).build();

        LearnerSnapshot snapshot = LearnerSnapshot.of(run, "stage1", ledger, 0, new WorkerRegistry.Census(4, 1), 6, 9, 123.5, Optional.of(dev));

        RuntimeStatus runtime = snapshot.runtime();
        assertEquals(2, leases.size());
        assertEquals(2, runtime.getPromptsDispatched());
        assertEquals(2, runtime.getPromptsReissued());
        assertEquals(0, runtime.getPromptsInFlight());
        assertEquals(3, runtime.getStepsDone());
        assertEquals(4, runtime.getWorkers());
        assertEquals(1, runtime.getOldestWorkerVersion());
        RunStatus status = snapshot.runStatus("runs/x", Map.of("temperature", "0.5"));
        assertEquals("PAUSED", status.getState());
        assertEquals(runtime.getPromptsDispatched(), status.getPromptsDispatched());
        assertEquals(runtime.getPromptsReissued(), status.getPromptsReissued());
        assertEquals(6, status.getVerifyTimeouts());
        assertEquals(9, status.getWireRejected());
        assertEquals(1, status.getOldestWorkerVersion());
        assertEquals(2, status.getLastCheckpointStep());
        assertEquals(123.5, status.getTokensPerSecond());
        assertEquals(dev, status.getLastEvaluation());
        assertEquals("0.5", status.getParametersMap().get("temperature"));
        assertEquals(Map.of("dropped_stale", 0L, "prompts_dispatched", 2L, "prompts_reissued", 2L, "duplicates", 0L,
                "verify_timeouts", 6L, "workers", 4), snapshot.stepMetrics());
    }
}
