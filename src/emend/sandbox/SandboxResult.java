package emend.sandbox;

import java.time.Duration;

/**
 * One verification: the verdict, why (for people debugging a problem set), how many asserts held before the
 * end, how long it took, and the tail of what the candidate printed.
 */
public record SandboxResult(Verdict verdict, String reason, int assertsHeld, Duration latency, String output) {

    /** The reward: 1 when every test passed. */
    public int score() {
        return verdict == Verdict.PASSED ? 1 : 0;
    }
}
