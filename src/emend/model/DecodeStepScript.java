package emend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.util.ArrayList;
import java.util.List;

/**
 * One decoding step of {@link Transformer} (one new token per row, attending to a {@link KvCache}) as a TorchScript
 * method, so that the step's ~250 operators run inside libtorch in one native call instead of one call each: at batch
 * 1 the calls, not the arithmetic, are what a step costs.
 *
 * <p>The script is {@link Transformer}'s forward pass written operator for operator in the same order (the same
 * ATen operators on the same tensors, the transposed weight views included), so its logits equal the operator path's
 * bit for bit ({@code DecodeStepScriptTest} checks it). Emend writes the module itself ({@link TorchScriptModules});
 * the weights, the KV cache and the constants are arguments, so one module serves every model of a shape family and
 * in-place weight updates show through.
 */
final class DecodeStepScript {

    /** The TorchScript class. */
    private static final String CLASS = "DecodeStep";
    /** Tensors per layer in the weight list, without and with attention biases. */
    private static final int PER_LAYER = 9;
    private static final int PER_LAYER_WITH_BIAS = 12;
    /** Constants the code reads, {@code constants[0..7]}. */
    private static final int CONSTANTS = 8;

    private final Transformer model;
    private final PtSymbolBlock module;

    private DecodeStepScript(Transformer model, PtSymbolBlock module) {
        this.model = model;
        this.module = module;
    }

    /** The scripted step for {@code model}'s shape family on its weights' device. */
    static DecodeStepScript of(Transformer model) {
        ModelConfig config = model.config();
        int perLayer = config.attentionBias() ? PER_LAYER_WITH_BIAS : PER_LAYER;
        if (model.scriptWeights().length != config.layers() * perLayer || model.scriptConstants().length != CONSTANTS) {
            throw new IllegalStateException("the scripted step reads " + perLayer + " tensors a layer and " + CONSTANTS
                    + " constants; the model hands it " + model.scriptWeights().length + " and " + model.scriptConstants().length);
        }
        String code = code(config.heads() / config.kvHeads(), config.attentionBias());
        return new DecodeStepScript(model, TorchScriptModules.module(CLASS, code, model.weights().manager().getDevice()));
    }

    /**
     * Next-token logits (B, V) for one new token per row, appending its keys and values to {@code cache} (whose
     * length the caller advances, as {@link Transformer#hidden} does).
     *
     * @param tokens (B, 1) int
     * @param positions (B, 1) int
     * @param mask additive, broadcastable to (B, 1, 1, cache length + 1)
     */
    NDArray logits(NDArray tokens, NDArray positions, NDArray mask, KvCache cache, NDManager resultManager) {
        TorchScriptModules.plainExecutor();
        List<IValue> inputs = new ArrayList<>();
        try {
            inputs.add(IValue.from((PtNDArray) tokens));
            inputs.add(IValue.from((PtNDArray) positions));
            inputs.add(IValue.from((PtNDArray) mask));
            inputs.add(IValue.from((long) cache.length()));
            inputs.add(IValue.listFrom(model.scriptWeights()));
            inputs.add(IValue.listFrom(pt(cache.keyBuffers())));
            inputs.add(IValue.listFrom(pt(cache.valueBuffers())));
            inputs.add(IValue.listFrom(model.scriptConstants()));
            try (IValue out = module.forward(inputs.toArray(IValue[]::new))) {
                return out.toTensor((PtNDManager) resultManager);
            }
        } finally {
            inputs.forEach(IValue::close);
        }
    }

    private static PtNDArray[] pt(NDArray[] arrays) {
        PtNDArray[] out = new PtNDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            out[i] = (PtNDArray) arrays[i];
        }
        return out;
    }

    /**
     * The step's code, the operators of {@link Transformer#hidden} for a KV cache and of {@link Transformer#logits}
     * in their order. Weights per layer: input norm, then the query, key and value projections (transposed views;
     * with attention biases the weights themselves and their biases, as {@code linear} takes them), the output
     * projection, the post-attention norm, gate, up and down (transposed views). Constants: embedding, final norm,
     * output matrix (transposed view), rotary cos and sin tables, the rotate-half matrix, the attention scale, the
     * norms' epsilon.
     */
    private static String code(int group, boolean attentionBias) {
        int per = attentionBias ? PER_LAYER_WITH_BIAS : PER_LAYER;
        String q = attentionBias ? "torch.linear(h, weights[base + 1], weights[base + 4])" : "torch.matmul(h, weights[base + 1])";
        String k = attentionBias ? "torch.linear(h, weights[base + 2], weights[base + 5])" : "torch.matmul(h, weights[base + 2])";
        String v = attentionBias ? "torch.linear(h, weights[base + 3], weights[base + 6])" : "torch.matmul(h, weights[base + 3])";
        int rest = attentionBias ? 7 : 4;
        String repeat = group > 1
                ? "      keys_all = torch.repeat_interleave(keys_all, " + group + ", 1)\n"
                + "      values_all = torch.repeat_interleave(values_all, " + group + ", 1)\n"
                : "";
        return "class " + CLASS + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + "  def norm(self: __torch__." + CLASS + ", x: Tensor, weight: Tensor, eps: Tensor) -> Tensor:\n"
                + "    return torch.mul(torch.div(x, torch.sqrt(torch.add(torch.mean(torch.square(x), [-1], True), eps))), weight)\n"
                + "  def rotate(self: __torch__." + CLASS + ", x: Tensor, cos: Tensor, sin: Tensor, rotate_half: Tensor) -> Tensor:\n"
                + "    return torch.add(torch.mul(x, cos), torch.mul(torch.matmul(x, rotate_half), sin))\n"
                + "  def forward(self: __torch__." + CLASS + ",\n"
                + "    tokens: Tensor,\n"
                + "    positions: Tensor,\n"
                + "    mask: Tensor,\n"
                + "    start: int,\n"
                + "    weights: List[Tensor],\n"
                + "    keys: List[Tensor],\n"
                + "    values: List[Tensor],\n"
                + "    constants: List[Tensor]) -> Tensor:\n"
                + "    batch = torch.size(tokens, 0)\n"
                + "    head_dim = torch.size(constants[5], 0)\n"
                + "    eps = constants[7]\n"
                + "    x = torch.embedding(constants[0], tokens)\n"
                + "    cos = torch.unsqueeze(torch.embedding(constants[3], positions), 2)\n"
                + "    sin = torch.unsqueeze(torch.embedding(constants[4], positions), 2)\n"
                + "    for layer in range(torch.len(keys)):\n"
                + "      base = layer * " + per + "\n"
                + "      h = (self).norm(x, weights[base], eps)\n"
                + "      q = torch.permute((self).rotate(torch.reshape(" + q + ", [batch, 1, -1, head_dim]), cos, sin, constants[5]), [0, 2, 1, 3])\n"
                + "      k = torch.permute((self).rotate(torch.reshape(" + k + ", [batch, 1, -1, head_dim]), cos, sin, constants[5]), [0, 2, 1, 3])\n"
                + "      v = torch.permute(torch.reshape(" + v + ", [batch, 1, -1, head_dim]), [0, 2, 1, 3])\n"
                + "      torch.copy_(torch.slice(keys[layer], 2, start, start + 1), k)\n"
                + "      torch.copy_(torch.slice(values[layer], 2, start, start + 1), v)\n"
                + "      keys_all = torch.slice(keys[layer], 2, 0, start + 1)\n"
                + "      values_all = torch.slice(values[layer], 2, 0, start + 1)\n"
                + repeat
                + "      scores = torch.add_(torch.mul_(torch.matmul(q, torch.permute(keys_all, [0, 1, 3, 2])), constants[6]), mask)\n"
                + "      context = torch.matmul(torch.softmax(scores, -1), values_all)\n"
                + "      merged = torch.reshape(torch.permute(context, [0, 2, 1, 3]), [batch, 1, -1])\n"
                + "      attended = torch.add(x, torch.matmul(merged, weights[base + " + rest + "]))\n"
                + "      h2 = (self).norm(attended, weights[base + " + (rest + 1) + "], eps)\n"
                + "      gate_input = torch.matmul(h2, weights[base + " + (rest + 2) + "])\n"
                + "      gate = torch.mul(torch.sigmoid(gate_input), gate_input)\n"
                + "      up = torch.matmul(h2, weights[base + " + (rest + 3) + "])\n"
                + "      x = torch.add(attended, torch.matmul(torch.mul(gate, up), weights[base + " + (rest + 4) + "]))\n"
                + "    hidden = (self).norm(x, constants[1], eps)\n"
                + "    return torch.matmul(torch.squeeze(hidden, 1), constants[2])\n";
    }
}
