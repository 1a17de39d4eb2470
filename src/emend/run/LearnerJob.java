package emend.run;

import emend.checkpoint.ResumeCheckpoint;
import emend.config.LiveParameters;
import emend.config.RunSettings;
import emend.config.RuntimeSettings;
import emend.model.Transformer;
import emend.proto.RunSpec;
import emend.proto.WeightManifest;
import emend.task.Dialogue;
import emend.task.Task;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a rollout driver gets to train one run: the settings, the task, the policy being trained (its weights are
 * what gets published), the {@link PolicyTrainer} that takes the learner steps and the parameters an operator may
 * change while it runs. The process that hosts the learner builds it and owns its native memory.
 *
 * @param reference the frozen base model: the KL reference, and the source of offline attempts 1
 * @param runDirectory where the run writes (resume state, control token)
 */
public record LearnerJob(RunSettings settings, RuntimeSettings runtime, Task task, Dialogue dialogue, Transformer policy,
                         Transformer reference, PolicyTrainer trainer, LiveParameters live, Path runDirectory) {

    /**
     * What a worker needs to sample for this run, in answer to its hello.
     *
     * @param learnerEpoch the answering learner's incarnation (workers take work and versions only from it)
     * @param problemSetSha256 the digest of the task's problems (verifiers refuse requests naming another set)
     * @param helloNonce the nonce of the hello this answers
     */
    public RunSpec runSpec(WeightManifest manifest, long learnerEpoch, String problemSetSha256, long helloNonce) {
        return RunSpec.newBuilder()
                .setRunSeed(settings.seed())
                .setTask(task.name())
                .setInstruction(task.instruction())
                .setTokenizerKind(dialogue.tokenizer().kind())
                .setSamplesPerPrompt(settings.rl().samplesPerPrompt())
                .setTurnTwoSamples(settings.rl().turnTwoSamples())
                .setMaxAttemptTokens(task.maxAttemptTokens())
                .setManifest(manifest)
                .setLearnerEpoch(learnerEpoch)
                .setProblemSetSha256(problemSetSha256)
                .setHelloNonce(helloNonce)
                .build();
    }

    /** Why the run ends before its schedule is done, and how to continue it from its last resume state. */
    public IllegalStateException stoppedEarly(int stepsDone, String why, Throwable cause) {
        return new IllegalStateException("the learner stopped after step " + stepsDone + " of " + settings.rl().totalSteps() + ": " + why
                + "; continue the run from its last resume state with --resume " + runDirectory
                + " (emend train --resume, or emend node --roles learner --resume)", cause);
    }

    /**
     * Why this job must not train on, if the run directory's resume state is further along than the trainer: a
     * learner that takes over from another (a second learner-role node) holds the state it started with, and training
     * on from there would silently redo steps.
     */
    public Optional<String> behindTheRunDirectory() {
        return ResumeCheckpoint.find(runDirectory)
                .map(ResumeCheckpoint::readState)
                .filter(state -> state.getStepsDone() > trainer.stepsDone())
                .map(state -> "this learner holds step " + trainer.stepsDone() + " but " + runDirectory
                        + " has a resume state at step " + state.getStepsDone() + " (another learner trained on); restart this node with --resume "
                        + runDirectory + " instead of letting it take over");
    }
}
