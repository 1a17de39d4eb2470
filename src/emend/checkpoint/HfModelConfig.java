package emend.checkpoint;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.model.ModelConfig;
import emend.model.RopeScaling;
import java.util.ArrayList;
import java.util.List;
import emend.tokenize.SpecialTokens;

/**
 * {@link ModelConfig} as a Hugging Face {@code config.json} of a {@code LlamaForCausalLM} (or, with attention
 * biases, a {@code Qwen2ForCausalLM}), so the directory of an Emend checkpoint is also a model directory other
 * tools can read, and theirs load here. A field asking for anything the Emend transformer does not compute
 * (scaled rotary positions, sliding windows, other biases, another activation) is refused by name.
 */
public final class HfModelConfig {

    static final String LLAMA = "LlamaForCausalLM";
    static final String QWEN2 = "Qwen2ForCausalLM";

    private HfModelConfig() {}

    public static String toJson(ModelConfig config, SpecialTokens specials) {
        JsonObject o = new JsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add(config.attentionBias() ? QWEN2 : LLAMA);
        o.add("architectures", architectures);
        o.addProperty("model_type", config.attentionBias() ? "qwen2" : "llama");
        o.addProperty("vocab_size", config.vocabSize());
        o.addProperty("max_position_embeddings", config.contextLength());
        o.addProperty("hidden_size", config.width());
        o.addProperty("num_hidden_layers", config.layers());
        o.addProperty("num_attention_heads", config.heads());
        o.addProperty("num_key_value_heads", config.kvHeads());
        o.addProperty("intermediate_size", config.ffnWidth());
        o.addProperty("rope_theta", config.ropeTheta());
        if (!config.ropeScaling().equals(RopeScaling.NONE)) {
            RopeScaling r = config.ropeScaling();
            JsonObject scaling = new JsonObject();
            scaling.addProperty("rope_type", r.type());
            scaling.addProperty("factor", r.factor());
            if (r.type().equals("llama3")) {
                scaling.addProperty("low_freq_factor", r.lowFreqFactor());
                scaling.addProperty("high_freq_factor", r.highFreqFactor());
                scaling.addProperty("original_max_position_embeddings", r.originalMaxPositions());
            }
            o.add("rope_scaling", scaling);
        }
        o.addProperty("rms_norm_eps", config.normEps());
        o.addProperty("tie_word_embeddings", config.tiedEmbeddings());
        o.addProperty("hidden_act", "silu");
        if (config.attentionBias()) {
            o.addProperty("use_sliding_window", false);
        } else {
            o.addProperty("attention_bias", false);
            o.addProperty("mlp_bias", false);
        }
        o.addProperty("torch_dtype", "float32");
        o.addProperty("eos_token_id", specials.eos());
        o.addProperty("pad_token_id", specials.pad());
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    /**
     * Parses a Llama or Qwen2 config.json.
     *
     * @throws IllegalArgumentException naming the missing or unsupported field
     */
    public static ModelConfig fromJson(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        boolean qwen2 = isQwen2(o);
        String act = optionalString(o, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("config.json field hidden_act is '" + act + "'; only silu (SwiGLU) is supported");
        }
        if (!qwen2 && flag(o, "attention_bias")) {
            throw unsupported("attention_bias", "true", "biases on all four Llama attention projections are not computed");
        }
        if (flag(o, "mlp_bias")) {
            throw unsupported("mlp_bias", "true", "the SwiGLU MLP has no biases here");
        }
        if (qwen2 && flag(o, "use_sliding_window")) {
            throw unsupported("use_sliding_window", "true", "attention always sees the whole context here");
        }
        RopeScaling ropeScaling = ropeScaling(o.get("rope_scaling"));
        int heads = requiredInt(o, "num_attention_heads");
        int width = requiredInt(o, "hidden_size");
        if (o.has("head_dim") && !o.get("head_dim").isJsonNull() && o.get("head_dim").getAsInt() * heads != width) {
            throw unsupported("head_dim", o.get("head_dim").toString(), "the head dimension must be hidden_size / num_attention_heads = "
                    + width / heads);
        }
        return new ModelConfig(
                requiredInt(o, "vocab_size"),
                requiredInt(o, "max_position_embeddings"),
                width,
                requiredInt(o, "num_hidden_layers"),
                heads,
                o.has("num_key_value_heads") && !o.get("num_key_value_heads").isJsonNull() ? requiredInt(o, "num_key_value_heads") : heads,
                requiredInt(o, "intermediate_size"),
                o.has("rope_theta") ? o.get("rope_theta").getAsDouble() : 10_000,
                o.has("rms_norm_eps") ? o.get("rms_norm_eps").getAsDouble() : 1e-6,
                flag(o, "tie_word_embeddings"),
                qwen2,
                ropeScaling);
    }

    /** {@code rope_scaling}: absent or default, linear, or llama3 (Llama 3.1 / 3.2); other types are refused, named. */
    private static RopeScaling ropeScaling(JsonElement scaling) {
        if (scaling == null || scaling.isJsonNull()) {
            return RopeScaling.NONE;
        }
        if (!scaling.isJsonObject()) {
            throw unsupported("rope_scaling", scaling.toString(), "it must be an object with a rope_type");
        }
        JsonObject s = scaling.getAsJsonObject();
        String type = optionalString(s, "rope_type", optionalString(s, "type", "default"));
        try {
            return switch (type) {
                case "default" -> RopeScaling.NONE;
                case "linear" -> RopeScaling.linear(number(s, "factor"));
                case "llama3" -> RopeScaling.llama3(number(s, "factor"), number(s, "low_freq_factor"), number(s, "high_freq_factor"),
                        (int) number(s, "original_max_position_embeddings"));
                default -> throw unsupported("rope_scaling", scaling.toString(), "rotary scaling of type default, linear and llama3 is "
                        + "computed, not " + type);
            };
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("config.json") ? e
                    : new IllegalArgumentException("config.json field rope_scaling " + scaling + ": " + e.getMessage(), e);
        }
    }

    private static double number(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("it needs the number " + field);
        }
        return e.getAsDouble();
    }

    /** Whether the config names Qwen2 (biased query/key/value projections); refuses an architecture outside the Llama family. */
    private static boolean isQwen2(JsonObject o) {
        List<String> architectures = new ArrayList<>();
        if (o.has("architectures") && o.get("architectures").isJsonArray()) {
            o.getAsJsonArray("architectures").forEach(a -> architectures.add(a.getAsString()));
        }
        for (String a : architectures) {
            if (!a.equals(LLAMA) && !a.equals(QWEN2)) {
                throw unsupported("architectures", architectures.toString(), "Emend runs " + LLAMA + " and " + QWEN2);
            }
        }
        String type = optionalString(o, "model_type", architectures.contains(QWEN2) ? "qwen2" : "llama");
        if (!type.equals("llama") && !type.equals("qwen2")) {
            throw unsupported("model_type", "'" + type + "'", "Emend runs llama and qwen2 (" + LLAMA + ", " + QWEN2 + ")");
        }
        boolean qwen2 = type.equals("qwen2");
        if (!architectures.isEmpty() && !architectures.contains(qwen2 ? QWEN2 : LLAMA)) {
            throw new IllegalArgumentException("config.json fields architectures " + architectures + " and model_type '" + type
                    + "' disagree; fix one of them");
        }
        return qwen2;
    }

    private static IllegalArgumentException unsupported(String field, String value, String why) {
        return new IllegalArgumentException("config.json field " + field + " is " + value + ", which Emend does not support: " + why);
    }

    private static boolean flag(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e != null && !e.isJsonNull() && e.getAsBoolean();
    }

    private static int requiredInt(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("config.json lacks the field " + field);
        }
        return e.getAsInt();
    }

    private static String optionalString(JsonObject o, String field, String fallback) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? fallback : e.getAsString();
    }
}
