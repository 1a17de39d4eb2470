package emend.run;

import emend.proto.Evaluation;
import emend.rl.LearnerStats;
import emend.rl.Stage;
import emend.rollout.RlooGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a rollout driver feeds: one policy update per full batch, along the stage schedule.
 * {@link TrainingSession} is the real one; benchmarks of the runtime plug in a stand-in to measure the
 * orchestration alone.
 */
public interface PolicyTrainer {

    /** Called once before the first step (e.g. the dev evaluation of the starting weights). */
    void begin();

    /** Updates applied so far: the version of the policy. */
    long version();

    int stepsDone();

    boolean finished();

    /** The stage of step {@code stepNumber} (1-based). */
    Stage stageOf(long stepNumber);

    /** One update from {@code batch}, one RLOO group per prompt. */
    LearnerStats step(List<RlooGroup> batch, double rolloutSeconds, Map<String, Object> runtime);

    /** The weights the run ends with. */
    TrainingSession.Outcome finish();

    /** Writes the state needed to resume after the steps taken so far; returns its directory. */
    Path checkpoint();

    /** Step of the last state written (0 = none). */
    int lastCheckpointStep();

    /** The latest dev evaluation, if there has been one. */
    Optional<Evaluation> lastEvaluation();

    /** Ends the run early: writes the resume state, returns the current weights marked as stopped. */
    TrainingSession.Outcome stop();
}
