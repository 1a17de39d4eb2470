package emend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import emend.model.Tensors;
import emend.model.TorchScriptModules;

/**
 * {@link TokenSampler}'s inverse-CDF pick at a temperature, without a nucleus, as one TorchScript call instead of
 * about twenty engine calls: at batch 1 a decoding step is one scripted call for the model, and these calls were
 * most of what was left. The code is {@link TokenSampler#byOperators}'s operators in their order (the log-normaliser
 * is {@code SequenceScorer.logSumExp}'s), so the picks and their log-probabilities are the same bit for bit
 * ({@code TokenSamplerTest} checks it).
 */
final class SamplingScript {

    private static final String CLASS = "TokenPick";
    /** In serialized TorchScript a dtype is its number: 4 is int64, 3 int32. */
    private static final String CODE = "class " + CLASS + "(Module):\n"
            + "  __parameters__ = []\n"
            + "  __buffers__ = []\n"
            + "  training : bool\n"
            + "  def forward(self: __torch__." + CLASS + ", logits: Tensor, uniforms: Tensor, temperature: Tensor) -> Tuple[Tensor, Tensor]:\n"
            + "    scaled = torch.div(logits, temperature)\n"
            + "    top = torch.amax(scaled, [-1], True)\n"
            + "    log_normaliser = torch.unsqueeze(torch.add(torch.log(torch.sum(torch.exp(torch.sub(scaled, top)), [-1])), torch.squeeze(top, -1)), 1)\n"
            + "    probs = torch.exp(torch.sub(scaled, log_normaliser))\n"
            + "    cumulative = torch.cumsum(probs, 1)\n"
            + "    total = torch.slice(cumulative, 1, -1)\n"
            + "    threshold = torch.mul(uniforms, total)\n"
            + "    index = torch.clamp(torch.sum(torch.to(torch.le(cumulative, threshold), 4), [1], True), 0, torch.size(logits, 1) - 1)\n"
            + "    log_probs = torch.squeeze(torch.log(torch.div(torch.gather(probs, 1, index), total)), 1)\n"
            + "    return (torch.to(torch.squeeze(index, 1), 3), log_probs)\n";

    private SamplingScript() {}

    /**
     * @param logits (B, V) float32
     * @param uniforms one number per row, already kept below 1 ({@link TokenSampler#clamped})
     */
    static TokenSampler.Picks pick(NDArray logits, float[] uniforms, double temperature) {
        TorchScriptModules.plainExecutor();
        PtNDManager manager = (PtNDManager) logits.getManager();
        try (NDArray rowUniforms = Tensors.copyOf(manager, uniforms, new Shape(uniforms.length, 1));
             NDArray scale = Tensors.scalar(manager, temperature)) {
            IValue[] inputs = {IValue.from((PtNDArray) logits), IValue.from((PtNDArray) rowUniforms), IValue.from((PtNDArray) scale)};
            try (IValue out = TorchScriptModules.module(CLASS, CODE, logits.getDevice()).forward(inputs)) {
                IValue[] parts = out.toIValueTuple();
                try (NDArray tokens = parts[0].toTensor(manager); NDArray logProbs = parts[1].toTensor(manager)) {
                    return new TokenSampler.Picks(tokens.toIntArray(), logProbs.toFloatArray());
                } finally {
                    for (IValue part : parts) {
                        part.close();
                    }
                }
            } finally {
                for (IValue input : inputs) {
                    input.close();
                }
            }
        }
    }
}
