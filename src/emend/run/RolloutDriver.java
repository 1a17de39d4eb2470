package emend.run;

import emend.config.RunSettings;
/**
 * Produces the rollouts of a run and feeds them to its {@link TrainingSession} until the schedule is done:
 * {@link RlLoop} in one thread, or the actor runtime (emend.actors) across workers and nodes.
 */
public interface RolloutDriver {

    /** Trains until the schedule is done; returns the selected weights. */
    TrainingSession.Outcome train(LearnerJob job);

    /**
     * Refuses, before any work, settings this driver cannot run.
     *
     * @throws IllegalArgumentException naming the setting and the fix
     */
    default void requireSupported(RunSettings settings) {
    }
}
