package emend.checkpoint;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.model.ModelConfig;
import emend.tokenize.SpecialTokens;

/**
 * {@link ModelConfig} as a Hugging Face {@code config.json} of a {@code LlamaForCausalLM}, so the directory of
 * an Emend checkpoint is also a model directory other tools can read.
 */
public final class HfModelConfig {

    private HfModelConfig() {}

    public static String toJson(ModelConfig config, SpecialTokens specials) {
        JsonObject o = new JsonObject();
        com.google.gson.JsonArray architectures = new com.google.gson.JsonArray();
        architectures.add("LlamaForCausalLM");
        o.add("architectures", architectures);
        o.addProperty("model_type", "llama");
        o.addProperty("vocab_size", config.vocabSize());
        o.addProperty("max_position_embeddings", config.contextLength());
        o.addProperty("hidden_size", config.width());
        o.addProperty("num_hidden_layers", config.layers());
        o.addProperty("num_attention_heads", config.heads());
        o.addProperty("num_key_value_heads", config.kvHeads());
        o.addProperty("intermediate_size", config.ffnWidth());
        o.addProperty("rope_theta", config.ropeTheta());
        o.addProperty("rms_norm_eps", config.normEps());
        o.addProperty("tie_word_embeddings", config.tiedEmbeddings());
        o.addProperty("hidden_act", "silu");
        o.addProperty("attention_bias", false);
        o.addProperty("torch_dtype", "float32");
        o.addProperty("bos_token_id", specials.bos());
        o.addProperty("eos_token_id", specials.eos());
        o.addProperty("pad_token_id", specials.pad());
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }

    /**
     * Parses a Llama-family config.json.
     *
     * @throws IllegalArgumentException naming the missing or unsupported field
     */
    public static ModelConfig fromJson(String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        String act = optionalString(o, "hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new IllegalArgumentException("config.json field hidden_act is '" + act + "'; only silu (SwiGLU) is supported");
        }
        int heads = requiredInt(o, "num_attention_heads");
        return new ModelConfig(
                requiredInt(o, "vocab_size"),
                requiredInt(o, "max_position_embeddings"),
                requiredInt(o, "hidden_size"),
                requiredInt(o, "num_hidden_layers"),
                heads,
                o.has("num_key_value_heads") ? requiredInt(o, "num_key_value_heads") : heads,
                requiredInt(o, "intermediate_size"),
                o.has("rope_theta") ? o.get("rope_theta").getAsDouble() : 10_000,
                o.has("rms_norm_eps") ? o.get("rms_norm_eps").getAsDouble() : 1e-6,
                o.has("tie_word_embeddings") && o.get("tie_word_embeddings").getAsBoolean());
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
