package emend.generate;

/** Position ids of left-padded rows: a token's index among its row's real tokens (0 for the pads). */
final class DecodePositions {

    private DecodePositions() {}

    /** Positions (B × steps, row-major) of absolute slots {@code start .. start + steps - 1}. */
    static int[] of(int[] padCounts, int start, int steps) {
        int[] positions = new int[padCounts.length * steps];
        for (int b = 0; b < padCounts.length; b++) {
            for (int t = 0; t < steps; t++) {
                positions[b * steps + t] = Math.max(0, start + t - padCounts[b]);
            }
        }
        return positions;
    }

    /** {@code values[rowOf[b]]} for each b: a per-row array after rows are repeated. */
    static int[] rowsOf(int[] values, int[] rowOf) {
        int[] out = new int[rowOf.length];
        for (int b = 0; b < rowOf.length; b++) {
            out[b] = values[rowOf[b]];
        }
        return out;
    }
}
