package emend.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import emend.task.Dialogue;
import emend.testing.HfModelFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class HfTokenizerTest {

    private static final int CHARS = HfModelFixture.CHARACTERS.length();

    @TempDir
    Path tmp;

    @Test
    void encodeDecode_roundTripsText() throws IOException {
        HfModelFixture.writeTokenizer(tmp, HfModelFixture.CHATML, "<|im_end|>");
        HfTokenizer tokenizer = HfTokenizer.load(tmp);
        String text = "solve 3*x+4=19.\nx = 5";
        int[] ids = tokenizer.encode(text);
        assertEquals(text.length(), ids.length);
        assertEquals(HfModelFixture.CHARACTERS.indexOf('s'), ids[0]);
        assertEquals(text, tokenizer.decode(ids));
        assertEquals(CHARS + 3, tokenizer.vocabSize());
        // an id of the model's padded embedding rows, past the tokenizer's, decodes to nothing as in Hugging Face
        assertEquals("ab", tokenizer.decode(new int[] {0, HfModelFixture.VOCAB - 1, 1}));
    }

    @Test
    void chatMlTokens_layTheDialogueOutAsQwen2Does() throws IOException {
        HfModelFixture.writeTokenizer(tmp, HfModelFixture.CHATML, null);
        HfTokenizer tokenizer = HfTokenizer.load(tmp);
        assertEquals(CHARS + 2, tokenizer.specials().eos()); // <|im_end|>
        Dialogue dialogue = new Dialogue(tokenizer, "check it");
        int[] prompt = dialogue.turnOnePrompt("2+2?");
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n", tokenizer.decode(prompt));
        int[] second = dialogue.turnTwoPrompt(prompt, dialogue.attemptTokens("4"));
        assertEquals("<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\ncheck it<|im_end|>\n<|im_start|>assistant\n", tokenizer.decode(second));
        assertEquals("4", dialogue.attemptText(dialogue.attemptTokens("4")));
    }

    @Test
    void llama3Tokens_layTheDialogueOutAsLlama3Does() throws IOException {
        HfModelFixture.writeTokenizer(tmp, List.of("<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"), null);
        HfTokenizer tokenizer = HfTokenizer.load(tmp);
        assertEquals(CHARS + 3, tokenizer.specials().eos());
        Dialogue dialogue = new Dialogue(tokenizer, "again");
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
                tokenizer.decode(dialogue.turnOnePrompt("hi")));
    }

    /** A Zephyr/TinyLlama-style template: role tags as added tokens, every turn closed by the end token. */
    private static final String TAGGED_TEMPLATE = "{% for message in messages %}{% if message['role'] == 'user' %}"
            + "{{ '<|user|>\n' + message['content'] + eos_token + '\n' }}{% elif message['role'] == 'assistant' %}"
            + "{{ '<|assistant|>\n' + message['content'] + eos_token + '\n' }}{% endif %}"
            + "{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}{% endfor %}";

    /** A Qwen2.5-style template: ChatML with a default system turn when the dialogue has none. */
    private static final String SYSTEM_TEMPLATE = "{%- if messages[0].role == 'system' %}{{- '<|im_start|>system\n' + messages[0].content"
            + " + '<|im_end|>\n' }}{%- else %}{{- '<|im_start|>system\nyou are helpful.<|im_end|>\n' }}{%- endif %}"
            + "{%- for message in messages %}{%- if message.role != 'system' %}{{- '<|im_start|>' + message.role + '\n' + message.content"
            + " + '<|im_end|>\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}";

    @Test
    void aChatTemplateThatRenders_laysTheDialogueOut_whereTheAddedTokensWouldBeMisread() throws IOException {
        HfModelFixture.writeTokenizer(tmp, List.of("</s>", "<|user|>", "<|assistant|>"), "</s>", TAGGED_TEMPLATE);
        HfTokenizer tokenizer = HfTokenizer.load(tmp);
        assertEquals(CHARS, tokenizer.specials().eos()); // </s>
        Dialogue dialogue = new Dialogue(tokenizer, "check it");
        int[] prompt = dialogue.turnOnePrompt("2+2?");
        assertEquals("<|user|>\n2+2?</s>\n<|assistant|>\n", tokenizer.decode(prompt));
        assertEquals("<|user|>\n2+2?</s>\n<|assistant|>\n4</s>\n<|user|>\ncheck it</s>\n<|assistant|>\n",
                tokenizer.decode(dialogue.turnTwoPrompt(prompt, dialogue.attemptTokens("4"))));
        assertTrue(tokenizer.layoutSource().startsWith("the chat template of"), tokenizer.layoutSource());
        // written over several lines, as published templates are: rendered as Hugging Face does, block tags leave no newline
        Path multiline = tmp.resolve("multiline");
        java.nio.file.Files.createDirectories(multiline);
        HfModelFixture.writeTokenizer(multiline, List.of("</s>", "<|user|>", "<|assistant|>"), "</s>", TAGGED_TEMPLATE.replace("%}", "%}\n"));
        HfTokenizer fromLines = HfTokenizer.load(multiline);
        assertEquals(tokenizer.decode(prompt), fromLines.decode(new Dialogue(fromLines, "check it").turnOnePrompt("2+2?")));
    }

    @Test
    void aDefaultSystemTurnOfTheTemplate_opensEveryDialogue() throws IOException {
        HfModelFixture.writeTokenizer(tmp, HfModelFixture.CHATML, "<|im_end|>", SYSTEM_TEMPLATE);
        HfTokenizer tokenizer = HfTokenizer.load(tmp);
        Dialogue dialogue = new Dialogue(tokenizer, "check it");
        int[] prompt = dialogue.turnOnePrompt("2+2?");
        assertEquals("<|im_start|>system\nyou are helpful.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n",
                tokenizer.decode(prompt));
        assertEquals("<|im_start|>system\nyou are helpful.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n4<|im_end|>\n"
                + "<|im_start|>user\ncheck it<|im_end|>\n<|im_start|>assistant\n", tokenizer.decode(dialogue.turnTwoPrompt(prompt,
                dialogue.attemptTokens("4"))));
    }

    @Test
    void aTemplateThatCannotRenderHere_fallsBackToTheGuessAndSaysWhy() throws IOException {
        HfModelFixture.writeTokenizer(tmp, HfModelFixture.CHATML, "<|im_end|>", "{{ strftime_now('%d %b %Y') }}{% for m in messages %}{{ m.content }}");
        HfTokenizer tokenizer = HfTokenizer.load(tmp);
        assertEquals("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n", tokenizer.decode(new Dialogue(tokenizer, "x").turnOnePrompt("hi")));
        assertTrue(tokenizer.layoutSource().startsWith("ChatML, guessed") && tokenizer.layoutSource().contains("does not render"),
                tokenizer.layoutSource());
    }

    @Test
    void plainTokenizer_usesTheConfiguredEndToken_andRefusesNone() throws IOException {
        HfModelFixture.writeTokenizer(tmp, List.of("<s>", "</s>", "<pad>"), "</s>");
        HfTokenizer tokenizer = HfTokenizer.load(tmp);
        assertEquals(CHARS + 1, tokenizer.specials().eos());
        assertArrayEquals(new int[] {CHARS}, tokenizer.chatTemplate().start());
        Path none = tmp.resolve("none");
        java.nio.file.Files.createDirectories(none);
        HfModelFixture.writeTokenizer(none, List.of("<unk>"), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HfTokenizer.load(none));
        assertTrue(e.getMessage().contains("eos_token"), e.getMessage());
    }
}
