package emend.tokenize;

import java.io.IOException;
import java.nio.file.Path;

/** Maps text to token ids in {@code [0, vocabSize)} and back. */
public interface Tokenizer {

    /** Number of distinct ids; the model's vocabulary may be larger (padded), never smaller. */
    int vocabSize();

    /** Ids of the stop and padding tokens. */
    SpecialTokens specials();

    /** How the turns of a dialogue are laid out in tokens. */
    ChatTemplate chatTemplate();

    /** Where {@link #chatTemplate()} came from, for the line a run prints at start. */
    default String layoutSource() {
        return "Emend's own layout for " + kind();
    }

    /** Encodes plain text (whether control tokens can come out of text depends on the tokenizer; see each). */
    int[] encode(String text);

    /** Decodes ids back to text; control tokens render as their names, e.g. {@code <eos>}. */
    String decode(int[] ids);

    /**
     * Identifies this tokenizer in checkpoints and in the job spec workers on other nodes rebuild it from, e.g.
     * {@code byte-v1}; see {@link Tokenizers#forKind}.
     */
    String kind();

    /** Writes the files a checkpoint in {@code dir} needs to rebuild this tokenizer; none for a built-in one. */
    default void saveFiles(Path dir) throws IOException {}
}
