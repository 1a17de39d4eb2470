package emend.config;

import emend.sandbox.PythonSandbox;
import emend.sandbox.SandboxSettings;
import emend.task.CodeProblems;
import emend.task.CodeTask;
import emend.task.InstructionOverride;
import emend.task.JsonlTask;
import emend.task.LinearEquationTask;
import emend.task.Task;
import java.nio.file.Path;

/** Builds the task a run's settings name. */
public final class Tasks {

    private Tasks() {}

    /** The error for a task name not in {@link RunSettings#TASK_NAMES}. */
    public static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown task '" + name + "': use " + String.join(", ", RunSettings.TASK_NAMES));
    }

    /** @param sandbox the code task's sandbox settings (the other tasks need none) */
    public static Task create(RunSettings.TaskSettings t, SandboxSettings sandbox) {
        Task task = ofName(t, sandbox);
        return t.instruction().isEmpty() ? task : new InstructionOverride(task, t.instruction());
    }

    private static Task ofName(RunSettings.TaskSettings t, SandboxSettings sandbox) {
        long seed = t.splitSeed();
        return switch (t.name()) {
            case LinearEquationTask.NAME -> new LinearEquationTask(new LinearEquationTask.Settings(t.minA(), t.maxA(), t.maxX(), t.maxB(),
                    t.devSize(), t.testSize(), seed));
            case JsonlTask.NAME -> JsonlTask.split(Path.of(t.problems()), t.format(), seed,
                    t.maxAttemptTokens() == 0 ? JsonlTask.DEFAULT_ATTEMPT_TOKENS : t.maxAttemptTokens());
            case CodeTask.NAME -> CodeTask.split(t.problems().isBlank() ? CodeProblems.shipped() : CodeProblems.read(Path.of(t.problems()), t.format()), seed,
                    new PythonSandbox(sandbox, System.err));
            default -> throw unknown(t.name());
        };
    }
}
