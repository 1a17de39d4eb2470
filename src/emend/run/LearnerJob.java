package emend.run;

import emend.model.Transformer;
import java.nio.file.Path;
import emend.task.Dialogue;
import emend.task.Task;

/**
 * What a rollout driver gets to train one run: the settings, the task, the policy being trained (its weights are
 * what gets published), the {@link PolicyTrainer} that takes the learner steps and the parameters an operator may
 * change while it runs. The process that hosts the learner builds it and owns its native memory.
 *
 * @param runDirectory where the run writes (resume state, control token)
 */
public record LearnerJob(RunSettings settings, RuntimeSettings runtime, Task task, Dialogue dialogue, Transformer policy,
                         PolicyTrainer trainer, LiveParameters live, Path runDirectory) {}
