package emend.rl;

import emend.rollout.Trajectory;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the RLOO groups of a batch lie. Turn 1's group is the prompt's distinct attempts 1, each counted once
 * however many attempts 2 continue it; turn 2's group is the siblings that share one attempt 1 when the prompt
 * sampled several per attempt 1 ({@link GroupShape}), else the prompt's rows. An offline attempt 1 (from the base
 * model) is in no turn-1 group: its rows are turn-2 contexts only.
 */
final class GroupLayout {

    /** Per row: the index of its attempt 1 among the batch's distinct attempts 1 of the policy, or -1 if offline. */
    final int[] firstAttemptOfRow;
    /** Per row of the first attempt list: the row that stands for it (its first sibling). */
    final int[] rowOfFirstAttempt;
    /** Distinct attempts 1 of the policy per prompt group, in order. */
    final int[] turnOneGroupSizes;
    /** Rows per turn-2 RLOO group, in order. */
    final int[] turnTwoGroupSizes;

    private GroupLayout(int[] firstAttemptOfRow, int[] rowOfFirstAttempt, int[] turnOneGroupSizes, int[] turnTwoGroupSizes) {
        this.firstAttemptOfRow = firstAttemptOfRow;
        this.rowOfFirstAttempt = rowOfFirstAttempt;
        this.turnOneGroupSizes = turnOneGroupSizes;
        this.turnTwoGroupSizes = turnTwoGroupSizes;
    }

    /**
     * @throws IllegalArgumentException if a group's rows are not adjacent, an attempt 1's siblings are not
     *                                  adjacent or disagree on its reward, or a group's attempts 1 have different
     *                                  numbers of siblings
     */
    static GroupLayout of(List<Trajectory> batch) {
        int rows = batch.size();
        int[] firstOfRow = new int[rows];
        List<Integer> representative = new ArrayList<>();
        List<Integer> turnOne = new ArrayList<>();
        List<Integer> turnTwo = new ArrayList<>();
        List<String> seenGroups = new ArrayList<>();
        int start = 0;
        while (start < rows) {
            String group = batch.get(start).groupId();
            if (seenGroups.contains(group)) {
                throw new IllegalArgumentException("the rows of group " + group + " are not adjacent in the batch");
            }
            seenGroups.add(group);
            int end = start;
            while (end < rows && batch.get(end).groupId().equals(group)) {
                end++;
            }
            List<Integer> siblingCounts = new ArrayList<>();
            int online = 0;
            List<Integer> seenAttempts = new ArrayList<>();
            for (int b = start; b < end; ) {
                Trajectory first = batch.get(b);
                if (seenAttempts.contains(first.firstAttempt())) {
                    throw new IllegalArgumentException("group " + group + ": the rows continuing attempt 1 #" + first.firstAttempt()
                            + " are not adjacent");
                }
                seenAttempts.add(first.firstAttempt());
                int siblingsEnd = b;
                while (siblingsEnd < end && batch.get(siblingsEnd).firstAttempt() == first.firstAttempt()) {
                    Trajectory sibling = batch.get(siblingsEnd);
                    if (sibling.rewardOne() != first.rewardOne() || sibling.offlineFirstAttempt() != first.offlineFirstAttempt()) {
                        throw new IllegalArgumentException("group " + group + ": rows sharing attempt 1 #" + first.firstAttempt()
                                + " disagree on its reward or on whether it is offline");
                    }
                    firstOfRow[siblingsEnd] = first.offlineFirstAttempt() ? -1 : representative.size();
                    siblingsEnd++;
                }
                if (!first.offlineFirstAttempt()) {
                    representative.add(b);
                    online++;
                }
                siblingCounts.add(siblingsEnd - b);
                b = siblingsEnd;
            }
            if (siblingCounts.stream().distinct().count() > 1) {
                throw new IllegalArgumentException("group " + group + ": its attempts 1 have different numbers of attempts 2 "
                        + siblingCounts + "; every attempt 1 of a group needs the same number");
            }
            turnOne.add(online);
            if (siblingCounts.get(0) > 1) {
                turnTwo.addAll(siblingCounts);
            } else {
                turnTwo.add(end - start);
            }
            start = end;
        }
        return new GroupLayout(firstOfRow, representative.stream().mapToInt(Integer::intValue).toArray(),
                turnOne.stream().mapToInt(Integer::intValue).toArray(), turnTwo.stream().mapToInt(Integer::intValue).toArray());
    }
}
