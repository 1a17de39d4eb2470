package emend.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.generate.Completion;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.model.AttentionMasks;
import emend.model.Transformer;
import emend.testing.HfModelFixture;
import emend.testing.TestModels;
import emend.tokenize.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class HfModelDirectoryTest {

    private static final int[] TOKENS = {7, 4, 11, 11, 14, 36, 48};

    @TempDir
    Path tmp;

    @Test
    void load_qwen2Shards_logitsEqualAnIndependentForwardPass() throws IOException {
        HfModelFixture.Model fixture = HfModelFixture.write(tmp.resolve("qwen"), HfModelFixture.qwen2Config(), 11);
        try (NDManager manager = TestModels.manager(); Checkpoint.Loaded loaded = Checkpoint.load(fixture.dir(), manager)) {
            assertTrue(loaded.weights().config().attentionBias());
            float[] actual = logits(new Transformer(loaded.weights()), manager, TOKENS);
            float[] expected = referenceLogits(fixture, TOKENS, f -> f);
            assertEquals(expected.length, actual.length);
            double scale = 0;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4, "logit " + i);
                scale = Math.max(scale, Math.abs(expected[i]));
            }
            assertTrue(scale > 1, "logits of size " + scale + " would let a wrong layer pass the tolerance");
        }
    }

    /** Llama 3.2's layout and rotary scaling, against the reference with Hugging Face's llama3 frequencies. */
    @Test
    void load_llama32WithLlama3RopeScaling_logitsEqualAnIndependentForwardPass() throws IOException {
        HfModelFixture.Model fixture = HfModelFixture.write(tmp.resolve("llama"), HfModelFixture.llama32Config(), 13);
        try (NDManager manager = TestModels.manager(); Checkpoint.Loaded loaded = Checkpoint.load(fixture.dir(), manager)) {
            assertEquals(emend.model.RopeScaling.llama3(8, 1, 4, 8192), loaded.weights().config().ropeScaling());
            float[] actual = logits(new Transformer(loaded.weights()), manager, TOKENS);
            float[] expected = referenceLogits(fixture, TOKENS, HfModelDirectoryTest::llama3Frequency);
            float[] unscaled = referenceLogits(fixture, TOKENS, f -> f);
            double moved = 0;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4, "logit " + i);
                moved = Math.max(moved, Math.abs(expected[i] - unscaled[i]));
            }
            assertTrue(moved > 1e-3, "the scaling changes the logits (by " + moved + "), so an unscaled model would fail");
            // saved in Hugging Face's layout, the scaling comes back
            Checkpoint.save(tmp.resolve("saved"), loaded.weights(), loaded.tokenizer(), 0, Map.of());
            try (Checkpoint.Loaded again = Checkpoint.load(tmp.resolve("saved"), manager)) {
                assertEquals(loaded.weights().config(), again.weights().config());
            }
        }
    }

    /** Hugging Face's {@code _compute_llama3_parameters} for factor 8, low 1, high 4, 8,192 original positions. */
    private static double llama3Frequency(double frequency) {
        double lowWavelength = 8192 / 1.0;
        double highWavelength = 8192 / 4.0;
        double wavelength = 2 * Math.PI / frequency;
        double scaled = wavelength > lowWavelength ? frequency / 8 : frequency;
        double smooth = (8192 / wavelength - 1.0) / (4.0 - 1.0);
        boolean medium = !(wavelength < highWavelength) && !(wavelength > lowWavelength);
        return medium ? (1 - smooth) * scaled / 8 + smooth * scaled : scaled;
    }

    @Test
    void generateSaveReload_isBitExactAndTransformersShaped() throws IOException {
        HfModelFixture.Model fixture = HfModelFixture.write(tmp.resolve("qwen"), HfModelFixture.qwen2Config(), 5);
        Path saved = tmp.resolve("saved");
        try (NDManager manager = TestModels.manager(); Checkpoint.Loaded loaded = Checkpoint.load(fixture.dir(), manager)) {
            int[] before = greedy(loaded);
            Checkpoint.save(saved, loaded.weights(), loaded.tokenizer(), 3, Map.of());
            JsonObject config = JsonParser.parseString(Files.readString(saved.resolve("config.json"))).getAsJsonObject();
            assertEquals("Qwen2ForCausalLM", config.getAsJsonArray("architectures").get(0).getAsString());
            assertArrayEquals(Files.readAllBytes(fixture.dir().resolve("tokenizer.json")), Files.readAllBytes(saved.resolve("tokenizer.json")));
            // without Emend's manifest the directory is a plain Hugging Face one; both ways load the same weights
            Path plain = tmp.resolve("plain");
            Files.createDirectories(plain);
            for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
                Files.copy(saved.resolve(file), plain.resolve(file));
            }
            for (Path dir : List.of(saved, plain)) {
                try (Checkpoint.Loaded again = Checkpoint.load(dir, manager)) {
                    assertEquals(loaded.weights().config(), again.weights().config());
                    for (String name : loaded.weights().tensors().keySet()) {
                        assertArrayEquals(loaded.weights().get(name).toFloatArray(), again.weights().get(name).toFloatArray(), name);
                    }
                    assertArrayEquals(before, greedy(again), "greedy tokens after reloading " + dir.getFileName());
                }
            }
        }
    }

    @Test
    void load_unsupportedArchitectureOrScaling_namesTheField() throws IOException {
        JsonObject mistral = HfModelFixture.qwen2Config();
        mistral.getAsJsonArray("architectures").set(0, new com.google.gson.JsonPrimitive("MistralForCausalLM"));
        mistral.addProperty("model_type", "mistral");
        assertRefused(mistral, "architectures");
        JsonObject scaled = HfModelFixture.qwen2Config();
        JsonObject scaling = new JsonObject();
        scaling.addProperty("rope_type", "dynamic");
        scaling.addProperty("factor", 8.0);
        scaled.add("rope_scaling", scaling);
        assertRefused(scaled, "rope_scaling");
        JsonObject headDim = HfModelFixture.qwen2Config();
        headDim.addProperty("head_dim", 8); // hidden_size 16 / 4 heads = 4
        assertRefused(headDim, "head_dim");
    }

    @Test
    void load_missingTensorOrTokenizer_namesIt() throws IOException {
        HfModelFixture.Model fixture = HfModelFixture.write(tmp.resolve("qwen"), HfModelFixture.qwen2Config(), 1);
        JsonObject llama = HfModelFixture.qwen2Config();
        llama.getAsJsonArray("architectures").set(0, new com.google.gson.JsonPrimitive("LlamaForCausalLM"));
        llama.addProperty("model_type", "llama");
        Files.writeString(fixture.dir().resolve("config.json"), llama.toString());
        try (NDManager manager = TestModels.manager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(fixture.dir(), manager));
            assertTrue(e.getMessage().contains("unexpected tensor model.layers.0.self_attn.q_proj.bias"), e.getMessage());
            Files.writeString(fixture.dir().resolve("config.json"), HfModelFixture.qwen2Config().toString());
            Files.delete(fixture.dir().resolve("tokenizer.json"));
            e = assertThrows(CheckpointException.class, () -> Checkpoint.load(fixture.dir(), manager));
            assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
        }
    }

    private void assertRefused(JsonObject config, String field) throws IOException {
        Path dir = tmp.resolve("refused-" + field);
        HfModelFixture.write(dir, config, 2);
        try (NDManager manager = TestModels.manager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, manager));
            assertTrue(e.getMessage().contains("field " + field), e.getMessage());
        }
    }

    private static int[] greedy(Checkpoint.Loaded loaded) {
        HfTokenizer tokenizer = (HfTokenizer) loaded.tokenizer();
        Generator generator = new Generator(new Transformer(loaded.weights()), tokenizer.specials().pad());
        Completion completion = generator.generate(List.of(TOKENS), new long[] {1},
                SamplingConfig.greedy(12, tokenizer.specials().eos())).get(0);
        return completion.tokens();
    }

    private static float[] logits(Transformer model, NDManager manager, int[] tokens) {
        int steps = tokens.length;
        NDArray input = manager.create(tokens, new Shape(1, steps));
        NDArray positions = manager.arange(0, steps, 1, DataType.INT32).reshape(1, steps);
        return model.logits(model.hidden(input, positions, AttentionMasks.causal(manager, steps), null)).toFloatArray();
    }

    /**
     * One Qwen2 or Llama layer in plain loops, written from the Hugging Face modeling code's definitions: RMSNorm,
     * q/k/v projections (biased when the model has biases), rotate-half rotary positions with theta from the config and
     * each frequency passed through {@code frequencyScaling}, causal attention with each key/value head serving a
     * contiguous group of query heads, SwiGLU, final norm, the output matrix (the embedding matrix when tied).
     */
    private static float[] referenceLogits(HfModelFixture.Model m, int[] tokens, java.util.function.DoubleUnaryOperator frequencyScaling) {
        int width = HfModelFixture.WIDTH;
        int heads = HfModelFixture.HEADS;
        int d = width / heads;
        int group = heads / HfModelFixture.KV_HEADS;
        int steps = tokens.length;
        String p = "model.layers.0.";
        double[][] x = new double[steps][];
        double[][] q = new double[steps][];
        double[][] k = new double[steps][];
        double[][] v = new double[steps][];
        for (int t = 0; t < steps; t++) {
            x[t] = row(m.get("model.embed_tokens.weight"), tokens[t], width);
            double[] h = rmsNorm(x[t], m.get(p + "input_layernorm.weight"));
            q[t] = rotate(biased(linear(m.get(p + "self_attn.q_proj.weight"), h, heads * d), m.get(p + "self_attn.q_proj.bias")), t, d,
                    frequencyScaling);
            k[t] = rotate(biased(linear(m.get(p + "self_attn.k_proj.weight"), h, HfModelFixture.KV_HEADS * d), m.get(p + "self_attn.k_proj.bias")),
                    t, d, frequencyScaling);
            v[t] = biased(linear(m.get(p + "self_attn.v_proj.weight"), h, HfModelFixture.KV_HEADS * d), m.get(p + "self_attn.v_proj.bias"));
        }
        float[] out = new float[steps * HfModelFixture.VOCAB];
        for (int t = 0; t < steps; t++) {
            double[] context = new double[heads * d];
            for (int head = 0; head < heads; head++) {
                int kvHead = head / group;
                double[] scores = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += q[t][head * d + i] * k[s][kvHead * d + i];
                    }
                    scores[s] = dot / Math.sqrt(d);
                    max = Math.max(max, scores[s]);
                }
                double total = 0;
                for (int s = 0; s <= t; s++) {
                    scores[s] = Math.exp(scores[s] - max);
                    total += scores[s];
                }
                for (int s = 0; s <= t; s++) {
                    for (int i = 0; i < d; i++) {
                        context[head * d + i] += scores[s] / total * v[s][kvHead * d + i];
                    }
                }
            }
            double[] residual = add(x[t], linear(m.get(p + "self_attn.o_proj.weight"), context, width));
            double[] h2 = rmsNorm(residual, m.get(p + "post_attention_layernorm.weight"));
            double[] gate = linear(m.get(p + "mlp.gate_proj.weight"), h2, HfModelFixture.FFN);
            double[] up = linear(m.get(p + "mlp.up_proj.weight"), h2, HfModelFixture.FFN);
            for (int i = 0; i < gate.length; i++) {
                gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            }
            double[] hidden = rmsNorm(add(residual, linear(m.get(p + "mlp.down_proj.weight"), gate, width)), m.get("model.norm.weight"));
            // tied embeddings: the output matrix is the embedding matrix
            float[] output = m.tensors().containsKey("lm_head.weight") ? m.get("lm_head.weight") : m.get("model.embed_tokens.weight");
            double[] logits = linear(output, hidden, HfModelFixture.VOCAB);
            for (int i = 0; i < logits.length; i++) {
                out[t * HfModelFixture.VOCAB + i] = (float) logits[i];
            }
        }
        return out;
    }

    private static double[] row(float[] matrix, int index, int width) {
        double[] out = new double[width];
        for (int i = 0; i < width; i++) {
            out[i] = matrix[index * width + i];
        }
        return out;
    }

    /** {@code W x} for W stored [out, in]. */
    private static double[] linear(float[] w, double[] x, int outputs) {
        double[] y = new double[outputs];
        for (int o = 0; o < outputs; o++) {
            for (int i = 0; i < x.length; i++) {
                y[o] += w[o * x.length + i] * x[i];
            }
        }
        return y;
    }

    private static double[] add(double[] a, float[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    private static double[] rmsNorm(double[] x, float[] weight) {
        double meanSquare = 0;
        for (double value : x) {
            meanSquare += value * value / x.length;
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] / Math.sqrt(meanSquare + HfModelFixture.NORM_EPS) * weight[i];
        }
        return out;
    }

    /** Rotate-half rotary positions on every head of {@code x} at position {@code t}. */
    /** {@code x + bias}, or {@code x} for a layer without biases (Llama). */
    private static double[] biased(double[] x, float[] bias) {
        return bias == null ? x : add(x, bias);
    }

    private static double[] rotate(double[] x, int t, int d, java.util.function.DoubleUnaryOperator frequencyScaling) {
        double[] out = x.clone();
        int half = d / 2;
        for (int head = 0; head < x.length / d; head++) {
            for (int i = 0; i < half; i++) {
                double angle = t * frequencyScaling.applyAsDouble(Math.pow(HfModelFixture.ROPE_THETA, -2.0 * i / d));
                double a = x[head * d + i];
                double b = x[head * d + i + half];
                out[head * d + i] = a * Math.cos(angle) - b * Math.sin(angle);
                out[head * d + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
            }
        }
        return out;
    }
}
