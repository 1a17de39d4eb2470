package emend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import emend.engine.DjlRuntime;
import emend.engine.TensorSlices;
import emend.testing.TestModels;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The scripted decoding step against the operator path it is written from: the same logits and cache, bit for bit. */
final class DecodeStepScriptTest {

    private static final int[] PADS = {0, 2, 1};
    private static final int PROMPT = 5;
    private static final int NEW_TOKENS = 6;

    static Stream<ModelConfig> shapes() {
        return Stream.of(
                new ModelConfig(23, 24, 32, 2, 4, 4, 48, 10_000, 1e-5, true),           // tied output, full attention heads
                new ModelConfig(23, 24, 32, 2, 4, 2, 48, 10_000, 1e-5, false),          // grouped-query attention, own output matrix
                new ModelConfig(23, 24, 32, 2, 4, 2, 48, 1_000_000, 1e-6, false, true)); // Qwen2: attention biases
    }

    /** Every tensor random (norms and biases too, which initialisation leaves at 1 and 0), so each one shows in the logits. */
    private static Weights randomWeights(ModelConfig config, NDManager parent, long seed) {
        NDManager manager = parent.newSubManager();
        Random random = new Random(seed);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        config.parameterShapes().forEach((name, shape) -> {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * 0.3 + (shape.dimension() == 1 && !name.endsWith(".bias") ? 1 : 0));
            }
            tensors.put(name, Tensors.copyOf(manager, values, shape));
        });
        return Weights.of(config, manager, tensors);
    }

    private static NDArray positions(NDManager manager, int start, int steps) {
        int[] out = new int[PADS.length * steps];
        for (int b = 0; b < PADS.length; b++) {
            for (int t = 0; t < steps; t++) {
                out[b * steps + t] = Math.max(0, start + t - PADS[b]);
            }
        }
        return Tensors.copyOf(manager, out, new Shape(PADS.length, steps));
    }

    private static NDArray tokens(NDManager manager, Random random, int vocab, int steps) {
        return Tensors.copyOf(manager, random.ints((long) PADS.length * steps, 0, vocab).toArray(), new Shape(PADS.length, steps));
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void aScriptedStep_givesTheOperatorPathsLogitsAndCache_bitForBit(ModelConfig config) {
        try (NDManager manager = TestModels.manager();
             Weights weights = randomWeights(config, manager, 11);
             KvCache operators = new KvCache(manager, config, PADS.length, PROMPT + NEW_TOKENS);
             KvCache scripted = new KvCache(manager, config, PADS.length, PROMPT + NEW_TOKENS);
             NDScope scope = new NDScope()) {
            Transformer model = new Transformer(weights);
            Random random = new Random(5);
            NDArray prompt = tokens(manager, random, config.vocabSize(), PROMPT);
            NDArray promptMask = AttentionMasks.leftPadded(manager, PADS, 0, PROMPT, PROMPT);
            model.hidden(prompt, positions(manager, 0, PROMPT), promptMask, operators);
            model.hidden(prompt, positions(manager, 0, PROMPT), promptMask, scripted);
            float[] previous = null;
            for (int step = 0; step < NEW_TOKENS; step++) {
                int start = PROMPT + step;
                NDArray next = tokens(manager, random, config.vocabSize(), 1);
                NDArray mask = AttentionMasks.leftPadded(manager, PADS, start, 1, start + 1);
                NDArray hidden = model.hidden(next, positions(manager, start, 1), mask, operators);
                float[] want = model.logits(TensorSlices.view(hidden, 1, 0, 1).squeeze(1)).toFloatArray();
                float[] got = model.nextLogits(next, positions(manager, start, 1), mask, scripted).toFloatArray();
                assertArrayEquals(want, got, "step " + step);
                assertEquals(PADS.length * config.vocabSize(), got.length);
                assertFalse(previous != null && Arrays.equals(previous, got), "the logits moved with the new token");
                previous = got;
            }
            assertEquals(operators.length(), scripted.length());
            for (int layer = 0; layer < config.layers(); layer++) {
                assertArrayEquals(operators.keyBuffers()[layer].toFloatArray(), scripted.keyBuffers()[layer].toFloatArray(), "keys of layer " + layer);
                assertArrayEquals(operators.valueBuffers()[layer].toFloatArray(), scripted.valueBuffers()[layer].toFloatArray(), "values of layer " + layer);
            }
        }
    }

    /** Six one-token steps after a prompt, through {@link Transformer#nextLogits}: every step's logits, concatenated. */
    private static float[] decode(ModelConfig config, Weights weights, long tokenSeed) {
        try (NDManager manager = weights.manager().newSubManager();
             KvCache cache = new KvCache(manager, config, PADS.length, PROMPT + NEW_TOKENS);
             NDScope scope = new NDScope()) {
            Transformer model = new Transformer(weights);
            Random random = new Random(tokenSeed);
            model.hidden(tokens(manager, random, config.vocabSize(), PROMPT), positions(manager, 0, PROMPT),
                    AttentionMasks.leftPadded(manager, PADS, 0, PROMPT, PROMPT), cache);
            float[] all = new float[NEW_TOKENS * PADS.length * config.vocabSize()];
            for (int step = 0; step < NEW_TOKENS; step++) {
                int start = PROMPT + step;
                float[] logits = model.nextLogits(tokens(manager, random, config.vocabSize(), 1), positions(manager, start, 1),
                        AttentionMasks.leftPadded(manager, PADS, start, 1, start + 1), cache).toFloatArray();
                System.arraycopy(logits, 0, all, step * logits.length, logits.length);
            }
            return all;
        }
    }

    @Test
    void modelThreadsShareTheScriptedModule_eachGettingWhatItGetsAlone() throws Exception {
        ModelConfig config = shapes().toList().get(1);
        try (NDManager manager = TestModels.manager();
             Weights first = randomWeights(config, manager, 21);
             Weights second = randomWeights(config, manager, 22)) {
            float[] firstAlone = decode(config, first, 1);
            float[] secondAlone = decode(config, second, 2);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 5; round++) {
                    Future<float[]> a = threads.submit(() -> {
                        DjlRuntime.gradientsOffOnThisThread();
                        return decode(config, first, 1);
                    });
                    Future<float[]> b = threads.submit(() -> {
                        DjlRuntime.gradientsOffOnThisThread();
                        return decode(config, second, 2);
                    });
                    assertArrayEquals(firstAlone, a.get(), "round " + round);
                    assertArrayEquals(secondAlone, b.get(), "round " + round);
                }
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void aFullCache_isRefusedAsTheOperatorPathRefusesIt(ModelConfig config) {
        try (NDManager manager = TestModels.manager();
             Weights weights = randomWeights(config, manager, 3);
             KvCache cache = new KvCache(manager, config, PADS.length, 1);
             NDScope scope = new NDScope()) {
            Transformer model = new Transformer(weights);
            Random random = new Random(1);
            model.nextLogits(tokens(manager, random, config.vocabSize(), 1), positions(manager, 0, 1),
                    AttentionMasks.leftPadded(manager, PADS, 0, 1, 1), cache);
            IllegalStateException full = assertThrows(IllegalStateException.class, () -> model.nextLogits(tokens(manager, random, config.vocabSize(), 1),
                    positions(manager, 1, 1), AttentionMasks.leftPadded(manager, PADS, 1, 1, 2), cache));
            assertEquals("KV cache overflow: 2 positions, capacity 1", full.getMessage());
        }
    }
}
