package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

final class RunControlTest {

    @Test
    void aStepStartsOnlyWhenNoneRunsAndTheRunIsNeitherPausedStoppingNorDone() {
        RunControl run = new RunControl(3, 0, 0, 0);
        assertTrue(run.mayStep());
        run.stepStarted();
        assertFalse(run.mayStep(), "one step at a time");
        assertTrue(run.handsOutWork(), "rollouts go on while a step runs");
        run.stepEnded(1, 1, 0);
        run.pause();
        assertFalse(run.mayStep());
        assertFalse(run.handsOutWork(), "a paused run keeps its work in flight but leases no more");
        run.resume();
        assertTrue(run.mayStep());
        run.stepStarted();
        run.stepEnded(3, 3, 0);
        assertEquals(3, run.version());
        assertEquals(3, run.totalSteps());
        assertTrue(run.finished());
        assertFalse(run.mayStep());
        assertFalse(run.handsOutWork());
    }

    @Test
    void pauseNamesTheStepItTakesEffectAfter() {
        RunControl run = new RunControl(10, 4, 4, 0);
        assertEquals("paused after step 4; work in flight is kept", run.pause());
        run.resume();
        run.stepStarted();
        assertEquals("paused after step 5 (in progress now); work in flight is kept", run.pause());
        assertEquals(RunControl.State.PAUSED, run.state());
    }

    @Test
    void commandsAreRefusedOnceTheRunEndsOnItsOwn() {
        RunControl run = new RunControl(2, 1, 1, 0);
        assertEquals(Optional.empty(), run.refusal("pause"));
        run.stepStarted();
        assertEquals(Optional.of("cannot pause: the run is taking its last step and ends on its own"), run.refusal("pause"));
        run.stepEnded(2, 2, 0);
        assertEquals(Optional.of("cannot stop: the run is finished"), run.refusal("stop"));
        assertEquals(RunControl.State.FINISHED, run.state());
    }

    @Test
    void aStopThatCouldNotWriteItsStateLeavesTheRunGoing() {
        RunControl run = new RunControl(10, 3, 3, 0);
        assertFalse(run.stopping());
        run.stopStarted();
        assertTrue(run.stopping());
        assertEquals(RunControl.State.STOPPING, run.state());
        assertEquals(Optional.of("cannot checkpoint: the run is stopping"), run.refusal("checkpoint"));
        assertFalse(run.mayStep());
        run.stopFailed();
        assertEquals(RunControl.State.RUNNING, run.state());
        assertTrue(run.mayStep());
    }

    @Test
    void checkpointsRecordTheStepTheyHold() {
        RunControl run = new RunControl(10, 0, 0, 0);
        run.stepStarted();
        run.stepEnded(7, 7, 0);
        run.checkpointed();
        assertEquals(7, run.lastCheckpointStep());
        assertEquals(8, run.nextStep());
        run.stepStarted();
        run.stepEnded(10, 10, 10);
        assertEquals(10, run.nextStep(), "the last step once the schedule is done");
    }
}
