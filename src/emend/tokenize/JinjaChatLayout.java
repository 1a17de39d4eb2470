package emend.tokenize;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.util.List;
import java.util.Map;

/**
 * A tokenizer's dialogue layout read off its Hugging Face chat template ({@code chat_template} in
 * tokenizer_config.json, Jinja): the template renders a two-attempt dialogue whose contents are markers, and the
 * text between the markers is the layout. So a model gets the turns it was trained on (TinyLlama's {@code <|user|>},
 * Qwen's default system prompt, Llama 3's headers) instead of a layout guessed from its added tokens.
 */
final class JinjaChatLayout {

    /** The layout as text: {@code start userOpen Q assistantOpen A endOfTurn betweenTurns userOpen I assistantOpen}. */
    record Layout(String start, String userOpen, String assistantOpen, String endOfTurn, String betweenTurns) {}

    /** What rendering gave: a layout, or why the template cannot be used (the caller falls back to its guess). */
    sealed interface Result permits Rendered, Unusable {}

    record Rendered(Layout layout) implements Result {}

    record Unusable(String reason) implements Result {}

    // contents no template alters (no spaces to trim, no case to change)
    private static final String QUESTION = "EMENDQUESTIONMARK";
    private static final String ATTEMPT = "EMENDATTEMPTMARK";
    private static final String INSTRUCTION = "EMENDINSTRUCTIONMARK";

    private JinjaChatLayout() {}

    /**
     * @param bosToken the begin token's text ({@code bos_token}), or empty
     * @param eosToken the text that ends an assistant turn ({@code eos_token})
     */
    static Result render(String template, String bosToken, String eosToken) {
        String text;
        try {
            // as Hugging Face renders chat templates: a newline after a block tag and the spaces before one are dropped
            Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).build());
            Map<String, Object> context = Map.of(
                    "messages", List.of(Map.of("role", "user", "content", QUESTION), Map.of("role", "assistant", "content", ATTEMPT),
                            Map.of("role", "user", "content", INSTRUCTION)),
                    "add_generation_prompt", true, "bos_token", bosToken, "eos_token", eosToken);
            RenderResult result = jinjava.renderForResult(template, context);
            List<TemplateError> errors = result.getErrors().stream().filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
            if (!errors.isEmpty()) {
                return new Unusable("the chat template does not render here: " + errors.get(0).getMessage());
            }
            text = result.getOutput();
        } catch (RuntimeException e) {
            return new Unusable("the chat template does not render here: " + e.getMessage());
        }
        int q = once(text, QUESTION);
        int a = once(text, ATTEMPT);
        int i = once(text, INSTRUCTION);
        if (q < 0 || a < 0 || i < 0 || !(q < a && a < i)) {
            return new Unusable("the chat template does not write each turn's content once, in order");
        }
        String beforeQuestion = text.substring(0, q);
        String assistantOpen = text.substring(q + QUESTION.length(), a);
        String afterAttempt = text.substring(a + ATTEMPT.length(), i);
        String generationPrompt = text.substring(i + INSTRUCTION.length());
        if (!generationPrompt.equals(assistantOpen)) {
            return new Unusable("the chat template opens the two assistant turns differently ('" + assistantOpen + "', '" + generationPrompt + "')");
        }
        if (eosToken.isEmpty() || !afterAttempt.startsWith(eosToken)) {
            return new Unusable("an assistant turn does not end with the end token '" + eosToken + "' in the chat template");
        }
        // after the end token: whatever separates the turns, then the user turn's opening, which also precedes the question
        String afterEnd = afterAttempt.substring(eosToken.length());
        String userOpen = commonSuffix(beforeQuestion, afterEnd);
        if (userOpen.isEmpty()) {
            return new Unusable("the chat template opens the two user turns differently");
        }
        return new Rendered(new Layout(beforeQuestion.substring(0, beforeQuestion.length() - userOpen.length()), userOpen, assistantOpen,
                eosToken, afterEnd.substring(0, afterEnd.length() - userOpen.length())));
    }

    /** Where {@code marker} stands in {@code text} when it stands there exactly once, else -1. */
    private static int once(String text, String marker) {
        int at = text.indexOf(marker);
        return at >= 0 && text.indexOf(marker, at + 1) < 0 ? at : -1;
    }

    private static String commonSuffix(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(a.length() - 1 - n) == b.charAt(b.length() - 1 - n)) {
            n++;
        }
        return a.substring(a.length() - n);
    }
}
