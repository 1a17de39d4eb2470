package emend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.task.NumericAnswerVerifier;
import org.junit.jupiter.api.Test;

final class AnswerChangesTest {

    @Test
    void aChangeIsADifferentAnswer_notADifferentText() {
        AnswerChanges changes = new AnswerChanges(new NumericAnswerVerifier("x="));
        changes.add("x=5 check 2*5=10 10+3=13 vs 13 ok", "x= 5 check again");   // same answer, other words
        changes.add("x=5 check 2*5=10 10+3=13 vs 14 low", "x=6 check 2*6=12");  // corrected
        changes.add("x=5", "I am not sure");                                    // no answer is a change too
        assertEquals(2.0 / 3, changes.rate(), 1e-12);
    }

    @Test
    void noDialogues_giveNoRate() {
        assertTrue(Double.isNaN(new AnswerChanges(new NumericAnswerVerifier("x=")).rate()));
    }
}
