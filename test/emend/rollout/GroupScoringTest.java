package emend.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import emend.task.Dialogue;
import emend.task.Problem;
import emend.task.Verifier;
import emend.tokenize.ByteTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The synchronous driver's scoring goes through the same layout as a verifier actor's, without running absent attempts. */
final class GroupScoringTest {

    private static final Dialogue DIALOGUE = new Dialogue(new ByteTokenizer(), "check");

    private static Trajectory row(int firstAttempt, String first, String second) {
        int[] one = DIALOGUE.attemptTokens(first);
        int[] two = second.isEmpty() ? new int[0] : DIALOGUE.attemptTokens(second);
        return new Trajectory("g/" + firstAttempt, "g", firstAttempt, "p", 0, 0.5, new int[] {1}, one, new float[one.length], new int[0], two,
                new float[two.length], 0, 0);
    }

    @Test
    void eachRowTakesItsOwnTwoScores_andAnAbsentAttemptTwoIsNeverVerified() {
        List<String> seen = new ArrayList<>();
        Verifier rightIfSeven = new Verifier() {
            @Override
            public int score(Problem problem, String attempt) {
                seen.add(attempt);
                return attempt.contains("7") ? 1 : 0;
            }

            @Override
            public String extractAnswer(String attempt) {
                return attempt;
            }
        };
        List<Trajectory> group = List.of(row(0, "x=7", "x=3"), row(1, "x=2", ""), row(2, "x=1", "x=7"));
        List<Trajectory> scored = GroupScoring.score(group, new Problem("p", "q", "7"), DIALOGUE, rightIfSeven);
        assertEquals(List.of(1, 0, 0), scored.stream().map(Trajectory::rewardOne).toList());
        assertEquals(List.of(0, 0, 1), scored.stream().map(Trajectory::rewardTwo).toList());
        assertEquals(List.of("x=7", "x=2", "x=1", "x=3", "x=7"), seen, "attempts 1, then the attempts 2 that exist");
        assertThrows(IllegalArgumentException.class, () -> GroupScoring.scored(group, new int[5]));
    }
}
