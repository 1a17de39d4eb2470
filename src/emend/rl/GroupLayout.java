package emend.rl;

import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the RLOO groups of a batch lie, rows numbered group after group. Turn 1's group is the prompt's distinct
 * attempts 1, each counted once however many attempts 2 continue it; turn 2's group is the siblings that share one
 * attempt 1 when the prompt sampled several per attempt 1, else the prompt's rows. An offline attempt 1 (from the
 * base model) is in no turn-1 group: its rows are turn-2 contexts only.
 */
final class GroupLayout {

    /** Per row: the index of its attempt 1 among the batch's distinct attempts 1 of the policy, or -1 if offline. */
    final int[] firstAttemptOfRow;
    /** Per attempt 1 of the policy: the row that stands for it (its first sibling). */
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

    static GroupLayout of(List<RlooGroup> groups) {
        int rows = groups.stream().mapToInt(g -> g.rows().size()).sum();
        int[] firstOfRow = new int[rows];
        List<Integer> representative = new ArrayList<>();
        int[] turnOne = new int[groups.size()];
        List<Integer> turnTwo = new ArrayList<>();
        int row = 0;
        for (int g = 0; g < groups.size(); g++) {
            RlooGroup group = groups.get(g);
            for (int a = 0; a < group.firstAttempts(); a++) {
                Trajectory first = group.firstRowOf(a);
                int index = first.offlineFirstAttempt() ? -1 : representative.size();
                if (!first.offlineFirstAttempt()) {
                    representative.add(row);
                    turnOne[g]++;
                }
                for (int j = 0; j < group.siblingsEach(); j++) {
                    firstOfRow[row++] = index;
                }
                if (group.siblingsEach() > 1) {
                    turnTwo.add(group.siblingsEach());
                }
            }
            if (group.siblingsEach() == 1) {
                turnTwo.add(group.rows().size());
            }
        }
        return new GroupLayout(firstOfRow, representative.stream().mapToInt(Integer::intValue).toArray(), turnOne,
                turnTwo.stream().mapToInt(Integer::intValue).toArray());
    }
}
