package emend.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The model thread runs work, rethrows its failures as they were, and serves its queue while it waits. */
final class ModelThreadTest {

    @Test
    void callRunsOnTheModelThreadAndRethrowsTheOriginalException() {
        assertFalse(ModelThread.isCurrent());
        assertTrue(ModelThread.call(ModelThread::isCurrent));
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> ModelThread.call(() -> { throw new IllegalArgumentException("bad setting"); }));
        assertEquals("bad setting", thrown.getMessage());
    }

    @Test
    void waitingOnTheModelThreadStillRunsWorkQueuedForIt() {
        // the main job waits for the learner on the model thread while the learner's steps are queued to it
        int answer = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> ModelThread.call(() ->
                ModelThread.await(CompletableFuture.supplyAsync(() -> 6 * 7, ModelThread.executor()))));
        assertEquals(42, answer);
    }
}
