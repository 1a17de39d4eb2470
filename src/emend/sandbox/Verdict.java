package emend.sandbox;

/** The outcome of running a candidate against its tests; only {@link #PASSED} scores 1. */
public enum Verdict {
    /** Every test ran and passed, as reported by the judge with the run's nonce. */
    PASSED,
    /** An assert of the tests failed. */
    ASSERTION,
    /** The program did not load, raised, returned something that cannot be compared, or broke the protocol. */
    ERROR,
    /** The wall-clock or CPU limit ran out. */
    TIMEOUT,
    /** The candidate process died from a signal (memory, process or CPU hard limit, a crash, or itself). */
    KILLED,
    /** The candidate printed, or replied with, more than the output limit. */
    OUTPUT_LIMIT
}
