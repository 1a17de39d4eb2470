package emend.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A group is made only in the sampler's layout: the one check the learner's RLOO groups rest on. */
final class RlooGroupTest {

    private static Trajectory row(String group, int firstAttempt, int sibling, int r1, int[] attemptOne) {
        return new Trajectory(group + "/" + firstAttempt + "." + sibling, group, firstAttempt, "p", 0, 1.0, new int[] {1}, attemptOne,
                new float[attemptOne.length], new int[] {3}, new int[] {30 + sibling, 2}, new float[2], r1, 0);
    }

    private static Trajectory row(String group, int firstAttempt, int sibling, int r1) {
        return row(group, firstAttempt, sibling, r1, new int[] {20 + firstAttempt, 2});
    }

    private static String refusal(String groupId, int siblings, List<Trajectory> rows) {
        return assertThrows(IllegalArgumentException.class, () -> new RlooGroup(groupId, siblings, rows)).getMessage();
    }

    @Test
    void aGroupInTheSamplersLayout_knowsItsAttemptsOne() {
        RlooGroup group = new RlooGroup("g", 2, List.of(row("g", 0, 0, 0), row("g", 0, 1, 0), row("g", 1, 0, 1), row("g", 1, 1, 1),
                row("g", 2, 0, 0), row("g", 2, 1, 0)));
        assertEquals(3, group.firstAttempts());
        assertEquals("g/1.0", group.firstRowOf(1).id());
        RlooGroup other = new RlooGroup("h", 1, List.of(row("h", 0, 0, 1)));
        assertEquals(List.of("g/0.0", "g/0.1", "g/1.0", "g/1.1", "g/2.0", "g/2.1", "h/0.0"),
                RlooGroup.rowsOf(List.of(group, other)).stream().map(Trajectory::id).toList());
    }

    @Test
    void rowsOutOfTheLayout_areRefusedByName() {
        assertTrue(refusal("g", 2, List.of(row("g", 0, 0, 0), row("g", 1, 0, 0), row("g", 0, 1, 0), row("g", 1, 1, 0)))
                .contains("row 1 continues attempt 1 #1 (expected #0)"), "siblings not adjacent");
        assertTrue(refusal("g", 2, List.of(row("g", 0, 0, 0), row("g", 0, 1, 0), row("g", 1, 0, 0))).contains("3 rows"),
                "an attempt 1 short of a sibling");
        assertTrue(refusal("g", 2, List.of(row("g", 0, 0, 0), row("g", 0, 1, 1))).contains("differ in it"), "siblings disagree on r1");
        assertTrue(refusal("g", 2, List.of(row("g", 0, 0, 0), row("g", 0, 1, 0, new int[] {21, 2}))).contains("differ in it"),
                "siblings disagree on attempt 1's tokens");
        assertTrue(refusal("a", 1, List.of(row("a", 0, 0, 0), row("b", 1, 0, 0))).contains("belongs to group b"));
        assertTrue(refusal("g", 1, List.of()).contains("0 rows"));
        assertTrue(refusal("g", 0, List.of(row("g", 0, 0, 0))).contains(">= 1"));
    }

    @Test
    void withRows_checksTheNewRowsAgain() {
        RlooGroup group = new RlooGroup("g", 2, List.of(row("g", 0, 0, 0), row("g", 0, 1, 0)));
        assertEquals(1, group.withRows(List.of(row("g", 0, 0, 1), row("g", 0, 1, 1))).rows().get(1).rewardOne());
        assertThrows(IllegalArgumentException.class, () -> group.withRows(List.of(row("g", 0, 0, 1), row("g", 0, 1, 0))));
    }
}
