package emend.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A group whose verification fails goes out again until its lease would run out; it is never scored 0. */
final class PendingScoresTest {

    @Test
    void pause_doublesFrom250msUpTo8s() {
        assertEquals(Duration.ofMillis(250), PendingScores.pause(1));
        assertEquals(Duration.ofMillis(500), PendingScores.pause(2));
        assertEquals(Duration.ofMillis(4000), PendingScores.pause(5));
        assertEquals(Duration.ofSeconds(8), PendingScores.pause(6));
        assertEquals(Duration.ofSeconds(8), PendingScores.pause(40));
    }

    @Test
    void failures_sendAgainWithGrowingPauses_thenScoresCarryTheCount() {
        PendingScores<String> table = new PendingScores<>();
        table.await(7, "group", 100_000);
        assertEquals(new PendingScores.SendAgain(1, Duration.ofMillis(250)), table.failed(7, 0, 0));
        assertEquals(1, table.send(7));
        assertEquals(new PendingScores.SendAgain(2, Duration.ofMillis(500)), table.failed(7, 1, 1_000));
        PendingScores.Scored<String> scored = table.scored(7).orElseThrow();
        assertEquals("group", scored.group());
        assertEquals(2, scored.failures());
        assertTrue(table.isEmpty());
    }

    /** A late error from sending 0 after sending 1 went out would otherwise start a second, parallel re-issue. */
    @Test
    void aFailureOfAnEarlierSending_isIgnored() {
        PendingScores<String> table = new PendingScores<>();
        table.await(7, "group", 100_000);
        table.failed(7, 0, 0);
        assertEquals(new PendingScores.Ignore(), table.failed(7, 0, 10));
        assertEquals(1, table.send(7), "still waiting for sending 1");
        assertEquals(new PendingScores.Ignore(), table.failed(8, 0, 10), "not pending at all");
    }

    @Test
    void whenTheLeaseWouldEndBeforeTheNextAnswer_theGroupIsLetGo() {
        PendingScores<String> table = new PendingScores<>();
        table.await(7, "group", 10_000);
        assertEquals(new PendingScores.SendAgain(1, Duration.ofMillis(250)), table.failed(7, 0, 9_000));
        assertEquals(new PendingScores.LetGo(2), table.failed(7, 1, 9_600), "9,600 + 500 ms is past the lease's end");
        assertTrue(table.isEmpty());
        assertTrue(table.scored(7).isEmpty(), "a late answer after letting go finds nothing");
    }
}
