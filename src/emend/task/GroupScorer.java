package emend.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scores the attempts of one RLOO group together: each distinct attempt once, up to {@code parallelism} at a time,
 * all under one group deadline derived from the verifier's bound on a single call.
 *
 * <p>Why concurrently: a verifier that runs programs bounds each call by its sandbox limits, so one group scored
 * attempt after attempt could take attempts x that bound, and two looping candidates would cost the right
 * answers of their group their rewards. Here the loopers take one sandbox limit side by side with the rest.
 *
 * <p>When the deadline passes, every unfinished call is interrupted (the code sandbox then kills its process
 * tree) and its slot is given back at once, so a call that ignores the interrupt leaves a lingering thread but
 * never shrinks the scorer's capacity. The caller gets a {@link GroupTimeoutException} and re-issues the group.
 *
 * <p>Instant verifiers (string checks) are scored in the caller's thread: a thread hand-off would cost more.
 */
public final class GroupScorer implements AutoCloseable {

    private final Verifier verifier;
    private final int parallelism;
    private final Duration attemptBound;
    private final Semaphore slots;
    private final ExecutorService threads;
    private final AtomicInteger abandoned = new AtomicInteger();

    /** A scorer whose group deadline comes from the verifier's own bound ({@link Verifier#attemptBound()}). */
    public GroupScorer(Verifier verifier, int parallelism) {
        this(verifier, parallelism, verifier.attemptBound());
    }

    /** @param attemptBound the longest one call of {@code verifier} may take; the group deadline is built from it */
    public GroupScorer(Verifier verifier, int parallelism, Duration attemptBound) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("a group scorer needs parallelism >= 1, got " + parallelism);
        }
        this.verifier = verifier;
        this.parallelism = parallelism;
        this.attemptBound = attemptBound;
        this.slots = new Semaphore(parallelism);
        AtomicInteger made = new AtomicInteger();
        // a cached pool: the semaphore bounds the calls in flight; a thread stuck past its deadline is not reused
        this.threads = verifier.instant() ? null : Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "emend-scoring-" + made.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The time a group of {@code attempts} distinct attempts may take: one verifier bound per round of calls. */
    public static Duration deadline(int attempts, int parallelism, Duration attemptBound) {
        int rounds = (Math.max(1, attempts) + parallelism - 1) / parallelism;
        return attemptBound.multipliedBy(rounds);
    }

    /** This scorer's deadline for a group of {@code attempts} attempts (the worst case: all distinct). */
    public Duration deadline(int attempts) {
        return deadline(attempts, parallelism, attemptBound);
    }

    /** Calls interrupted at a deadline so far (each had its process tree killed, if it ran one). */
    public int abandoned() {
        return abandoned.get();
    }

    /**
     * The reward of every attempt, in order. Identical attempts are scored once (a verifier is a function of the
     * problem and the text).
     *
     * @throws GroupTimeoutException when the group deadline passes first; nothing is scored then
     */
    public int[] score(Problem problem, List<String> attempts) throws GroupTimeoutException {
        Map<String, Integer> distinct = new LinkedHashMap<>();
        for (String attempt : attempts) {
            distinct.putIfAbsent(attempt, distinct.size());
        }
        List<String> texts = new ArrayList<>(distinct.keySet());
        int[] byText = threads == null ? scoreHere(problem, texts) : scoreConcurrently(problem, texts);
        int[] scores = new int[attempts.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = byText[distinct.get(attempts.get(i))];
        }
        return scores;
    }

    private int[] scoreHere(Problem problem, List<String> texts) {
        int[] out = new int[texts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = verifier.score(problem, texts.get(i));
        }
        return out;
    }

    private int[] scoreConcurrently(Problem problem, List<String> texts) throws GroupTimeoutException {
        Duration deadline = deadline(texts.size());
        long end = System.nanoTime() + deadline.toNanos();
        List<Future<Integer>> calls = new ArrayList<>(texts.size());
        List<AtomicBoolean> held = new ArrayList<>(texts.size());
        try {
            for (String text : texts) {
                if (!slots.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw timeout(deadline, calls, texts.size());
                }
                AtomicBoolean slot = new AtomicBoolean(true);
                held.add(slot);
                calls.add(threads.submit(() -> {
                    try {
                        return verifier.score(problem, text);
                    } finally {
                        release(slot);
                    }
                }));
            }
            int[] out = new int[texts.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = calls.get(i).get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            return out;
        } catch (TimeoutException e) {
            throw timeout(deadline, calls, texts.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GroupTimeoutException("scoring was interrupted", calls.stream().filter(Future::isDone).count(), texts.size());
        } catch (ExecutionException e) {
            throw new IllegalStateException("the verifier failed: " + e.getCause(), e.getCause());
        } finally {
            // whatever is still running is interrupted and its slot given back now, stuck or not
            for (int i = 0; i < calls.size(); i++) {
                if (calls.get(i).cancel(true)) {
                    abandoned.incrementAndGet();
                }
                release(held.get(i));
            }
        }
    }

    private void release(AtomicBoolean slot) {
        if (slot.compareAndSet(true, false)) {
            slots.release();
        }
    }

    private static GroupTimeoutException timeout(Duration deadline, List<Future<Integer>> calls, int total) {
        long finished = calls.stream().filter(Future::isDone).count();
        return new GroupTimeoutException("the group deadline (" + deadline.toMillis() + " ms) passed", finished, total);
    }

    @Override
    public void close() {
        if (threads != null) {
            threads.shutdownNow();
        }
    }

    /** The group deadline passed before every attempt was scored; the group should be scored again, not as 0. */
    public static final class GroupTimeoutException extends Exception {
        public GroupTimeoutException(String why, long finished, int total) {
            super(why + " with " + finished + " of " + total + " distinct attempts scored; the rest were interrupted");
        }
    }
}
