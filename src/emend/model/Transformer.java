package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import emend.engine.DjlRuntime;
import emend.engine.NativeExit;
import emend.engine.TensorSlices;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The forward pass of a Llama-layout decoder, written with DJL operators.
 *
 * <p>Numerics follow Hugging Face's {@code LlamaForCausalLM}: pre-norm RMSNorm blocks, rotary positions with
 * the rotate-half convention, grouped-query attention whose heads share key/value heads in contiguous groups,
 * a SwiGLU MLP, and logits from the tied (or separate) output matrix.
 *
 * <p>Every operator is a native call whose fixed cost (JNI, a Java wrapper registered with its manager) dwarfs
 * the arithmetic of one decoding step at small batches, so the pass is written with as few calls as give the same
 * numbers: weights are looked up once, constants are engine tensors made once, rotate-half is one product with a
 * signed permutation (exact: each output sums one ±1 product and zeros), and without autograd a projection is a
 * product with a transposed view of its weight kept from the start, the computation {@code linear} performs
 * (bit for bit, checked) at under half its cost per call at batch 1; with autograd it stays {@code linear}, whose
 * backward reaches the weight. The views share the weights' memory, so in-place updates and loads show through;
 * weights are only ever written in place ({@code AutogradSafetyTest} forbids the DJL calls that would give a tensor
 * new memory behind its views).
 *
 * <p>Callers own memory: run calls inside an {@link ai.djl.ndarray.NDScope} and keep only what they need.
 */
public final class Transformer {

    /** Added to attention scores of masked keys; finite so fully masked padding rows never produce NaN. */
    public static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final Weights weights;
    private final LayerWeights[] layers;
    private final NDArray embedding;
    private final NDArray finalNorm;
    private final NDArray outputMatrix;
    private final NDArray outputMatrixTransposed;
    private final NDArray ropeCos;
    private final NDArray ropeSin;
    private final NDArray rotateHalf;
    private final NDArray attentionScale;
    private final NDArray normEps;
    /** {@link DecodeStepScript}'s arguments: every layer's tensors in its order, and the constants. */
    private final PtNDArray[] scriptWeights;
    private final PtNDArray[] scriptConstants;
    /**
     * Made at the first one-token step (a model that is only trained never needs it); two threads racing here make
     * equal steps over the one shared module, so the race is harmless.
     */
    private DecodeStepScript decodeStep;

    public Transformer(Weights weights) {
        this.config = weights.config();
        this.weights = weights;
        NDManager manager = weights.manager();
        this.layers = new LayerWeights[config.layers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = LayerWeights.of(weights, ParameterNames.layer(i), config.attentionBias());
        }
        this.embedding = weights.get(ParameterNames.EMBED);
        this.finalNorm = weights.get(ParameterNames.FINAL_NORM);
        this.outputMatrix = weights.get(config.tiedEmbeddings() ? ParameterNames.EMBED : ParameterNames.LM_HEAD);
        this.outputMatrixTransposed = kept(outputMatrix.transpose());
        float[][] tables = RotaryTables.compute(config.contextLength(), config.headDim(), config.ropeTheta(), config.ropeScaling());
        Shape shape = new Shape(config.contextLength(), config.headDim());
        this.ropeCos = kept(Tensors.copyOf(manager, tables[0], shape));
        this.ropeSin = kept(Tensors.copyOf(manager, tables[1], shape));
        this.rotateHalf = kept(Tensors.copyOf(manager, RotaryTables.rotateHalfMatrix(config.headDim()), new Shape(config.headDim(), config.headDim())));
        this.attentionScale = kept(Tensors.scalar(manager, 1.0 / Math.sqrt(config.headDim())));
        this.normEps = kept(Tensors.scalar(manager, config.normEps()));
        List<NDArray> perLayer = new ArrayList<>();
        for (LayerWeights w : layers) {
            perLayer.addAll(w.inScriptOrder());
        }
        this.scriptWeights = perLayer.stream().map(PtNDArray.class::cast).toArray(PtNDArray[]::new);
        this.scriptConstants = Stream.of(embedding, finalNorm, outputMatrixTransposed, ropeCos, ropeSin, rotateHalf, attentionScale, normEps)
                .map(PtNDArray.class::cast).toArray(PtNDArray[]::new);
    }

    /** Lives as long as the weights' manager, whatever scope the model is built in. */
    private static NDArray kept(NDArray array) {
        NDScope.unregister(array);
        return array;
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    /**
     * Hidden states after the final norm.
     *
     * @param tokens (B, T) int token ids
     * @param positions (B, T) int position of each token (its index among the row's real tokens)
     * @param mask additive attention mask, broadcastable to (B, 1, T, S) where S is the number of keys the memory
     *             returns (the cached length plus T for a {@link KvCache}), or T without one
     * @param memory past keys/values to attend to (and extend), or null for a self-contained sequence
     * @return (B, T, C)
     */
    public NDArray hidden(NDArray tokens, NDArray positions, NDArray mask, AttentionMemory memory) {
        NativeExit.safePoint(); // every forward pass: where a model thread stops when the JVM exits
        long batch = tokens.getShape().get(0);
        long steps = tokens.getShape().get(1);
        NDArray x = Embedding.embedding(tokens, embedding, SparseFormat.DENSE).head(); // (B, T, C)
        NDArray cos = Embedding.embedding(positions, ropeCos, SparseFormat.DENSE).head().expandDims(2); // (B, T, 1, D)
        NDArray sin = Embedding.embedding(positions, ropeSin, SparseFormat.DENSE).head().expandDims(2);
        // Without autograd nothing needs a layer's intermediates or its input after it: over several tokens each
        // layer runs in its own scope and its input is freed, so a long prefill holds one layer's attention scores
        // at a time, not every layer's until the caller's scope ends. One token's intermediates are small, and in a
        // batch-1 decoding profile closing per-layer scopes took 15% of the Java-side samples.
        boolean recording = DjlRuntime.gradientsOnThisThread();
        boolean scopePerLayer = steps > 1 && !recording && (memory == null || !memory.keepsGivenArrays());
        for (int layer = 0; layer < layers.length; layer++) {
            NDArray input = x;
            int index = layer;
            if (scopePerLayer) {
                x = Tensors.keepingOnlyResult(() -> block(index, input, cos, sin, mask, memory, batch, steps, false));
                input.close();   // the embedding or the previous layer's output: nothing else reads it
            } else {
                x = block(layer, x, cos, sin, mask, memory, batch, steps, recording);
            }
        }
        if (memory != null) {
            memory.advance(Math.toIntExact(steps));
        }
        return rmsNorm(x, finalNorm);
    }

    /**
     * Next-token logits (B, V) at the last of {@code tokens}' positions, attending to and extending {@code cache}
     * (arguments as {@link #hidden}). One new token per row runs as one scripted call ({@link DecodeStepScript}: the
     * same operators, the same numbers); several (a prompt's prefill) run operator by operator, a layer at a time.
     */
    public NDArray nextLogits(NDArray tokens, NDArray positions, NDArray mask, KvCache cache) {
        long steps = tokens.getShape().get(1);
        if (steps > 1 || DjlRuntime.gradientsOnThisThread()) {
            NDArray hidden = hidden(tokens, positions, mask, cache);
            return logits(TensorSlices.view(hidden, 1, steps - 1, steps).squeeze(1));
        }
        NativeExit.safePoint();
        cache.checkRoom(1);
        if (decodeStep == null) {
            decodeStep = DecodeStepScript.of(this);
        }
        NDArray logits = decodeStep.logits(tokens, positions, mask, cache, tokens.getManager());
        cache.advance(1);
        return logits;
    }

    PtNDArray[] scriptWeights() {
        return scriptWeights;
    }

    PtNDArray[] scriptConstants() {
        return scriptConstants;
    }

    /** Next-token logits (B, T, V) from hidden states (B, T, C). */
    public NDArray logits(NDArray hidden) {
        return project(hidden, outputMatrix, outputMatrixTransposed, null, DjlRuntime.gradientsOnThisThread());
    }

    /** One pre-norm decoder layer: attention, then the MLP, each added to the residual stream. */
    private NDArray block(int layer, NDArray x, NDArray cos, NDArray sin, NDArray mask, AttentionMemory memory, long batch, long steps,
                          boolean recording) {
        LayerWeights w = layers[layer];
        NDArray h = rmsNorm(x, w.inputNorm());
        NDArray attended = x.add(attention(layer, w, h, cos, sin, mask, memory, batch, steps, recording));
        NDArray h2 = rmsNorm(attended, w.postAttentionNorm());
        return attended.add(mlp(w, h2, recording));
    }

    private NDArray attention(int layer, LayerWeights w, NDArray h, NDArray cos, NDArray sin,
                              NDArray mask, AttentionMemory memory, long batch, long steps, boolean recording) {
        int headDim = config.headDim();
        // rotated while still (B, T, heads, D), where the rows are contiguous for the product with the rotate-half matrix
        NDArray q = headsFirst(rotate(splitHeads(project(h, w.query(), w.queryT(), w.queryBias(), recording), config.heads(), batch, steps), cos, sin));
        NDArray k = headsFirst(rotate(splitHeads(project(h, w.key(), w.keyT(), w.keyBias(), recording), config.kvHeads(), batch, steps), cos, sin));
        NDArray v = headsFirst(splitHeads(project(h, w.value(), w.valueT(), w.valueBias(), recording), config.kvHeads(), batch, steps));
        if (memory != null) {
            NDArray[] stored = memory.append(layer, k, v);
            k = stored[0];
            v = stored[1];
        }
        int group = config.heads() / config.kvHeads();
        if (group > 1) {
            k = k.repeat(1, group);
            v = v.repeat(1, group);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).muli(attentionScale).addi(mask); // (B, H, T, S)
        NDArray context = scores.softmax(-1).matMul(v);                                                   // (B, H, T, D)
        NDArray merged = context.transpose(0, 2, 1, 3).reshape(batch, steps, (long) config.heads() * headDim);
        return project(merged, w.output(), w.outputT(), null, recording);
    }

    /**
     * h·Wᵀ (+ bias where the config has attention biases, Qwen2: then always {@code linear}, whose fused bias add
     * rounds differently from a product and a sum).
     *
     * @param transposed Wᵀ as a view of W, used when nothing is recorded
     */
    private static NDArray project(NDArray h, NDArray weight, NDArray transposed, NDArray bias, boolean recording) {
        if (bias != null) {
            return Linear.linear(h, weight, bias).head();
        }
        return recording ? Linear.linear(h, weight).head() : h.matMul(transposed);
    }

    private static NDArray mlp(LayerWeights w, NDArray h, boolean recording) {
        NDArray gateInput = project(h, w.gate(), w.gateT(), null, recording);
        NDArray gate = Activation.sigmoid(gateInput).mul(gateInput); // SiLU
        NDArray up = project(h, w.up(), w.upT(), null, recording);
        return project(gate.mul(up), w.down(), w.downT(), null, recording);
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(normEps).sqrt()).mul(weight);
    }

    /** (B, T, heads · D) to (B, T, heads, D). */
    private static NDArray splitHeads(NDArray x, int heads, long batch, long steps) {
        return x.reshape(batch, steps, heads, -1);
    }

    /** (B, T, heads, D) to (B, heads, T, D), a view. */
    private static NDArray headsFirst(NDArray x) {
        return x.transpose(0, 2, 1, 3);
    }

    /** Rotary embedding, rotate-half form: x·cos + rotateHalf(x)·sin, for x (B, T, heads, D) and (B, T, 1, D) tables. */
    private NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
    }

    /** One block's tensors, looked up by name once rather than at every call, and the projections' transposed views. */
    private record LayerWeights(NDArray inputNorm, NDArray query, NDArray key, NDArray value,
                                NDArray queryBias, NDArray keyBias, NDArray valueBias, NDArray output,
                                NDArray postAttentionNorm, NDArray gate, NDArray up, NDArray down,
                                NDArray queryT, NDArray keyT, NDArray valueT, NDArray outputT,
                                NDArray gateT, NDArray upT, NDArray downT) {

        /** {@link DecodeStepScript}'s tensors of this layer (with attention biases, the projections as {@code linear} takes them). */
        List<NDArray> inScriptOrder() {
            List<NDArray> out = new ArrayList<>(List.of(inputNorm));
            if (queryBias != null) {
                out.addAll(List.of(query, key, value, queryBias, keyBias, valueBias));
            } else {
                out.addAll(List.of(queryT, keyT, valueT));
            }
            out.addAll(List.of(outputT, postAttentionNorm, gateT, upT, downT));
            return out;
        }

        static LayerWeights of(Weights weights, ParameterNames.Layer names, boolean attentionBias) {
            NDArray query = weights.get(names.query());
            NDArray key = weights.get(names.key());
            NDArray value = weights.get(names.value());
            NDArray output = weights.get(names.output());
            NDArray gate = weights.get(names.gate());
            NDArray up = weights.get(names.up());
            NDArray down = weights.get(names.down());
            return new LayerWeights(weights.get(names.inputNorm()), query, key, value,
                    attentionBias ? weights.get(names.queryBias()) : null,
                    attentionBias ? weights.get(names.keyBias()) : null,
                    attentionBias ? weights.get(names.valueBias()) : null,
                    output, weights.get(names.postAttentionNorm()), gate, up, down,
                    kept(query.transpose()), kept(key.transpose()), kept(value.transpose()), kept(output.transpose()),
                    kept(gate.transpose()), kept(up.transpose()), kept(down.transpose()));
        }
    }
}
