package emend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import emend.engine.DjlRuntime;
import emend.testing.TestModels;
import org.junit.jupiter.api.Test;

final class TransformerTest {

    private static float[] logits(Transformer model, NDManager manager, int[] tokens) {
        int steps = tokens.length;
        NDArray input = manager.create(tokens, new Shape(1, steps));
        NDArray positions = manager.arange(0, steps, 1, DataType.INT32).reshape(1, steps);
        NDArray hidden = model.hidden(input, positions, AttentionMasks.causal(manager, steps), null);
        return model.logits(hidden).toFloatArray();
    }

    @Test
    void logits_changingALaterToken_leavesEarlierPositionsUnchanged() {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(20, 32);
            Transformer model = TestModels.model(manager, config, 7);
            int[] tokens = {1, 5, 9, 3, 3, 12, 7, 8, 2, 19};
            int[] changed = tokens.clone();
            changed[6] = 15;
            float[] a = logits(model, manager, tokens);
            float[] b = logits(model, manager, changed);
            int vocab = config.vocabSize();
            for (int t = 0; t < tokens.length; t++) {
                double maxDiff = 0;
                for (int v = 0; v < vocab; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[t * vocab + v] - b[t * vocab + v]));
                }
                if (t < 6) {
                    assertEquals(0.0, maxDiff, 1e-6, "position " + t + " saw a later token");
                } else {
                    assertTrue(maxDiff > 1e-4, "position " + t + " did not see the changed token");
                }
            }
        }
    }

    @Test
    void logits_leftPaddingWithMask_equalsUnpaddedSequence() {
        try (NDManager manager = TestModels.manager()) {
            ModelConfig config = TestModels.smallConfig(20, 32);
            Transformer model = TestModels.model(manager, config, 3);
            int[] tokens = {1, 4, 6, 8, 10};
            float[] plain = logits(model, manager, tokens);
            int pads = 3;
            int steps = tokens.length + pads;
            int[] padded = {0, 0, 0, 1, 4, 6, 8, 10};
            int[] positions = {0, 0, 0, 0, 1, 2, 3, 4};
            NDArray hidden = model.hidden(manager.create(padded, new Shape(1, steps)),
                    manager.create(positions, new Shape(1, steps)),
                    AttentionMasks.leftPadded(manager, new int[] {pads}, 0, steps, steps), null);
            float[] withPads = model.logits(hidden.get(":, {}:, :", pads)).toFloatArray();
            assertArrayEquals(plain, withPads, 1e-5f);
        }
    }

    @Test
    void parameterCount_tinyPreset_isAboutOneMillion() {
        long count = ModelConfig.tiny(261, 256).parameterCount();
        assertTrue(count > 800_000 && count < 1_200_000, "tiny preset has " + count + " parameters");
    }

    @Test
    void withoutAutograd_nothingOfALayerOutlivesTheNext_andTheHiddenStatesAreTheSameBitForBit() {
        boolean gradMode = DjlRuntime.gradientsOnThisThread();
        try (NDManager manager = TestModels.manager()) {
            Transformer twoLayers = TestModels.model(manager, new ModelConfig(20, 32, 32, 2, 4, 2, 64, 10_000, 1e-5, false), 5);
            Transformer sixLayers = TestModels.model(manager, new ModelConfig(20, 32, 32, 6, 4, 2, 64, 10_000, 1e-5, false), 5);
            int[] tokens = {1, 5, 9, 3, 3, 12, 7, 8};
            JniUtils.setGradMode(true);
            Forward recorded = forward(sixLayers, manager, tokens);
            DjlRuntime.gradientsOffOnThisThread();
            Forward inference = forward(sixLayers, manager, tokens);
            assertArrayEquals(recorded.hidden(), inference.hidden(), "the same operations in the same order");
            int perLayerRecorded = (recorded.liveArrays() - forwardRecorded(twoLayers, manager, tokens)) / 4;
            int perLayerInference = (inference.liveArrays() - forward(twoLayers, manager, tokens).liveArrays()) / 4;
            assertTrue(perLayerRecorded > 20, "with autograd every layer's intermediates stay: " + perLayerRecorded + " arrays a layer");
            assertEquals(0, perLayerInference, "without it, nothing of a layer outlives the next");
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    @Test
    void withoutAutograd_theKeptTransposedViews_giveLinearsLogitsBitForBit_andSeeInPlaceUpdates() {
        boolean gradMode = DjlRuntime.gradientsOnThisThread();
        try (NDManager manager = TestModels.manager()) {
            Transformer model = TestModels.model(manager, TestModels.smallConfig(20, 32), 11);
            int[] tokens = {1, 5, 9, 3, 3, 12, 7, 8, 2};
            JniUtils.setGradMode(true);
            float[] recorded = logits(model, manager, tokens);
            DjlRuntime.gradientsOffOnThisThread();
            assertArrayEquals(recorded, logits(model, manager, tokens), "linear and the product with Wᵀ's view");
            model.weights().get(ParameterNames.layer(0).up()).muli(3);   // as AdamW and version loads write: in place
            JniUtils.setGradMode(true);
            float[] recordedAfter = logits(model, manager, tokens);
            DjlRuntime.gradientsOffOnThisThread();
            float[] inferenceAfter = logits(model, manager, tokens);
            assertArrayEquals(recordedAfter, inferenceAfter, "the views read the updated weight");
            assertTrue(recordedAfter[0] != recorded[0], "the update changed the logits");
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static int forwardRecorded(Transformer model, NDManager manager, int[] tokens) {
        boolean gradMode = DjlRuntime.gradientsOnThisThread();
        JniUtils.setGradMode(true);
        try {
            return forward(model, manager, tokens).liveArrays();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private record Forward(float[] hidden, int liveArrays) {}

    /** Hidden states of {@code tokens}, and how many arrays are alive in the manager just after the call. */
    private static Forward forward(Transformer model, NDManager manager, int[] tokens) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            int before = manager.getManagedArrays().size();
            int steps = tokens.length;
            NDArray hidden = model.hidden(manager.create(tokens, new Shape(1, steps)),
                    manager.arange(0, steps, 1, DataType.INT32).reshape(1, steps), AttentionMasks.causal(manager, steps), null);
            int live = manager.getManagedArrays().size() - before;
            return new Forward(hidden.toFloatArray(), live);
        }
    }
}
