package emend.run;

import emend.engine.NativeExit;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * SIGTERM (a scheduler's eviction, {@code systemctl stop}) during a synchronous run: the JVM's shutdown waits while
 * the loop finishes the step in progress and writes the resume state, as the actor runtime's learner does, so
 * {@code --resume} loses no step. Registered for one run; a run that ends on its own takes the hook away.
 */
final class StopOnSigterm implements AutoCloseable {

    /** How long the shutdown waits for the step in progress and the resume state. */
    static final Duration PATIENCE = Duration.ofSeconds(120);

    private final CountDownLatch settled = new CountDownLatch(1);
    /** Keeps the model thread working through the JVM's exit until the resume state is written (or the wait ends). */
    private final NativeExit.Hold modelThreadHeld;
    private final Thread hook;
    private volatile boolean requested;

    StopOnSigterm() {
        NativeExit.Hold held = NativeExit.jvm().gracefulStop();
        hook = new Thread(() -> {
            requested = true;
            System.out.println("SIGTERM: writing the resume state after the step in progress (waiting up to " + PATIENCE.toSeconds() + " s)");
            try {
                if (!settled.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                    System.out.println("SIGTERM: no resume state written within " + PATIENCE.toSeconds()
                            + " s; resume from the last periodic checkpoint");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                // past the wait the step in progress is dropped: the model thread stops at its next safe point
                held.close();
            }
        }, "emend-sigterm");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            held.close(); // no hook of this run will release it
            throw exiting;
        }
        modelThreadHeld = held;
    }

    /** Whether the JVM is shutting down and waits for the loop to stop. */
    boolean requested() {
        return requested;
    }

    /** The resume state is written (or the run ended): the shutdown may go on. */
    @Override
    public void close() {
        settled.countDown();
        modelThreadHeld.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it returns now that the latch is open
        }
    }
}
