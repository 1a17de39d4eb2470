package emend.tokenize;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A byte-level tokenizer: five control tokens, then one id per UTF-8 byte value.
 *
 * <p>Every string is encodable (no unknown tokens) and decoding inverts encoding exactly for text; the
 * default tasks are ASCII, so one character is one token, which keeps arithmetic digit-aligned.
 */
public final class ByteTokenizer implements Tokenizer {

    /** The checkpoint tag of this vocabulary layout. */
    public static final String KIND = "byte-v1";

    private static final String[] SPECIAL_NAMES = {"<pad>", "<bos>", "<eos>", "<user>", "<assistant>"};
    public static final int BOS = 1;
    public static final int USER = 3;
    public static final int ASSISTANT = 4;
    private static final int FIRST_BYTE_ID = SPECIAL_NAMES.length;
    private static final SpecialTokens SPECIALS = new SpecialTokens(0, 2);
    /** {@code <bos><user>question<assistant>attempt<eos><user>instruction<assistant>attempt<eos>}. */
    private static final ChatTemplate TEMPLATE = new ChatTemplate(new int[] {BOS}, new int[] {USER}, new int[] {ASSISTANT}, new int[0]);

    @Override
    public int vocabSize() {
        return FIRST_BYTE_ID + 256;
    }

    @Override
    public SpecialTokens specials() {
        return SPECIALS;
    }

    @Override
    public ChatTemplate chatTemplate() {
        return TEMPLATE;
    }

    /** Control tokens never come out of text: every byte has its own id. */
    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = FIRST_BYTE_ID + (bytes[i] & 0xFF);
        }
        return ids;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        for (int id : ids) {
            if (id < 0 || id >= vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabSize() + ")");
            }
            if (id < FIRST_BYTE_ID) {
                out.append(pending.toString(StandardCharsets.UTF_8));
                pending.reset();
                out.append(SPECIAL_NAMES[id]);
            } else {
                pending.write(id - FIRST_BYTE_ID);
            }
        }
        return out.append(pending.toString(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public String kind() {
        return KIND;
    }
}
