package emend.tokenize;

/** Looks tokenizers up by the kind recorded in a checkpoint. */
public final class Tokenizers {

    private Tokenizers() {}

    /** The tokenizer for {@code kind}, or an error that lists the kinds this build knows. */
    public static Tokenizer forKind(String kind) {
        if (ByteTokenizer.KIND.equals(kind)) {
            return new ByteTokenizer();
        }
        throw new IllegalArgumentException(
                "unknown tokenizer kind '" + kind + "'; this build knows: " + ByteTokenizer.KIND);
    }
}
