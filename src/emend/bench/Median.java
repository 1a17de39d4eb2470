package emend.bench;

import java.util.Arrays;

/** The median of timed repetitions: the figure a benchmark reports, robust to a stray slow run. */
public final class Median {

    private Median() {}

    /** The middle value, or the mean of the two middle values of an even count. */
    public static double of(double... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to take the median of");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
