package emend.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The exit gate on its own instance (the JVM's own one holds this JVM's real exit). */
final class NativeExitTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final NativeExit gate = new NativeExit(new PrintStream(logged, true, StandardCharsets.UTF_8));

    @Test
    void withoutAnExit_safePointsAndTasksGoOn() {
        gate.working();
        gate.stopIfExiting();
        gate.idle();
        assertTrue(gate.awaitQuiet(Duration.ZERO, Duration.ZERO), "nothing works: the exit goes on at once");
    }

    @Test
    void theExitWaitsForAWorkingThreadAndStopsItAtItsNextSafePoint() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Thread model = daemon(() -> {
            gate.working();
            started.countDown();
            while (true) {
                gate.stopIfExiting();
            }
        });
        started.await();
        assertTrue(gate.awaitQuiet(LONG, LONG), "the model thread stopped at a safe point");
        awaitParkedInTheGate(model);
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("work in progress is dropped"), logged.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTaskTakenDuringTheExitDoesNotStart() throws Exception {
        assertTrue(gate.awaitQuiet(Duration.ZERO, Duration.ZERO));
        CountDownLatch ran = new CountDownLatch(1);
        Thread model = daemon(() -> {
            gate.working();
            ran.countDown();
        });
        awaitParkedInTheGate(model);
        assertEquals(1, ran.getCount(), "the task after working() never ran");
    }

    @Test
    void aGracefulStopKeepsTheModelThreadWorkingUntilItIsReleased() throws Exception {
        NativeExit.Hold hold = gate.gracefulStop();
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch passedASafePoint = new CountDownLatch(1);
        CountDownLatch finishStep = new CountDownLatch(1);
        daemon(() -> {
            gate.working();
            working.countDown();
            try {
                finishStep.await();
            } catch (InterruptedException e) {
                return;
            }
            gate.stopIfExiting(); // the step in progress goes on: the hold is open
            passedASafePoint.countDown();
            gate.idle();
        });
        working.await();
        CompletableFuture<Boolean> exit = CompletableFuture.supplyAsync(() -> gate.awaitQuiet(LONG, LONG));
        Await.until(gate::exiting, LONG, "the exit began");
        finishStep.countDown();
        assertTrue(passedASafePoint.await(30, TimeUnit.SECONDS), "a safe point under the hold let the thread go on");
        assertFalse(exit.isDone(), "the exit waits for the hold even with no thread working");
        hold.close();
        assertTrue(exit.get(30, TimeUnit.SECONDS));
    }

    @Test
    void holdsAreCounted_andClosingOneTwiceReleasesItOnce() {
        NativeExit.Hold first = gate.gracefulStop();
        NativeExit.Hold second = gate.gracefulStop();
        first.close();
        first.close();
        assertFalse(gate.awaitQuiet(Duration.ZERO, Duration.ZERO), "the second hold still holds");
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("a graceful stop is still running"), logged.toString(StandardCharsets.UTF_8));
        second.close();
        assertTrue(gate.awaitQuiet(Duration.ZERO, Duration.ZERO));
    }

    @Test
    void aHoldTakenOnceTheExitBegan_holdsNothing() {
        assertTrue(gate.awaitQuiet(Duration.ZERO, Duration.ZERO));
        gate.gracefulStop();
        assertTrue(gate.awaitQuiet(Duration.ZERO, Duration.ZERO), "a stop registered during the exit would never run");
    }

    @Test
    void aThreadThatNeverReachesASafePoint_theExitGoesOnAfterItsPatienceAndSaysSo() throws Exception {
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        daemon(() -> {
            gate.working();
            working.countDown();
            try {
                release.await(); // one long engine call
            } catch (InterruptedException e) {
                // ends the thread
            }
        });
        working.await();
        assertFalse(gate.awaitQuiet(Duration.ZERO, Duration.ofMillis(50)));
        assertTrue(logged.toString(StandardCharsets.UTF_8).contains("still inside the engine"), logged.toString(StandardCharsets.UTF_8));
        release.countDown();
    }

    private static Thread daemon(Runnable body) {
        Thread thread = new Thread(body, "test-model-thread");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void awaitParkedInTheGate(Thread model) throws InterruptedException {
        Await.until(() -> model.getState() == Thread.State.WAITING && LockSupport.getBlocker(model) == gate, LONG, "the model thread parked in the gate");
    }

}
