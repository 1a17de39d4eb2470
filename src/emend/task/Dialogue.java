package emend.task;

import emend.util.IntArrays;
import emend.tokenize.ChatTemplate;
import emend.tokenize.Tokenizer;
import java.util.Arrays;

/**
 * The token layout of a two-attempt dialogue, from the tokenizer's {@link ChatTemplate}; with the byte tokenizer
 * {@code <bos><user>question<assistant>attempt1<eos><user>instruction<assistant>attempt2<eos>}.
 *
 * <p>Append-only: the turn-2 context is exactly the turn-1 prompt, the generated attempt-1 tokens and the
 * instruction suffix, so the learner scores the very tokens the sampler saw and never re-tokenizes text.
 */
public final class Dialogue {

    private final Tokenizer tokenizer;
    private final int[] instructionSuffix;

    public Dialogue(Tokenizer tokenizer, String instruction) {
        this.tokenizer = tokenizer;
        ChatTemplate t = tokenizer.chatTemplate();
        this.instructionSuffix = IntArrays.concat(t.betweenTurns(), t.userOpen(), tokenizer.encode(instruction), t.assistantOpen());
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** {@code <bos><user>question<assistant>} (the template's start, user and assistant openings). */
    public int[] turnOnePrompt(String question) {
        ChatTemplate t = tokenizer.chatTemplate();
        return IntArrays.concat(t.start(), t.userOpen(), tokenizer.encode(question), t.assistantOpen());
    }

    /** {@code <user>instruction<assistant>}, appended after attempt 1 (and the template's text between turns). */
    public int[] instructionSuffix() {
        return instructionSuffix.clone();
    }

    /** The turn-2 prompt: turn-1 prompt, attempt-1 tokens as generated, instruction suffix. */
    public int[] turnTwoPrompt(int[] turnOnePrompt, int[] attemptOne) {
        return IntArrays.concat(turnOnePrompt, attemptOne, instructionSuffix);
    }

    /** Attempt text as a model would emit it: the text's tokens followed by {@code <eos>}. */
    public int[] attemptTokens(String text) {
        return IntArrays.concat(tokenizer.encode(text), new int[] {tokenizer.specials().eos()});
    }

    /** The text of generated attempt tokens, without the end-of-sequence marker or anything after it. */
    public String attemptText(int[] tokens) {
        int end = 0;
        while (end < tokens.length && tokens[end] != tokenizer.specials().eos()) {
            end++;
        }
        return tokenizer.decode(Arrays.copyOf(tokens, end));
    }
}
