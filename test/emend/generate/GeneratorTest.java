package emend.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import emend.model.ModelConfig;
import emend.model.SequenceScorer;
import emend.model.Transformer;
import emend.testing.TestModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class GeneratorTest {

    private static final int PAD = 0;
    private static final int STOP = 2;
    private static final List<int[]> PROMPTS = List.of(new int[] {1, 5, 6}, new int[] {1, 7, 8, 9, 10, 11}, new int[] {1});

    @Test
    void cachedDecoder_matchesFullRecompute_logitsAtEveryStep() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 64), 11);
            int[] pads = {3, 0, 5};
            int[] prompt = {PAD, PAD, PAD, 1, 5, 6, 1, 7, 8, 9, 10, 11, PAD, PAD, PAD, PAD, PAD, 1};
            try (CachedDecoder cached = new CachedDecoder(model, manager, pads, 40);
                 RecomputeDecoder full = new RecomputeDecoder(model, manager, pads, 40)) {
                int[] input = prompt;
                int steps = 6;
                for (int n = 0; n < 20; n++) {
                    try (NDScope scope = new NDScope()) {
                        scope.suppressNotUsedWarning();
                        float[] a = cached.next(input, steps).toFloatArray();
                        float[] b = full.next(input, steps).toFloatArray();
                        assertArrayEquals(b, a, 1e-5f, "step " + n);
                    }
                    input = new int[] {(n * 7) % 20, (n * 3 + 1) % 20, (n * 5 + 2) % 20};
                    steps = 1;
                }
            }
        }
    }

    @Test
    void generate_greedyWithCache_sameTokensAsRecompute() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 64), 5);
            SamplingConfig greedy = SamplingConfig.greedy(30, STOP);
            long[] seeds = {1, 2, 3};
            List<Completion> cached = new Generator(model, PAD, true).generate(PROMPTS, seeds, greedy);
            List<Completion> full = new Generator(model, PAD, false).generate(PROMPTS, seeds, greedy);
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertArrayEquals(full.get(i).tokens(), cached.get(i).tokens(), "row " + i);
                assertArrayEquals(full.get(i).logProbs(), cached.get(i).logProbs(), 1e-5f, "row " + i);
            }
        }
    }

    /** The learner scores rollouts at their sampling temperature: its log-probs must be the sampler's. */
    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.5})
    void generate_sampledLogProbs_equalScoringPathLogProbsAtTheSamplingTemperature(double temperature) {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 64), 9);
            List<Completion> completions = new Generator(model, PAD)
                    .generate(PROMPTS, new long[] {10, 20, 30}, SamplingConfig.sampled(temperature, 25, STOP));
            for (int i = 0; i < PROMPTS.size(); i++) {
                int[] prompt = PROMPTS.get(i);
                Completion completion = completions.get(i);
                assertTrue(completion.length() > 0);
                int[] sequence = concat(prompt, completion.tokens());
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray tokens = manager.create(sequence, new Shape(1, sequence.length));
                    float[] scored = SequenceScorer.tokenLogProbs(model, tokens, temperature).toFloatArray();
                    for (int t = 0; t < completion.length(); t++) {
                        assertEquals(scored[prompt.length - 1 + t], completion.logProbs()[t], 1e-4, "row " + i + " token " + t);
                    }
                }
            }
        }
    }

    @Test
    void generate_topP_logProbsAreRenormalisedOverTheNucleus() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 64), 9);
            SamplingConfig nucleus = SamplingConfig.sampled(1.0, 10, STOP).withTopP(0.5);
            List<Completion> completions = new Generator(model, PAD).generate(PROMPTS, new long[] {4, 5, 6}, nucleus);
            for (Completion c : completions) {
                for (float logProb : c.logProbs()) {
                    // Renormalised over a nucleus of mass >= 0.5, so each probability is at least its model probability
                    // and never exceeds 1.
                    assertTrue(logProb <= 1e-6 && logProb > Math.log(1.0 / 20) - 1, "log-prob " + logProb);
                }
            }
        }
    }

    @Test
    void generate_sameSeeds_sameSamples_differentSeeds_differentSamples() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 64), 1);
            Generator generator = new Generator(model, PAD);
            SamplingConfig sampled = SamplingConfig.sampled(1.0, 30, STOP);
            List<Completion> a = generator.generate(PROMPTS, new long[] {1, 2, 3}, sampled);
            List<Completion> b = generator.generate(PROMPTS, new long[] {1, 2, 3}, sampled);
            List<Completion> c = generator.generate(PROMPTS, new long[] {4, 5, 6}, sampled);
            boolean anyDifferent = false;
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertArrayEquals(a.get(i).tokens(), b.get(i).tokens());
                anyDifferent |= !java.util.Arrays.equals(a.get(i).tokens(), c.get(i).tokens());
            }
            assertTrue(anyDifferent, "different seeds produced identical samples");
        }
    }

    @Test
    void generate_rowSample_doesNotDependOnOtherRows() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 64), 1);
            Generator generator = new Generator(model, PAD);
            SamplingConfig sampled = SamplingConfig.sampled(1.0, 30, STOP);
            Completion inBatch = generator.generate(PROMPTS, new long[] {1, 2, 3}, sampled).get(0);
            Completion alone = generator.generate(List.of(PROMPTS.get(0)), new long[] {1}, sampled).get(0);
            assertArrayEquals(alone.tokens(), inBatch.tokens());
        }
    }

    /**
     * Rows that share a prompt are prefilled once and sample on their own: the same completions as when each
     * distinct prompt's rows are generated in batches of the same distinct prompts (same padding), with and without
     * the KV cache.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void generate_rowsSharingAPrompt_sampleAsWithTheirOwnPrefill(boolean cache) {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 64), 4);
            Generator generator = new Generator(model, PAD, cache);
            SamplingConfig sampled = SamplingConfig.sampled(1.0, 30, STOP);
            int[] a = PROMPTS.get(0);
            int[] b = PROMPTS.get(1);
            List<Completion> shared = generator.generate(List.of(a, b, a.clone(), a), new long[] {11, 12, 13, 14}, sampled);
            long[][] separateSeeds = {{11, 12}, {13, 12}, {14, 12}};
            int[] rowOfA = {0, 2, 3};
            for (int i = 0; i < rowOfA.length; i++) {
                Completion own = generator.generate(List.of(a, b), separateSeeds[i], sampled).get(0);
                assertArrayEquals(own.tokens(), shared.get(rowOfA[i]).tokens(), "row " + rowOfA[i]);
                assertArrayEquals(own.logProbs(), shared.get(rowOfA[i]).logProbs(), 1e-5f, "row " + rowOfA[i]);
            }
            assertArrayEquals(generator.generate(List.of(a, b), new long[] {11, 12}, sampled).get(1).tokens(), shared.get(1).tokens());
            assertFalse(Arrays.equals(shared.get(0).tokens(), shared.get(2).tokens()), "rows sharing a prompt still draw their own samples");
        }
    }

    @Test
    void generate_sharedPrompts_leaveNoLiveArrays() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 128), 2);
            Generator generator = new Generator(model, PAD);
            int before = manager.getManagedArrays().size();
            for (int round = 0; round < 3; round++) {
                generator.generate(List.of(PROMPTS.get(0), PROMPTS.get(0), PROMPTS.get(1)), new long[] {round, round + 1, round + 2},
                        SamplingConfig.sampled(1.0, 40, -1));
            }
            assertEquals(before, manager.getManagedArrays().size(), "the repeated KV cache rows must be freed with the call");
        }
    }

    @Test
    void generate_thousandSteps_leavesNoLiveArrays() {
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 128), 2);
            Generator generator = new Generator(model, PAD);
            SamplingConfig noStop = SamplingConfig.sampled(1.0, 100, -1);
            int before = manager.getManagedArrays().size();
            int steps = 0;
            for (int round = 0; round < 10; round++) {
                List<Completion> out = generator.generate(PROMPTS, new long[] {round, round + 1, round + 2}, noStop);
                steps += out.get(0).length();
            }
            assertEquals(1000, steps);
            assertEquals(before, manager.getManagedArrays().size(), "arrays leaked across " + steps + " generation steps");
        }
    }

    @Test
    void generate_promptFillingTheContext_failsWithAClearMessage() {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(20, 8);
            Transformer model = TestModels.model(manager, config, 2);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new Generator(model, PAD).generate(List.of(new int[8]), new long[] {1}, SamplingConfig.greedy(4, STOP)));
            assertTrue(e.getMessage().contains("context length 8"), e.getMessage());
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
