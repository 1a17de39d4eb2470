package emend.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.task.Dialogue;
import emend.task.LinearEquationTask;
import emend.tokenize.ByteTokenizer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The warm-up's two-turn transcripts: how often attempt 2 repeats attempt 1, and what the loss falls on. */
final class WarmupTranscriptsTest {

    private final LinearEquationTask task = new LinearEquationTask(LinearEquationTask.Settings.defaults(1));
    private final ByteTokenizer tokenizer = new ByteTokenizer();
    private final Dialogue dialogue = new Dialogue(tokenizer, task.instruction());

    @Test
    void repeatProbability_setsHowOftenAttemptTwoCopiesAttemptOne() {
        // independent draws of a 50%-right teacher agree in about 0.25 + 0.5 * 0.5 / 4 of rows (both right, or the
        // same one of four wrong offsets); repeats add their share on top: 0.9 + 0.1 * 0.31 = 0.93
        assertEquals(0.31, repeatedShare(0.0), 0.05);
        assertEquals(0.93, repeatedShare(0.9), 0.03);
    }

    @Test
    void lossFallsOnBothAttemptsOnly() {
        TokenBatch batch = new WarmupTranscripts(task, dialogue, 0.5, 0.5).batch(1, new SplittableRandom(3));
        int[] row = batch.tokens();
        int targets = batch.targetCount();
        int[][] attempts = attempts(row);
        // each attempt's text and its end-of-sequence token are targets; the prompt and the instruction are not
        assertEquals(attempts[0].length + 1 + attempts[1].length + 1, targets);
    }

    @Test
    void rejectsARepeatProbabilityThatLeavesNothingButCopying() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WarmupTranscripts(task, dialogue, 0.5, 1.0));
        assertTrue(e.getMessage().contains("repeat probability"), e.getMessage());
    }

    private double repeatedShare(double repeatProbability) {
        int rows = 4000;
        TokenBatch batch = new WarmupTranscripts(task, dialogue, 0.5, repeatProbability).batch(rows, new SplittableRandom(7));
        int same = 0;
        for (int b = 0; b < rows; b++) {
            int[] row = Arrays.copyOfRange(batch.tokens(), b * batch.length(), (b + 1) * batch.length());
            int[][] attempts = attempts(row);
            same += Arrays.equals(attempts[0], attempts[1]) ? 1 : 0;
        }
        return (double) same / rows;
    }

    /** The two attempts of a row: the tokens after each assistant marker, up to the end-of-sequence token. */
    private int[][] attempts(int[] row) {
        int[][] out = new int[2][];
        int found = 0;
        for (int i = 0; i < row.length && found < 2; i++) {
            if (row[i] == ByteTokenizer.ASSISTANT) {
                int end = i + 1;
                while (row[end] != tokenizer.specials().eos()) {
                    end++;
                }
                out[found++] = Arrays.copyOfRange(row, i + 1, end);
            }
        }
        return out;
    }
}
