package emend.testing;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Tiny Hugging Face model directories written from scratch, as transformers' save_pretrained lays them out: a
 * config.json, weights in two safetensors shards (the first bfloat16, the second float32) named by
 * model.safetensors.index.json, and a character-level BPE tokenizer.json with ChatML's added tokens. The writer
 * here is independent of Emend's own safetensors code, so a test reads what another tool would have written.
 */
public final class HfModelFixture {

    /** The tokenizer's characters, ids 0..; the added tokens follow. */
    public static final String CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789 .,:?=+-*\n";
    public static final List<String> CHATML = List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
    /** Larger than the tokenizer's ids, as real checkpoints pad their embedding matrices. */
    public static final int VOCAB = 64;
    public static final int WIDTH = 16;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;
    public static final int FFN = 16;
    public static final double ROPE_THETA = 500_000;
    public static final double NORM_EPS = 1e-6;

    /** A written model: its directory and every tensor's values (exactly what the files hold). */
    public record Model(Path dir, Map<String, float[]> tensors) {
        public float[] get(String name) {
            return tensors.get(name);
        }
    }

    private HfModelFixture() {}

    /** One Qwen2 layer: query/key/value biases, untied output matrix, 4 query heads in pairs on 2 key/value heads. */
    public static JsonObject qwen2Config() {
        JsonObject c = new JsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add("Qwen2ForCausalLM");
        c.add("architectures", architectures);
        c.addProperty("model_type", "qwen2");
        c.addProperty("vocab_size", VOCAB);
        c.addProperty("hidden_size", WIDTH);
        c.addProperty("num_hidden_layers", 1);
        c.addProperty("num_attention_heads", HEADS);
        c.addProperty("num_key_value_heads", KV_HEADS);
        c.addProperty("intermediate_size", FFN);
        c.addProperty("max_position_embeddings", 64);
        c.addProperty("rope_theta", ROPE_THETA);
        c.addProperty("rms_norm_eps", NORM_EPS);
        c.addProperty("tie_word_embeddings", false);
        c.addProperty("hidden_act", "silu");
        c.addProperty("use_sliding_window", false);
        c.addProperty("torch_dtype", "bfloat16");
        return c;
    }

    /**
     * One Llama 3.2-style layer: no biases, tied embeddings, 4 query heads on 2 key/value heads, and Llama 3's rotary
     * scaling (factor 8 over an original 8,192 positions: of the head's two frequencies, the slow one falls in the
     * blended band).
     */
    public static JsonObject llama32Config() {
        JsonObject c = qwen2Config();
        c.getAsJsonArray("architectures").set(0, new com.google.gson.JsonPrimitive("LlamaForCausalLM"));
        c.addProperty("model_type", "llama");
        c.remove("use_sliding_window");
        c.addProperty("attention_bias", false);
        c.addProperty("mlp_bias", false);
        c.addProperty("tie_word_embeddings", true);
        JsonObject scaling = new JsonObject();
        scaling.addProperty("factor", 8.0);
        scaling.addProperty("low_freq_factor", 1.0);
        scaling.addProperty("high_freq_factor", 4.0);
        scaling.addProperty("original_max_position_embeddings", 8192);
        scaling.addProperty("rope_type", "llama3");
        c.add("rope_scaling", scaling);
        return c;
    }

    /** Writes {@code config} with random weights of its shapes and the ChatML tokenizer into {@code dir}. */
    public static Model write(Path dir, JsonObject config, long seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), new Gson().toJson(config));
        writeTokenizer(dir, CHATML, "<|im_end|>");
        Map<String, long[]> shapes = shapes(config);
        Random random = new Random(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(shapes.keySet());
        int half = names.size() / 2;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            float[] values = new float[Math.toIntExact(product(shapes.get(name)))];
            for (int j = 0; j < values.length; j++) {
                double v = name.endsWith("norm.weight") ? 1 + 0.2 * random.nextGaussian() : 0.5 * random.nextGaussian();
                values[j] = i < half ? roundToBf16((float) v) : (float) v;
            }
            tensors.put(name, values);
        }
        JsonObject weightMap = new JsonObject();
        Map<String, float[]> first = new LinkedHashMap<>();
        Map<String, float[]> second = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            (i < half ? first : second).put(names.get(i), tensors.get(names.get(i)));
            weightMap.addProperty(names.get(i), i < half ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        writeSafetensors(dir.resolve("model-00001-of-00002.safetensors"), first, shapes, true);
        writeSafetensors(dir.resolve("model-00002-of-00002.safetensors"), second, shapes, false);
        JsonObject index = new JsonObject();
        index.add("metadata", new JsonObject());
        index.add("weight_map", weightMap);
        Files.writeString(dir.resolve("model.safetensors.index.json"), new Gson().toJson(index));
        return new Model(dir, tensors);
    }

    /** A character-level BPE tokenizer.json with {@code added} tokens after the characters, and eos_token in tokenizer_config.json. */
    public static void writeTokenizer(Path dir, List<String> added, String eosToken) throws IOException {
        writeTokenizer(dir, added, eosToken, null);
    }

    /** As above, with {@code chatTemplate} (Jinja) as tokenizer_config.json's chat_template when not null. */
    public static void writeTokenizer(Path dir, List<String> added, String eosToken, String chatTemplate) throws IOException {
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < CHARACTERS.length(); i++) {
            vocab.addProperty(String.valueOf(CHARACTERS.charAt(i)), i);
        }
        JsonArray addedTokens = new JsonArray();
        for (int i = 0; i < added.size(); i++) {
            int id = CHARACTERS.length() + i;
            vocab.addProperty(added.get(i), id);
            JsonObject t = new JsonObject();
            t.addProperty("id", id);
            t.addProperty("content", added.get(i));
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            addedTokens.add(t);
        }
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("vocab", vocab);
        model.add("merges", new JsonArray());
        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "Fuse");
        JsonObject tokenizer = new JsonObject();
        tokenizer.addProperty("version", "1.0");
        tokenizer.add("added_tokens", addedTokens);
        tokenizer.add("decoder", decoder);
        tokenizer.add("model", model);
        Files.writeString(dir.resolve("tokenizer.json"), new Gson().toJson(tokenizer));
        JsonObject config = new JsonObject();
        if (eosToken != null) {
            config.addProperty("eos_token", eosToken);
        }
        if (chatTemplate != null) {
            config.addProperty("chat_template", chatTemplate);
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), new Gson().toJson(config));
    }

    /** The tensors of a Llama/Qwen2 config in Hugging Face's names and shapes ([out, in] for projections). */
    private static Map<String, long[]> shapes(JsonObject c) {
        int width = c.get("hidden_size").getAsInt();
        int heads = c.get("num_attention_heads").getAsInt();
        int kv = c.get("num_key_value_heads").getAsInt();
        int d = width / heads;
        int ffn = c.get("intermediate_size").getAsInt();
        int vocab = c.get("vocab_size").getAsInt();
        boolean bias = c.get("model_type").getAsString().equals("qwen2");
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {vocab, width});
        for (int i = 0; i < c.get("num_hidden_layers").getAsInt(); i++) {
            String p = "model.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[] {width});
            s.put(p + "self_attn.q_proj.weight", new long[] {(long) heads * d, width});
            s.put(p + "self_attn.k_proj.weight", new long[] {(long) kv * d, width});
            s.put(p + "self_attn.v_proj.weight", new long[] {(long) kv * d, width});
            if (bias) {
                s.put(p + "self_attn.q_proj.bias", new long[] {(long) heads * d});
                s.put(p + "self_attn.k_proj.bias", new long[] {(long) kv * d});
                s.put(p + "self_attn.v_proj.bias", new long[] {(long) kv * d});
            }
            s.put(p + "self_attn.o_proj.weight", new long[] {width, (long) heads * d});
            s.put(p + "post_attention_layernorm.weight", new long[] {width});
            s.put(p + "mlp.gate_proj.weight", new long[] {ffn, width});
            s.put(p + "mlp.up_proj.weight", new long[] {ffn, width});
            s.put(p + "mlp.down_proj.weight", new long[] {width, ffn});
        }
        s.put("model.norm.weight", new long[] {width});
        if (!c.get("tie_word_embeddings").getAsBoolean()) {
            s.put("lm_head.weight", new long[] {vocab, width});
        }
        return s;
    }

    private static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes, boolean bf16) throws IOException {
        JsonObject header = new JsonObject();
        JsonObject metadata = new JsonObject();
        metadata.addProperty("format", "pt");
        header.add("__metadata__", metadata);
        int width = bf16 ? 2 : 4;
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", bf16 ? "BF16" : "F32");
            JsonArray shape = new JsonArray();
            for (long dim : shapes.get(e.getKey())) {
                shape.add(dim);
            }
            entry.add("shape", shape);
            JsonArray range = new JsonArray();
            range.add(offset);
            offset += (long) e.getValue().length * width;
            range.add(offset);
            entry.add("data_offsets", range);
            header.add(e.getKey(), entry);
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (float[] values : tensors.values()) {
            for (float v : values) {
                if (bf16) {
                    out.putShort((short) (Float.floatToIntBits(v) >>> 16));
                } else {
                    out.putFloat(v);
                }
            }
        }
        try (OutputStream stream = Files.newOutputStream(file)) {
            stream.write(out.array());
        }
    }

    /** The float nearest below in magnitude that bfloat16 holds exactly (the top 16 bits). */
    private static float roundToBf16(float v) {
        return Float.intBitsToFloat(Float.floatToIntBits(v) & 0xFFFF0000);
    }

    private static long product(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
