package emend.dispatch;

import java.util.Optional;

/**
 * Where the learner's run stands between its steps, and the operator's rules over it: when a step may start, when
 * prompts go out, and which of pause / resume / checkpoint / stop is refused. Owned by one thread (the learner
 * actor); the step itself runs elsewhere and reports back through {@link #stepEnded}.
 */
public final class RunControl {

    /** What `emend ctl status` shows as the run's state. */
    public enum State { RUNNING, PAUSED, STOPPING, FINISHED }

    private final int totalSteps;
    private long version;
    private int stepsDone;
    private int lastCheckpointStep;
    private boolean stepping;
    private boolean paused;
    private boolean stopping;

    public RunControl(int totalSteps, long version, int stepsDone, int lastCheckpointStep) {
        this.totalSteps = totalSteps;
        this.version = version;
        this.stepsDone = stepsDone;
        this.lastCheckpointStep = lastCheckpointStep;
    }

    public boolean finished() {
        return stepsDone >= totalSteps;
    }

    /** A learner step may start now (none running, the schedule not done, not paused or stopping). */
    public boolean mayStep() {
        return !stepping && handsOutWork();
    }

    /** New prompts go out: a paused or stopping run keeps the work in flight but leases no more. */
    public boolean handsOutWork() {
        return !finished() && !paused && !stopping;
    }

    public void stepStarted() {
        stepping = true;
    }

    public void stepEnded(long newVersion, int newStepsDone, int newLastCheckpointStep) {
        stepping = false;
        version = newVersion;
        stepsDone = newStepsDone;
        lastCheckpointStep = newLastCheckpointStep;
    }

    /**
     * Why {@code command} (pause, resume, checkpoint, stop) is refused now, if it is: a run that is finished,
     * stopping, or taking its last step ends on its own.
     */
    public Optional<String> refusal(String command) {
        boolean lastStepRunning = stepping && stepsDone + 1 >= totalSteps;
        if (!finished() && !stopping && !lastStepRunning) {
            return Optional.empty();
        }
        String why = stopping ? "stopping" : lastStepRunning ? "taking its last step and ends on its own" : "finished";
        return Optional.of("cannot " + command + ": the run is " + why);
    }

    /** Pauses after the step in progress; the reply says which step that is. */
    public String pause() {
        paused = true;
        return "paused after step " + (stepping ? (stepsDone + 1) + " (in progress now)" : stepsDone) + "; work in flight is kept";
    }

    public void resume() {
        paused = false;
    }

    public void stopStarted() {
        stopping = true;
    }

    /** The resume state could not be written: the run is intact and goes on. */
    public void stopFailed() {
        stopping = false;
    }

    /** A checkpoint (or the stop's resume state) of the current step was written. */
    public void checkpointed() {
        lastCheckpointStep = stepsDone;
    }

    public State state() {
        return stopping ? State.STOPPING : finished() ? State.FINISHED : paused ? State.PAUSED : State.RUNNING;
    }

    /** The step being or about to be taken (the last one once the schedule is done), numbered from 1. */
    public int nextStep() {
        return Math.min(stepsDone + 1, totalSteps);
    }

    public long version() {
        return version;
    }

    public int stepsDone() {
        return stepsDone;
    }

    public int totalSteps() {
        return totalSteps;
    }

    public int lastCheckpointStep() {
        return lastCheckpointStep;
    }

    public boolean stopping() {
        return stopping;
    }
}
