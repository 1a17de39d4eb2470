package emend.engine;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one thread that runs this JVM's libtorch work on the CPU: warm-up, evaluation, learner steps, generation
 * (and one more per further device slot a node is given, see {@link #executor(int)}).
 *
 * <p>libtorch's OpenMP thread team belongs to the thread that calls it, and a second calling thread gets a second
 * team. Once the teams hold more threads than there are cores, libgomp shortens every team's spin-wait, so its
 * threads sleep and are woken for each of the many small parallel regions of a tiny model. Measured here (2 cores,
 * seed 1, 20 RL steps): rollouts 2.2-2.9 s per step on the actor runtime's model thread after the base model was
 * evaluated on {@code main}, against 1.4-1.8 s when one thread did both; the profiles differ in kernel time for
 * thread wake-ups (12% against 3%).
 */
public final class ModelThread {

    private static final LinkedBlockingQueue<Runnable> QUEUE = new LinkedBlockingQueue<>();
    private static final Thread THREAD = start(QUEUE, "emend-model");
    /** The model threads of further device slots ({@link DeviceSlots}), by slot, started on first use. */
    private static final Map<Integer, Executor> SLOTS = new ConcurrentHashMap<>();

    private ModelThread() {}

    /** Runs tasks on the model thread, in submission order. */
    public static Executor executor() {
        return QUEUE::add;
    }

    /**
     * The model thread of device slot {@code slot}: 0 is this JVM's main one; every other slot has a thread of its
     * own (with its own libtorch thread team), so two slots run tensor work at the same time.
     */
    public static Executor executor(int slot) {
        if (slot == 0) {
            return executor();
        }
        return SLOTS.computeIfAbsent(slot, s -> {
            LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
            start(queue, "emend-model-" + s);
            return queue::add;
        });
    }

    /** Whether the caller is the model thread. */
    public static boolean isCurrent() {
        return Thread.currentThread() == THREAD;
    }

    /**
     * Runs {@code work} on the model thread and returns its result, rethrowing what it throws; on the model thread
     * itself it runs inline.
     */
    public static <T> T call(Supplier<T> work) {
        if (isCurrent()) {
            return work.get();
        }
        return await(CompletableFuture.supplyAsync(work, executor()));
    }

    /**
     * Waits for {@code result}, rethrowing its failure. The model thread keeps running queued tasks while it waits,
     * since what it waits for (the actor runtime's learner) may need it.
     */
    public static <T> T await(CompletableFuture<T> result) {
        if (isCurrent()) {
            while (!result.isDone()) {
                Runnable task;
                NativeExit.jvm().idle();
                try {
                    task = QUEUE.poll(20, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting on the model thread", e);
                } finally {
                    NativeExit.jvm().working();
                }
                if (task != null) {
                    runReporting(task);
                }
            }
        }
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static Thread start(LinkedBlockingQueue<Runnable> queue, String name) {
        Thread thread = new Thread(() -> {
            NativeExit.jvm().working(); // loading the engine is an engine call too
            try {
                // grad mode is per thread and on in a new one; training turns it on only inside a gradient collector
                DjlRuntime.gradientsOffOnThisThread();
            } catch (RuntimeException | LinkageError e) {
                // no engine: the first task that needs it fails with the reason, and the thread still serves the rest
            } finally {
                NativeExit.jvm().idle();
            }
            while (true) {
                Runnable task;
                try {
                    task = queue.take();
                } catch (InterruptedException e) {
                    return;
                }
                // the JVM's exit waits while a task may be inside the engine (NativeExit)
                NativeExit.jvm().working();
                try {
                    runReporting(task);
                } finally {
                    NativeExit.jvm().idle();
                }
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A failing task must not end the thread every later task needs. */
    private static void runReporting(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            Thread.UncaughtExceptionHandler handler = Thread.currentThread().getUncaughtExceptionHandler();
            handler.uncaughtException(Thread.currentThread(), t);
        }
    }
}
