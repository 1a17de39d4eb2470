package emend.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.sandbox.TestSandboxes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A group's attempts are scored side by side under one deadline, and nothing stuck keeps a slot. */
final class GroupScorerTest {

    private static final Problem ADD = new Problem("add", "Write add(a, b) that returns a + b.",
            new UnitTests("add", "assert add(1, 2) == 3\nassert add(5, 4) == 9\n").toAnswer());
    private static final String RIGHT = "def add(a, b):\n    return a + b\n";
    private static final String LOOPING = "def add(a, b):\n    while True:\n        pass\n";

    @Test
    void deadline_isOneBoundPerRoundOfParallelCalls() {
        assertEquals(Duration.ofSeconds(12), GroupScorer.deadline(8, 4, Duration.ofSeconds(6)), "8 attempts, 4 at once: 2 rounds");
        assertEquals(Duration.ofSeconds(18), GroupScorer.deadline(9, 4, Duration.ofSeconds(6)), "a ninth attempt needs a third round");
        assertEquals(Duration.ofSeconds(6), GroupScorer.deadline(1, 4, Duration.ofSeconds(6)));
        assertEquals(Duration.ofSeconds(6), GroupScorer.deadline(0, 4, Duration.ofSeconds(6)), "an empty group still gets one round");
    }

    /** The case: two looping candidates cost their own rewards only, and the group finishes in time. */
    @Test
    void twoLoopingAndSixRightAttempts_theSixScoreOne_andTheGroupIsOnTime() throws Exception {
        CodeVerifier verifier = new CodeVerifier(TestSandboxes.shortLimits());
        List<String> attempts = new ArrayList<>(List.of(LOOPING, LOOPING + "\n"));
        for (int i = 0; i < 6; i++) {
            attempts.add(RIGHT + "# variant " + i + "\n");
        }
        try (GroupScorer scorer = new GroupScorer(verifier, 4)) {
            assertArrayEquals(new int[] {0, 0, 1, 1, 1, 1, 1, 1}, scorer.score(ADD, attempts));
            assertEquals(0, scorer.abandoned(), "nothing ran into the group deadline");
        }
    }

    /** Concurrency without a clock: every call waits until all four are in flight, which scoring in turn never reaches. */
    @Test
    void attempts_areScoredConcurrently() throws Exception {
        CountDownLatch allInFlight = new CountDownLatch(4);
        Verifier rendezvous = new TestVerifier(Duration.ofSeconds(20)) {
            @Override public int score(Problem problem, String attempt) {
                allInFlight.countDown();
                try {
                    return allInFlight.await(20, TimeUnit.SECONDS) ? 1 : 0;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        };
        try (GroupScorer scorer = new GroupScorer(rendezvous, 4)) {
            assertArrayEquals(new int[] {1, 1, 1, 1}, scorer.score(ADD, List.of("a", "b", "c", "d")));
        }
    }

    @Test
    void identicalAttempts_areScoredOnce_andEachGetsTheScore() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Verifier counting = new TestVerifier(Duration.ofSeconds(5)) {
            @Override public int score(Problem problem, String attempt) {
                calls.incrementAndGet();
                return attempt.equals("right") ? 1 : 0;
            }
        };
        try (GroupScorer scorer = new GroupScorer(counting, 2)) {
            assertArrayEquals(new int[] {1, 0, 1, 1, 0}, scorer.score(ADD, List.of("right", "wrong", "right", "right", "wrong")));
        }
        assertEquals(2, calls.get());
    }

    /** A call that ignores its interrupt keeps its thread, but not its slot: the next group is scored at once. */
    @Test
    void aCallStuckPastTheDeadline_isInterrupted_andItsSlotComesBack() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch interrupted = new CountDownLatch(1);
        Verifier stubborn = new TestVerifier(Duration.ofMillis(200)) {
            @Override public int score(Problem problem, String attempt) {
                while (attempt.equals("hang") && !release.get()) {
                    if (Thread.interrupted()) {
                        interrupted.countDown();
                    }
                    Thread.onSpinWait();
                }
                return 1;
            }
        };
        try (GroupScorer scorer = new GroupScorer(stubborn, 1)) {
            GroupScorer.GroupTimeoutException late = assertThrows(GroupScorer.GroupTimeoutException.class,
                    () -> scorer.score(ADD, List.of("hang")));
            assertTrue(late.getMessage().contains("0 of 1 distinct attempts scored"), late.getMessage());
            assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the stuck call was interrupted");
            assertArrayEquals(new int[] {1}, scorer.score(ADD, List.of("fine")), "the one slot was given back");
            assertEquals(1, scorer.abandoned());
        } finally {
            release.set(true);
        }
    }

    /** With the real sandbox: at the group deadline the candidate's processes are killed, not left running. */
    @Test
    void aSandboxRunPastTheDeadline_hasItsProcessTreeKilled() throws Exception {
        CodeVerifier verifier = new CodeVerifier(TestSandboxes.shortLimits());
        String sleeping = "import time\ndef add(a, b):\n    time.sleep(60)\n    return a + b\n";
        // a bound shorter than the sandbox's own limit, so the deadline (not the sandbox) ends the run
        try (GroupScorer scorer = new GroupScorer(verifier, 1, Duration.ofMillis(800))) {
            assertThrows(GroupScorer.GroupTimeoutException.class, () -> scorer.score(ADD, List.of(sleeping)));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!sandboxProcesses().isEmpty() && System.nanoTime() < until) {
            Thread.onSpinWait();
        }
        assertEquals(List.of(), sandboxProcesses(), "no sandbox process outlives the deadline");
    }

    /** This JVM's live child processes that belong to a sandbox run (the judge, bwrap or unshare, the candidate). */
    private static List<String> sandboxProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(p -> p.info().commandLine().orElse(""))
                .filter(line -> line.contains("python") || line.contains("bwrap") || line.contains("unshare")).toList();
    }

    /** A verifier double that runs on the scorer's threads (not instant) with the given bound. */
    private abstract static class TestVerifier implements Verifier {
        private final Duration bound;

        TestVerifier(Duration bound) {
            this.bound = bound;
        }

        @Override public String extractAnswer(String attempt) {
            return attempt;
        }

        @Override public Duration attemptBound() {
            return bound;
        }
    }
}
