package emend.run;

import emend.task.JsonlTask;
import emend.task.LinearEquationTask;
import emend.task.Task;
import java.nio.file.Path;

/** Builds the task a run's settings name. */
public final class Tasks {

    private Tasks() {}

    public static Task create(RunSettings.TaskSettings t) {
        long seed = t.splitSeed();
        return switch (t.name()) {
            case "linear" -> new LinearEquationTask(new LinearEquationTask.Settings(t.minA(), t.maxA(), t.maxX(), t.maxB(),
                    t.devSize(), t.testSize(), seed));
            case "jsonl" -> JsonlTask.split(Path.of(t.problems()), seed);
            default -> throw new IllegalArgumentException("unknown task '" + t.name() + "': use linear or jsonl");
        };
    }
}
