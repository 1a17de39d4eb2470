package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import emend.config.RunSettings;
import emend.config.Settings;
import emend.config.Tasks;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class InstructionOverrideTest {

    @Test
    void theRunsInstructionReplacesTheTasks_andNothingElse() {
        RunSettings settings = RunSettings.fromConfig(Settings.load(null, Map.of("emend.task.instruction", "\"Fix it if wrong.\"")));
        Task task = Tasks.create(settings.task(), settings.sandbox());
        LinearEquationTask own = new LinearEquationTask(LinearEquationTask.Settings.defaults(settings.task().splitSeed()));
        assertEquals("Fix it if wrong.", task.instruction());
        assertEquals(own.name(), task.name());
        assertEquals(own.test(), task.test());
        assertEquals(own.dev(), task.dev());
        assertEquals(own.maxAttemptTokens(), task.maxAttemptTokens());
        Problem problem = own.test().get(0);
        assertEquals(own.correctAttempt(problem), task.correctAttempt(problem));
        assertEquals(own.plausibleWrongAttempt(problem, new SplittableRandom(3)), task.plausibleWrongAttempt(problem, new SplittableRandom(3)));
        String flagged = own.plausibleWrongAttempt(problem, new SplittableRandom(3));
        assertEquals(own.ownCheckPasses(flagged), task.ownCheckPasses(flagged));
        assertEquals(1, task.verifier().score(problem, own.correctAttempt(problem)));
        assertEquals(0, task.verifier().score(problem, flagged));
    }

    @Test
    void withoutAnOverride_theTaskIsItsOwn() {
        RunSettings settings = RunSettings.fromConfig(Settings.load(null, Map.of()));
        Task task = Tasks.create(settings.task(), settings.sandbox());
        assertSame(LinearEquationTask.class, task.getClass());
        assertEquals("There might be an error above. Correct it, if any.", task.instruction());
    }

    @Test
    void aBlankOverride_isRefused() {
        Task own = new LinearEquationTask(LinearEquationTask.Settings.defaults(1));
        assertThrows(IllegalArgumentException.class, () -> new InstructionOverride(own, " "));
    }
}
