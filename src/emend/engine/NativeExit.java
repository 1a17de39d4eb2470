package emend.engine;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Keeps the JVM's exit from tearing libtorch down under a thread that is still inside it.
 *
 * <p>An exit (SIGTERM, Ctrl-C, {@code System.exit}) runs the C++ static destructors of the loaded libraries once
 * the shutdown hooks are done; a model thread still in an engine call then crashes the process. Measured: SIGTERM
 * during a warm-up ended in SIGSEGV inside {@code torchBackward}, exit status 134 and an hs_err file in the working
 * directory, instead of 143. So the exit waits (a shutdown hook) until every model thread
 * is idle or stopped at a safe point between engine calls ({@link #safePoint()}, taken before every forward pass),
 * and from then on a model thread stops for good at its next safe point instead of going on. A graceful stop that
 * still needs the model threads while the JVM exits (a run writing its resume state after the step in progress, a
 * node draining its workers) holds them with {@link #gracefulStop()} until it is done.
 */
public final class NativeExit {

    /**
     * How long the exit waits for graceful stops to finish: above the resume state's 120 s wait of a synchronous run
     * and a node's coordinated shutdown.
     */
    static final Duration HOLD_PATIENCE = Duration.ofSeconds(180);
    /** Then how long it waits for working model threads to reach a safe point or go idle. */
    static final Duration SAFE_POINT_PATIENCE = Duration.ofSeconds(30);

    private static final NativeExit JVM = new NativeExit(System.err);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> JVM.awaitQuiet(HOLD_PATIENCE, SAFE_POINT_PATIENCE), "emend-native-exit"));
    }

    private final PrintStream log;
    private final Object lock = new Object();
    /** Threads between {@link #working()} and {@link #idle()} that have not stopped at a safe point; under the lock. */
    private final Set<Thread> working = new HashSet<>();
    private final AtomicBoolean announced = new AtomicBoolean();
    /** Read without the lock on the fast path of {@link #safePoint()}, taken before every forward pass. */
    private volatile boolean exiting;
    private int graceful;

    NativeExit(PrintStream log) {
        this.log = log;
    }

    /** The JVM's gate, whose shutdown hook holds the exit. */
    public static NativeExit jvm() {
        return JVM;
    }

    /**
     * A point between engine calls where the caller may stop: once the JVM is exiting and no graceful stop holds
     * the model threads, the calling thread parks here for good (the exit no longer waits for it).
     */
    public static void safePoint() {
        JVM.stopIfExiting();
    }

    /** The calling model thread starts a task (it may call the engine); during the exit it stops here instead. */
    void working() {
        synchronized (lock) {
            if (!mustStop()) {
                working.add(Thread.currentThread());
                return;
            }
        }
        stop();
    }

    /** The calling model thread waits for work: no engine call is in progress on it. */
    void idle() {
        synchronized (lock) {
            working.remove(Thread.currentThread());
            lock.notifyAll();
        }
    }

    /** A graceful stop's hold on the model threads; closing it (once or more) releases them. */
    public interface Hold extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Lets model threads go on working through the JVM's exit until the returned hold is closed: for a stop that
     * finishes the work in progress itself. Once the exit has begun it holds nothing (no stop registered that late
     * would be run).
     */
    public Hold gracefulStop() {
        synchronized (lock) {
            if (exiting) {
                return () -> { };
            }
            graceful++;
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                synchronized (lock) {
                    graceful--;
                    lock.notifyAll();
                }
            }
        };
    }

    /**
     * The exit: from now on model threads stop at their next safe point once no graceful stop holds them. Waits up
     * to {@code holdPatience} for the holds to be released, then up to {@code safePointPatience} more for working
     * threads to stop or go idle.
     *
     * @return whether every model thread was idle or stopped in time
     */
    boolean awaitQuiet(Duration holdPatience, Duration safePointPatience) {
        synchronized (lock) {
            exiting = true;
            boolean released = waitWhile(() -> graceful > 0, holdPatience);
            boolean quiet = waitWhile(() -> !working.isEmpty(), safePointPatience);
            if (!released || !quiet) {
                log.println("emend: exiting while " + (released ? "a model thread is still inside the engine" : "a graceful stop is still running")
                        + " (waited " + (released ? safePointPatience : holdPatience).toSeconds() + " s)");
            }
            return released && quiet;
        }
    }

    /** Waits on the lock (held by the caller) while {@code condition} holds, at most {@code patience}. */
    private boolean waitWhile(BooleanSupplier condition, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                lock.wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Whether the exit has begun. */
    boolean exiting() {
        return exiting;
    }

    void stopIfExiting() {
        if (!exiting) {
            return;
        }
        synchronized (lock) {
            if (!mustStop()) {
                return;
            }
        }
        stop();
    }

    /** The exit has begun and no graceful stop holds the model threads (the caller holds the lock). */
    private boolean mustStop() {
        return exiting && graceful == 0;
    }

    /** Leaves the working set and parks for good: the JVM is exiting and nothing may call the engine any more. */
    private void stop() {
        // said before the exit may go on: once this thread leaves the working set the JVM can end at any moment
        if (announced.compareAndSet(false, true)) {
            log.println("emend: exiting; the model's work in progress is dropped (a warm-up starts again, an RL run resumes from its last resume state with --resume)");
            log.flush();
        }
        idle();
        while (true) {
            LockSupport.park(this);
        }
    }
}
