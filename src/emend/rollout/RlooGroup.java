package emend.rollout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One prompt's RLOO group as the sampler lays it out and the learner consumes it: rows attempt 1 by attempt 1,
 * {@code siblingsEach} rows continuing each attempt 1 (its attempts 2; one row when the group has a single attempt 2
 * per attempt 1 or none). Carried whole from sampling through verification and admission to the learner, so nothing
 * downstream has to find a group's bounds again; the constructor is the one place that checks the layout.
 *
 * @param siblingsEach rows per attempt 1: {@code max(1, attempts 2 each)}
 */
public record RlooGroup(String groupId, int siblingsEach, List<Trajectory> rows) {

    /**
     * @throws IllegalArgumentException if the rows are not one group in the sampler's layout: a row of another
     *     group, row i not continuing attempt 1 number {@code i / siblingsEach}, or rows sharing an attempt 1 that
     *     differ in it (tokens, behaviour log-probs, reward, or whether it came from the base model)
     */
    public RlooGroup {
        if (siblingsEach < 1) {
            throw new IllegalArgumentException("group " + groupId + ": rows per attempt 1 must be >= 1, got " + siblingsEach);
        }
        if (rows.isEmpty() || rows.size() % siblingsEach != 0) {
            throw new IllegalArgumentException("group " + groupId + ": " + rows.size() + " rows is not a whole number of attempts 1 with "
                    + siblingsEach + " rows each");
        }
        rows = List.copyOf(rows);
        for (int i = 0; i < rows.size(); i++) {
            Trajectory row = rows.get(i);
            if (!row.groupId().equals(groupId)) {
                throw new IllegalArgumentException("group " + groupId + ": row " + i + " belongs to group " + row.groupId());
            }
            if (row.firstAttempt() != i / siblingsEach) {
                throw new IllegalArgumentException("group " + groupId + ": row " + i + " continues attempt 1 #" + row.firstAttempt()
                        + " (expected #" + i / siblingsEach + ")");
            }
            Trajectory first = rows.get(i - i % siblingsEach);
            if (row.rewardOne() != first.rewardOne() || row.offlineFirstAttempt() != first.offlineFirstAttempt()
                    || !Arrays.equals(row.attemptOne(), first.attemptOne()) || !Arrays.equals(row.logProbsOne(), first.logProbsOne())) {
                throw new IllegalArgumentException("group " + groupId + ": rows that share attempt 1 #" + row.firstAttempt() + " differ in it");
            }
        }
    }

    /** Attempts 1 in the group (the policy's and the base model's). */
    public int firstAttempts() {
        return rows.size() / siblingsEach;
    }

    /** The row that stands for attempt 1 number {@code a} (its first sibling). */
    public Trajectory firstRowOf(int a) {
        return rows.get(a * siblingsEach);
    }

    /** The same group with {@code rows} in place of its rows (e.g. scored), checked again. */
    public RlooGroup withRows(List<Trajectory> rows) {
        return new RlooGroup(groupId, siblingsEach, rows);
    }

    /** Every row of {@code groups}, group after group. */
    public static List<Trajectory> rowsOf(List<RlooGroup> groups) {
        List<Trajectory> out = new ArrayList<>();
        groups.forEach(g -> out.addAll(g.rows()));
        return out;
    }
}
