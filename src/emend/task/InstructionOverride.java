package emend.task;

import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A task with the run's own turn-2 instruction ({@code emend.task.instruction}) in place of its own; everything else
 * is the task's. The instruction is part of every dialogue, so it shapes the base model (its cache key includes it)
 * and costs tokens in every warm-up transcript, rollout and learner step.
 */
public record InstructionOverride(Task task, String instruction) implements Task {

    public InstructionOverride {
        if (instruction.isBlank()) {
            throw new IllegalArgumentException("an instruction override must say something; leave emend.task.instruction empty for the task's own");
        }
    }

    @Override
    public String name() {
        return task.name();
    }

    @Override
    public Splits splits() {
        return task.splits();
    }

    @Override
    public Verifier verifier() {
        return task.verifier();
    }

    @Override
    public int maxAttemptTokens() {
        return task.maxAttemptTokens();
    }

    @Override
    public String correctAttempt(Problem problem) {
        return task.correctAttempt(problem);
    }

    @Override
    public String plausibleWrongAttempt(Problem problem, SplittableRandom random) {
        return task.plausibleWrongAttempt(problem, random);
    }

    @Override
    public Optional<Boolean> ownCheckPasses(String attempt) {
        return task.ownCheckPasses(attempt);
    }
}
