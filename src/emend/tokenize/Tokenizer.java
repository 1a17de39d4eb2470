package emend.tokenize;

/** Maps text to token ids in {@code [0, vocabSize)} and back. */
public interface Tokenizer {

    /** Number of distinct ids, the model's vocabulary size. */
    int vocabSize();

    /** Ids of the control tokens (never produced by {@link #encode}). */
    SpecialTokens specials();

    /** Encodes plain text; control tokens are never produced from text. */
    int[] encode(String text);

    /** Decodes ids back to text; control tokens render as their names, e.g. {@code <eos>}. */
    String decode(int[] ids);

    /** A short description that identifies this tokenizer in checkpoints, e.g. {@code byte-v1}. */
    String kind();
}
