package emend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

final class MajorityVoteTest {

    @Test
    void of_picksTheMostFrequent_tieToTheFirstToReachIt() {
        assertEquals("7", MajorityVote.of(List.of("3", "7", "7", "3", "7")));
        assertEquals("3", MajorityVote.of(List.of("3", "7")));
        assertEquals("7", MajorityVote.of(List.of("3", "7", "7", "3")));
        assertEquals("", MajorityVote.of(List.of("", "", "5")));
        assertThrows(IllegalArgumentException.class, () -> MajorityVote.of(List.of()));
    }
}
