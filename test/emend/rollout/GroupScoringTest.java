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

    /** Scores 1 for an attempt that contains a 7, and records what it was asked. */
    private static final class RightIfSeven implements Verifier {
        final List<String> seen = new ArrayList<>();

        @Override
        public int score(Problem problem, String attempt) {
            seen.add(attempt);
            return attempt.contains("7") ? 1 : 0;
        }

        @Override
        public String extractAnswer(String attempt) {
            return attempt;
        }
    }

    @Test
    void attemptsOneThenAttemptsTwo_andAnAbsentAttemptTwoIsNeverVerified() {
        RightIfSeven rightIfSeven = new RightIfSeven();
        RlooGroup group = new RlooGroup("g", 1, List.of(row(0, "x=7", "x=3"), row(1, "x=2", ""), row(2, "x=1", "x=7")));
        List<Trajectory> scored = GroupScoring.score(group, new Problem("p", "q", "7"), DIALOGUE, rightIfSeven).rows();
        assertEquals(List.of(1, 0, 0), scored.stream().map(Trajectory::rewardOne).toList());
        assertEquals(List.of(0, 0, 1), scored.stream().map(Trajectory::rewardTwo).toList());
        assertEquals(List.of("x=7", "x=2", "x=1", "x=3", "x=7"), rightIfSeven.seen, "attempts 1, then the attempts 2 that exist");
        assertThrows(IllegalArgumentException.class, () -> GroupScoring.scored(group, new int[5]));
    }

    @Test
    void siblingsShareOneVerificationOfTheirAttemptOne() {
        RightIfSeven rightIfSeven = new RightIfSeven();
        RlooGroup group = new RlooGroup("g", 3, List.of(row(0, "x=7", "x=1"), row(0, "x=7", "x=7"), row(0, "x=7", "x=2"),
                row(1, "x=4", "x=7"), row(1, "x=4", "x=4"), row(1, "x=4", "")));
        assertEquals(8, GroupScoring.scoreCount(group), "2 attempts 1 + 6 attempts 2");
        List<Trajectory> scored = GroupScoring.score(group, new Problem("p", "q", "7"), DIALOGUE, rightIfSeven).rows();
        assertEquals(List.of(1, 1, 1, 0, 0, 0), scored.stream().map(Trajectory::rewardOne).toList());
        assertEquals(List.of(0, 1, 0, 1, 0, 0), scored.stream().map(Trajectory::rewardTwo).toList());
        assertEquals(List.of("x=7", "x=4", "x=1", "x=7", "x=2", "x=7", "x=4"), rightIfSeven.seen, "each attempt 1 once, then the attempts 2 that exist");
    }
}
