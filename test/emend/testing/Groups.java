package emend.testing;

import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import java.util.ArrayList;
import java.util.List;

/** RLOO groups from rows written out flat in a test, in the sampler's layout. */
public final class Groups {

    private Groups() {}

    /**
     * Consecutive rows with the same group id form one group; its rows per attempt 1 are the rows that continue its
     * first row's attempt 1 ({@link RlooGroup} checks the rest of the layout).
     */
    public static List<RlooGroup> of(List<Trajectory> rows) {
        List<RlooGroup> out = new ArrayList<>();
        int start = 0;
        while (start < rows.size()) {
            String groupId = rows.get(start).groupId();
            int end = start;
            while (end < rows.size() && rows.get(end).groupId().equals(groupId)) {
                end++;
            }
            int siblings = 0;
            while (start + siblings < end && rows.get(start + siblings).firstAttempt() == rows.get(start).firstAttempt()) {
                siblings++;
            }
            out.add(new RlooGroup(groupId, siblings, rows.subList(start, end)));
            start = end;
        }
        return out;
    }

    /** One group of one row per attempt 1: row i is renumbered to continue attempt 1 #i. */
    public static List<RlooGroup> numbered(List<Trajectory> rows) {
        List<Trajectory> renumbered = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Trajectory t = rows.get(i);
            renumbered.add(new Trajectory(t.id(), t.groupId(), i, t.problemId(), t.policyVersion(), t.temperature(), t.promptOne(), t.attemptOne(),
                    t.logProbsOne(), t.instructionSuffix(), t.attemptTwo(), t.logProbsTwo(), t.rewardOne(), t.rewardTwo(), t.offlineFirstAttempt()));
        }
        return of(renumbered);
    }
}
