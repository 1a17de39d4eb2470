package emend.model;

import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Shape of a decoder-only transformer in the Llama layout: RMSNorm, rotary positions, grouped-query
 * attention, a SwiGLU MLP, optionally tied input and output embeddings.
 *
 * <p>The layout is the one Hugging Face calls {@code LlamaForCausalLM}, so a checkpoint is readable by other
 * tools and real checkpoints of that family load into the same code; with {@code attentionBias} it is
 * {@code Qwen2ForCausalLM} (biases on the query, key and value projections, none on the output projection).
 *
 * @param vocabSize number of token ids
 * @param contextLength longest sequence (prompt plus generated tokens) the model accepts
 * @param width residual stream width (hidden size)
 * @param layers number of transformer blocks
 * @param heads query heads per attention layer
 * @param kvHeads key/value heads (grouped-query attention when fewer than {@code heads})
 * @param ffnWidth hidden width of the SwiGLU MLP
 * @param ropeTheta base of the rotary frequencies
 * @param normEps epsilon of RMSNorm
 * @param tiedEmbeddings whether the output projection reuses the token embedding matrix
 * @param attentionBias whether the query, key and value projections have biases (Qwen2)
 * @param ropeScaling how the rotary frequencies are stretched ({@link RopeScaling#NONE}: not at all)
 */
public record ModelConfig(
        int vocabSize,
        int contextLength,
        int width,
        int layers,
        int heads,
        int kvHeads,
        int ffnWidth,
        double ropeTheta,
        double normEps,
        boolean tiedEmbeddings,
        boolean attentionBias,
        RopeScaling ropeScaling) {

    /** A Llama-layout config: no attention biases. */
    public ModelConfig(int vocabSize, int contextLength, int width, int layers, int heads, int kvHeads, int ffnWidth,
                       double ropeTheta, double normEps, boolean tiedEmbeddings) {
        this(vocabSize, contextLength, width, layers, heads, kvHeads, ffnWidth, ropeTheta, normEps, tiedEmbeddings, false);
    }

    /** Unscaled rotary frequencies. */
    public ModelConfig(int vocabSize, int contextLength, int width, int layers, int heads, int kvHeads, int ffnWidth,
                       double ropeTheta, double normEps, boolean tiedEmbeddings, boolean attentionBias) {
        this(vocabSize, contextLength, width, layers, heads, kvHeads, ffnWidth, ropeTheta, normEps, tiedEmbeddings, attentionBias, RopeScaling.NONE);
    }

    public ModelConfig {
        requirePositive("vocabSize", vocabSize);
        requirePositive("contextLength", contextLength);
        requirePositive("width", width);
        requirePositive("layers", layers);
        requirePositive("heads", heads);
        requirePositive("kvHeads", kvHeads);
        requirePositive("ffnWidth", ffnWidth);
        if (width % heads != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "model width %d is not divisible by heads %d: choose heads that divide the width", width, heads));
        }
        if ((width / heads) % 2 != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "head dimension width/heads = %d is odd: rotary positions need an even head dimension", width / heads));
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "heads %d is not a multiple of kvHeads %d: each key/value head must serve a whole group", heads, kvHeads));
        }
        if (!(ropeTheta > 1)) {
            throw new IllegalArgumentException("ropeTheta must be > 1, got " + ropeTheta);
        }
        if (!(normEps > 0 && normEps < 1)) {
            throw new IllegalArgumentException("normEps must be in (0, 1), got " + normEps);
        }
    }

    /** About 0.9M parameters with the byte vocabulary: the CPU default. */
    public static ModelConfig tiny(int vocabSize, int contextLength) {
        return new ModelConfig(vocabSize, contextLength, 128, 4, 4, 4, 384, 10_000, 1e-5, true);
    }

    /** About 5M parameters. */
    public static ModelConfig small(int vocabSize, int contextLength) {
        return new ModelConfig(vocabSize, contextLength, 256, 6, 8, 8, 768, 10_000, 1e-5, true);
    }

    /** About 25M parameters, grouped-query attention: a size for a GPU worker. */
    public static ModelConfig base(int vocabSize, int contextLength) {
        return new ModelConfig(vocabSize, contextLength, 512, 8, 8, 4, 1536, 10_000, 1e-5, true);
    }

    /** A preset by name ({@code tiny}, {@code small}, {@code base}). */
    public static ModelConfig preset(String name, int vocabSize, int contextLength) {
        return switch (name) {
            case "tiny" -> tiny(vocabSize, contextLength);
            case "small" -> small(vocabSize, contextLength);
            case "base" -> base(vocabSize, contextLength);
            default -> throw new IllegalArgumentException(
                    "unknown model preset '" + name + "': choose one of tiny, small, base");
        };
    }

    public int headDim() {
        return width / heads;
    }

    /** Every parameter tensor by its Hugging Face Llama name, in a stable order. */
    public Map<String, Shape> parameterShapes() {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        int d = headDim();
        shapes.put(ParameterNames.EMBED, new Shape(vocabSize, width));
        for (int i = 0; i < layers; i++) {
            ParameterNames.Layer n = ParameterNames.layer(i);
            shapes.put(n.inputNorm(), new Shape(width));
            shapes.put(n.query(), new Shape((long) heads * d, width));
            shapes.put(n.key(), new Shape((long) kvHeads * d, width));
            shapes.put(n.value(), new Shape((long) kvHeads * d, width));
            if (attentionBias) {
                shapes.put(n.queryBias(), new Shape((long) heads * d));
                shapes.put(n.keyBias(), new Shape((long) kvHeads * d));
                shapes.put(n.valueBias(), new Shape((long) kvHeads * d));
            }
            shapes.put(n.output(), new Shape(width, (long) heads * d));
            shapes.put(n.postAttentionNorm(), new Shape(width));
            shapes.put(n.gate(), new Shape(ffnWidth, width));
            shapes.put(n.up(), new Shape(ffnWidth, width));
            shapes.put(n.down(), new Shape(width, ffnWidth));
        }
        shapes.put(ParameterNames.FINAL_NORM, new Shape(width));
        if (!tiedEmbeddings) {
            shapes.put(ParameterNames.LM_HEAD, new Shape(vocabSize, width));
        }
        return shapes;
    }

    /** Total number of scalar parameters. */
    public long parameterCount() {
        return parameterShapes().values().stream().mapToLong(Shape::size).sum();
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("model " + name + " must be positive, got " + value);
        }
    }
}
