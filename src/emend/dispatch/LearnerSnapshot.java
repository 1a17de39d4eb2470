package emend.dispatch;

import emend.proto.Evaluation;
import emend.proto.RunStatus;
import emend.proto.RuntimeStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The learner's figures at one moment, read once and shown three ways: the runtime status (workers' view, the
 * Prometheus gauges), the operator's run status (`emend ctl status`) and the runtime columns of a step's metrics.
 * Every count comes from {@link RolloutLedger} and {@link RunControl}, so the three cannot disagree.
 */
public record LearnerSnapshot(RuntimeStatus runtime, RunControl.State state, double tokensPerSecond, int lastCheckpointStep,
                              Optional<Evaluation> lastEvaluation) {

    /**
     * @param stage the label of the step being or about to be taken
     * @param tokensPerSecond generation speed over the last step's batch
     */
    public static LearnerSnapshot of(RunControl control, String stage, RolloutLedger ledger, int maxStaleness, WorkerRegistry.Census workers,
                                     long verifyTimeouts, long wireRejected, double tokensPerSecond, Optional<Evaluation> lastEvaluation) {
        RuntimeStatus runtime = RuntimeStatus.newBuilder()
                .setPolicyVersion(control.version())
                .setStepsDone(control.stepsDone())
                .setTotalSteps(control.totalSteps())
                .setStage(stage)
                .setMaxStaleness(maxStaleness)
                .setPromptsDispatched(ledger.dispatched())
                .setPromptsCompleted(ledger.completed())
                .setPromptsInFlight(ledger.inFlight())
                .setPromptsReissued(ledger.reissued())
                .setDroppedStale(ledger.droppedStale())
                .setDuplicates(ledger.duplicates())
                .setAdmissionWaits(ledger.admissionWaits())
                .setWorkers(workers.count())
                .setOldestWorkerVersion(workers.oldestVersion())
                .setFinished(control.finished())
                .setVerifyTimeouts(verifyTimeouts)
                .setWireRejected(wireRejected)
                .build();
        return new LearnerSnapshot(runtime, control.state(), tokensPerSecond, control.lastCheckpointStep(), lastEvaluation);
    }

    /** What `emend ctl status` shows of the run. */
    public RunStatus runStatus(String runDirectory, Map<String, String> parameters) {
        RunStatus.Builder status = RunStatus.newBuilder()
                .setRunDirectory(runDirectory)
                .setStage(runtime.getStage())
                .setStepsDone(runtime.getStepsDone())
                .setTotalSteps(runtime.getTotalSteps())
                .setPolicyVersion(runtime.getPolicyVersion())
                .setState(state.name())
                .setPromptsDispatched(runtime.getPromptsDispatched())
                .setPromptsCompleted(runtime.getPromptsCompleted())
                .setPromptsInFlight(runtime.getPromptsInFlight())
                .setPromptsReissued(runtime.getPromptsReissued())
                .setDroppedStale(runtime.getDroppedStale())
                .setDuplicates(runtime.getDuplicates())
                .setVerifyTimeouts(runtime.getVerifyTimeouts())
                .setTokensPerSecond(tokensPerSecond)
                .putAllParameters(parameters)
                .setLastCheckpointStep(lastCheckpointStep)
                .setWireRejected(runtime.getWireRejected())
                .setOldestWorkerVersion(runtime.getOldestWorkerVersion());
        lastEvaluation.ifPresent(status::setLastEvaluation);
        return status.build();
    }

    /** The runtime's columns of a step's line in metrics.jsonl. */
    public Map<String, Object> stepMetrics() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dropped_stale", runtime.getDroppedStale());
        out.put("prompts_dispatched", runtime.getPromptsDispatched());
        out.put("prompts_reissued", runtime.getPromptsReissued());
        out.put("duplicates", runtime.getDuplicates());
        out.put("verify_timeouts", runtime.getVerifyTimeouts());
        out.put("workers", runtime.getWorkers());
        return out;
    }
}
