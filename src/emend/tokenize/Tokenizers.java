package emend.tokenize;

import java.nio.file.Path;

/** Looks tokenizers up by the kind recorded in a checkpoint or a job spec. */
public final class Tokenizers {

    private Tokenizers() {}

    /**
     * The tokenizer for {@code kind}; a Hugging Face tokenizer is read from the directory its kind names (a node
     * other than the learner's needs the model directory at the same path).
     */
    public static Tokenizer forKind(String kind) {
        if (kind.startsWith(HfTokenizer.KIND_PREFIX)) {
            return HfTokenizer.load(Path.of(kind.substring(HfTokenizer.KIND_PREFIX.length())));
        }
        return builtIn(kind);
    }

    /** The tokenizer of the checkpoint in {@code dir}: a Hugging Face tokenizer is read from the checkpoint's own copy. */
    public static Tokenizer forCheckpoint(String kind, Path dir) {
        return kind.startsWith(HfTokenizer.KIND_PREFIX) ? HfTokenizer.load(dir) : builtIn(kind);
    }

    private static Tokenizer builtIn(String kind) {
        if (ByteTokenizer.KIND.equals(kind)) {
            return new ByteTokenizer();
        }
        throw new IllegalArgumentException("unknown tokenizer kind '" + kind + "'; this build knows: " + ByteTokenizer.KIND
                + " and " + HfTokenizer.KIND_PREFIX + "DIR (a Hugging Face tokenizer.json in DIR)");
    }
}
