package emend.bench;

import emend.sandbox.SandboxResult;
import emend.task.CodeProblem;
import emend.task.CodeVerifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Throughput and latency of the code verifier under concurrent calls: each row runs the same calls (the
 * reference solution and a wrong one of each problem in turn) with a fixed number of calls in flight.
 */
public final class VerifierBenchmark {

    private VerifierBenchmark() {}

    /**
     * One concurrency level.
     *
     * @param wrongScores calls whose score differed from the expected one (a reference that did not pass, a wrong
     *     solution that did): 0 unless the machine is so loaded that references time out
     */
    public record Row(int concurrency, int calls, double verificationsPerSecond, double p50Millis, double p99Millis, int wrongScores) {}

    /** @param progress called with the number of rows done */
    public static List<Row> run(CodeVerifier verifier, List<CodeProblem> problems, int calls, int[] concurrency, IntConsumer progress) {
        List<CodeProblem> usable = problems.stream().filter(p -> !p.solution().isBlank() && !p.wrongSolutions().isEmpty()).toList();
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("the benchmark needs problems with a reference and a wrong solution");
        }
        call(verifier, usable, 0);
        List<Row> rows = new ArrayList<>();
        for (int level : concurrency) {
            rows.add(row(verifier, usable, calls, level));
            progress.accept(rows.size());
        }
        return rows;
    }

    private static Row row(CodeVerifier verifier, List<CodeProblem> problems, int calls, int concurrency) {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            long start = System.nanoTime();
            List<Future<Long>> futures = new ArrayList<>();
            AtomicInteger wrong = new AtomicInteger();
            for (int i = 0; i < calls; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    if (!call(verifier, problems, index)) {
                        wrong.incrementAndGet();
                    }
                    return System.nanoTime() - t0;
                }));
            }
            long[] latencies = new long[calls];
            for (int i = 0; i < calls; i++) {
                latencies[i] = futures.get(i).get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Arrays.sort(latencies);
            return new Row(concurrency, calls, calls / seconds, percentile(latencies, 0.50), percentile(latencies, 0.99), wrong.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a verification failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Call {@code i}: problem i/2's reference when i is even, its first wrong solution when odd; true when scored as expected. */
    private static boolean call(CodeVerifier verifier, List<CodeProblem> problems, int i) {
        CodeProblem p = problems.get((i / 2) % problems.size());
        boolean reference = i % 2 == 0;
        String program = reference ? p.solution() : p.wrongSolutions().get(0);
        SandboxResult result = verifier.check(p.toProblem(), "```python\n" + program + "\n```");
        return result.score() == (reference ? 1 : 0);
    }

    /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
    private static double percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
