package emend.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import emend.tokenize.ByteTokenizer;
import org.junit.jupiter.api.Test;

final class DialogueTest {

    private final ByteTokenizer tokenizer = new ByteTokenizer();
    private final Dialogue dialogue = new Dialogue(tokenizer, "fix");

    @Test
    void turnTwoPrompt_isTurnOnePlusAttemptPlusInstruction() {
        int[] one = dialogue.turnOnePrompt("q");
        assertArrayEquals(new int[] {1, 3, 5 + 'q', 4}, one);
        int[] attempt = dialogue.attemptTokens("a");
        assertArrayEquals(new int[] {5 + 'a', 2}, attempt);
        assertArrayEquals(new int[] {1, 3, 5 + 'q', 4, 5 + 'a', 2, 3, 5 + 'f', 5 + 'i', 5 + 'x', 4},
                dialogue.turnTwoPrompt(one, attempt));
        assertEquals("<bos><user>q<assistant>a<eos><user>fix<assistant>", tokenizer.decode(dialogue.turnTwoPrompt(one, attempt)));
    }

    @Test
    void attemptText_stopsAtTheEndOfSequenceToken() {
        assertEquals("x=3", dialogue.attemptText(new int[] {5 + 'x', 5 + '=', 5 + '3', 2, 5 + '9'}));
        assertEquals("x=3", dialogue.attemptText(new int[] {5 + 'x', 5 + '=', 5 + '3'}));
    }
}
