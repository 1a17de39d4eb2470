package emend.util;

/**
 * Derives independent 64-bit seeds from a run seed and coordinates such as (step, problem, sample).
 *
 * <p>Each coordinate is folded in with the SplitMix64 finaliser, so nearby inputs give unrelated seeds and a
 * sample's randomness does not depend on how many other samples were drawn before it.
 */
public final class Seeds {

    private Seeds() {}

    /** A seed for the given coordinates under {@code base}; the same inputs always give the same seed. */
    public static long derive(long base, long... coordinates) {
        long h = mix(base ^ 0x9E3779B97F4A7C15L);
        for (long c : coordinates) {
            h = mix(h + 0x9E3779B97F4A7C15L + mix(c));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
