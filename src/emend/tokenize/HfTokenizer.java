package emend.tokenize;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import emend.util.IntArrays;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face {@code tokenizer.json} (Llama, Qwen2 and the like), run by the Rust tokenizers library through
 * DJL's binding. Its chat layout comes from the chat template in tokenizer_config.json where Jinja can render it
 * ({@link JinjaChatLayout}); else it is guessed from the added tokens: ChatML ({@code <|im_start|>}, Qwen2), Llama 3
 * ({@code <|start_header_id|>}), or plain {@code User: / Assistant:} text closed by the tokenizer's end token.
 *
 * <p>As in Hugging Face, an added token written in text (e.g. {@code <|im_end|>} inside a question) encodes as
 * that token. The native tokenizer lives as long as this object; one is made per model directory loaded.
 */
public final class HfTokenizer implements Tokenizer {

    /** Prefix of {@link #kind()}; the rest is the directory the files are read from. */
    public static final String KIND_PREFIX = "hf-tokenizer:";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    public static final String CONFIG_FILE = "tokenizer_config.json";

    private final Path dir;
    private final byte[] tokenizerJson;
    private final Optional<byte[]> configJson;
    private final HuggingFaceTokenizer native_;
    private final int vocabSize;
    private final SpecialTokens specials;
    private final ChatTemplate template;
    private final String layoutSource;

    private HfTokenizer(Path dir, byte[] tokenizerJson, Optional<byte[]> configJson) throws IOException {
        this.dir = dir;
        this.tokenizerJson = tokenizerJson;
        this.configJson = configJson;
        JsonObject tokenizer = parse(tokenizerJson, TOKENIZER_FILE);
        JsonObject config = configJson.map(bytes -> parse(bytes, CONFIG_FILE)).orElseGet(JsonObject::new);
        Map<String, Integer> ids = tokenIds(tokenizer);
        this.vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        // no special tokens added by the tokenizer: the chat template places every control token itself
        this.native_ = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson),
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        Map<String, Integer> added = addedTokens(tokenizer);
        Optional<String> chatTemplate = chatTemplate(config);
        JinjaChatLayout.Result rendered = chatTemplate.map(text -> JinjaChatLayout.render(text, tokenText(config, "bos_token").orElse(""),
                tokenText(config, "eos_token").orElse(""))).orElse(new JinjaChatLayout.Unusable(CONFIG_FILE + " has no chat_template"));
        if (rendered instanceof JinjaChatLayout.Rendered jinja && ids.containsKey(jinja.layout().endOfTurn())) {
            JinjaChatLayout.Layout layout = jinja.layout();
            int end = ids.get(layout.endOfTurn());
            this.specials = new SpecialTokens(pad(config, ids, end), end);
            this.template = new ChatTemplate(encode(layout.start()), encode(layout.userOpen()), encode(layout.assistantOpen()),
                    encode(layout.betweenTurns()));
            this.layoutSource = "the chat template of " + dir.resolve(CONFIG_FILE) + " (rendered with Jinja; turns end with " + layout.endOfTurn() + ")";
            return;
        }
        String whyGuessed = rendered instanceof JinjaChatLayout.Unusable unusable ? unusable.reason()
                : "its end token " + tokenText(config, "eos_token").orElse("") + " is not one token of " + TOKENIZER_FILE;
        if (added.containsKey("<|im_start|>") && added.containsKey("<|im_end|>")) {
            int start = added.get("<|im_start|>");
            int end = added.get("<|im_end|>");
            this.specials = new SpecialTokens(pad(config, ids, end), end);
            this.template = new ChatTemplate(new int[0], IntArrays.concat(new int[] {start}, encode("user\n")),
                    IntArrays.concat(new int[] {end}, encode("\n"), new int[] {start}, encode("assistant\n")), encode("\n"));
            this.layoutSource = "ChatML, guessed from the added tokens (" + whyGuessed + ")";
        } else if (added.containsKey("<|start_header_id|>") && added.containsKey("<|end_header_id|>") && added.containsKey("<|eot_id|>")) {
            int header = added.get("<|start_header_id|>");
            int headerEnd = added.get("<|end_header_id|>");
            int end = added.get("<|eot_id|>");
            Integer begin = added.get("<|begin_of_text|>");
            this.specials = new SpecialTokens(pad(config, ids, end), end);
            this.template = new ChatTemplate(begin == null ? new int[0] : new int[] {begin},
                    IntArrays.concat(new int[] {header}, encode("user"), new int[] {headerEnd}, encode("\n\n")),
                    IntArrays.concat(new int[] {end, header}, encode("assistant"), new int[] {headerEnd}, encode("\n\n")), new int[0]);
            this.layoutSource = "Llama 3 headers, guessed from the added tokens (" + whyGuessed + ")";
        } else {
            int end = namedToken(config, "eos_token", ids, List.of("</s>", "<|endoftext|>", "<eos>"))
                    .orElseThrow(() -> new IllegalArgumentException(dir.resolve(TOKENIZER_FILE) + " has no end-of-turn token: looked for"
                            + " <|im_end|>, <|eot_id|>, " + CONFIG_FILE + "'s eos_token, </s>, <|endoftext|> and <eos>; add the model's"
                            + " end token as eos_token to " + CONFIG_FILE));
            Optional<Integer> begin = namedToken(config, "bos_token", ids, List.of("<s>"));
            this.specials = new SpecialTokens(pad(config, ids, end), end);
            this.template = new ChatTemplate(begin.map(b -> new int[] {b}).orElse(new int[0]), encode("User: "),
                    encode("\nAssistant: "), encode("\n"));
            this.layoutSource = "plain User: / Assistant: text, guessed (" + whyGuessed + ")";
        }
    }

    /**
     * Reads {@code dir/tokenizer.json} and, where present, {@code dir/tokenizer_config.json}.
     *
     * @throws IllegalArgumentException naming the file that is missing or malformed
     */
    public static HfTokenizer load(Path dir) {
        Path file = dir.resolve(TOKENIZER_FILE);
        try {
            byte[] tokenizer = Files.readAllBytes(file);
            Path config = dir.resolve(CONFIG_FILE);
            return new HfTokenizer(dir.toAbsolutePath().normalize(), tokenizer,
                    Files.exists(config) ? Optional.of(Files.readAllBytes(config)) : Optional.empty());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(dir + " has no " + TOKENIZER_FILE + ": copy the model's tokenizer.json next to its"
                    + " config.json (Emend reads Hugging Face fast tokenizers only)", e);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("cannot load the tokenizer in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public SpecialTokens specials() {
        return specials;
    }

    @Override
    public ChatTemplate chatTemplate() {
        return template;
    }

    @Override
    public String layoutSource() {
        return layoutSource;
    }

    @Override
    public int[] encode(String text) {
        long[] ids = native_.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /**
     * Ids past the tokenizer's vocabulary (the rows real checkpoints pad their embeddings with, which a sampled
     * model can still emit) decode to nothing, as in Hugging Face.
     */
    @Override
    public String decode(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("token id " + ids[i] + " is negative");
            }
            wide[i] = ids[i];
        }
        return native_.decode(wide, false);
    }

    /** {@value #KIND_PREFIX} and the directory it was loaded from (workers on other nodes read it there). */
    @Override
    public String kind() {
        return KIND_PREFIX + dir;
    }

    @Override
    public void saveFiles(Path target) throws IOException {
        Files.write(target.resolve(TOKENIZER_FILE), tokenizerJson);
        if (configJson.isPresent()) {
            Files.write(target.resolve(CONFIG_FILE), configJson.get());
        }
    }

    private static JsonObject parse(byte[] json, String name) {
        try {
            return JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(name + " is not a JSON object (" + e.getMessage() + ")", e);
        }
    }

    /** Every token and its id: the model's vocabulary (an object for BPE/WordPiece/WordLevel, a list for Unigram) and the added tokens. */
    private static Map<String, Integer> tokenIds(JsonObject tokenizer) {
        Map<String, Integer> ids = new HashMap<>();
        JsonElement model = tokenizer.has("model") ? tokenizer.getAsJsonObject("model").get("vocab") : null;
        if (model != null && model.isJsonObject()) {
            model.getAsJsonObject().entrySet().forEach(e -> ids.put(e.getKey(), e.getValue().getAsInt()));
        } else if (model != null && model.isJsonArray()) {
            for (int i = 0; i < model.getAsJsonArray().size(); i++) {
                ids.put(model.getAsJsonArray().get(i).getAsJsonArray().get(0).getAsString(), i);
            }
        } else {
            throw new IllegalArgumentException(TOKENIZER_FILE + " has no model.vocab: not a Hugging Face fast tokenizer file");
        }
        ids.putAll(addedTokens(tokenizer));
        return ids;
    }

    private static Map<String, Integer> addedTokens(JsonObject tokenizer) {
        Map<String, Integer> added = new HashMap<>();
        if (tokenizer.has("added_tokens")) {
            tokenizer.getAsJsonArray("added_tokens").forEach(t ->
                    added.put(t.getAsJsonObject().get("content").getAsString(), t.getAsJsonObject().get("id").getAsInt()));
        }
        return added;
    }

    /** A token named in tokenizer_config.json (a string or {@code {"content": ...}}), else the first fallback the vocabulary has. */
    private static Optional<Integer> namedToken(JsonObject config, String field, Map<String, Integer> ids, List<String> fallbacks) {
        JsonElement e = config.get(field);
        if (e != null && !e.isJsonNull()) {
            String name = e.isJsonObject() ? e.getAsJsonObject().get("content").getAsString() : e.getAsString();
            if (ids.containsKey(name)) {
                return Optional.of(ids.get(name));
            }
        }
        return fallbacks.stream().filter(ids::containsKey).findFirst().map(ids::get);
    }

    /** The text of a named token in tokenizer_config.json (a string, or an object with its content). */
    private static Optional<String> tokenText(JsonObject config, String field) {
        JsonElement e = config.get(field);
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        return Optional.of(e.isJsonObject() ? e.getAsJsonObject().get("content").getAsString() : e.getAsString());
    }

    /** tokenizer_config.json's chat template: a string, or a list of named templates of which "default" is taken. */
    private static Optional<String> chatTemplate(JsonObject config) {
        JsonElement e = config.get("chat_template");
        if (e == null || e.isJsonNull()) {
            return Optional.empty();
        }
        if (e.isJsonPrimitive()) {
            return Optional.of(e.getAsString());
        }
        if (e.isJsonArray()) {
            for (JsonElement named : e.getAsJsonArray()) {
                JsonObject o = named.getAsJsonObject();
                if (o.has("name") && o.get("name").getAsString().equals("default") && o.has("template")) {
                    return Optional.of(o.get("template").getAsString());
                }
            }
        }
        return Optional.empty();
    }

    private static int pad(JsonObject config, Map<String, Integer> ids, int eos) {
        return namedToken(config, "pad_token", ids, List.of()).orElse(eos);
    }
}
