package emend.model;

/**
 * How rotary frequencies are stretched for a longer context than the model was trained on (Hugging Face's
 * {@code rope_scaling}): {@code default} leaves them, {@code linear} divides every frequency by {@code factor},
 * {@code llama3} (Llama 3.1 and 3.2) divides the low frequencies by {@code factor}, keeps the high ones, and blends
 * the band between them.
 *
 * @param type default, linear or llama3
 * @param factor how much longer the context gets
 * @param lowFreqFactor llama3: wavelengths above {@code originalMaxPositions / lowFreqFactor} are scaled fully
 * @param highFreqFactor llama3: wavelengths below {@code originalMaxPositions / highFreqFactor} are kept
 * @param originalMaxPositions llama3: the context length the frequencies were trained for
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {

    public static final RopeScaling NONE = new RopeScaling("default", 1, 0, 0, 0);

    public RopeScaling {
        switch (type) {
            case "default" -> { }
            case "linear" -> requireFactor(factor);
            case "llama3" -> {
                requireFactor(factor);
                if (!(lowFreqFactor > 0 && highFreqFactor > lowFreqFactor && originalMaxPositions > 0)) {
                    throw new IllegalArgumentException("rope_scaling llama3 needs 0 < low_freq_factor < high_freq_factor and "
                            + "original_max_position_embeddings > 0, got " + lowFreqFactor + ", " + highFreqFactor + ", " + originalMaxPositions);
                }
            }
            default -> throw new IllegalArgumentException("rope_scaling type '" + type + "' is not supported (default, linear and llama3 are)");
        }
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling("linear", factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
        return new RopeScaling("llama3", factor, lowFreqFactor, highFreqFactor, originalMaxPositions);
    }

    private static void requireFactor(double factor) {
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("rope_scaling factor must be >= 1, got " + factor);
        }
    }

    /** The inverse frequency {@code inverseFrequency} after scaling (Hugging Face's {@code _compute_llama3_parameters}). */
    public double apply(double inverseFrequency) {
        return switch (type) {
            case "linear" -> inverseFrequency / factor;
            case "llama3" -> {
                double wavelength = 2 * Math.PI / inverseFrequency;
                if (wavelength < originalMaxPositions / highFreqFactor) {
                    yield inverseFrequency;
                }
                if (wavelength > originalMaxPositions / lowFreqFactor) {
                    yield inverseFrequency / factor;
                }
                double smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                yield (1 - smooth) * inverseFrequency / factor + smooth * inverseFrequency;
            }
            default -> inverseFrequency;
        };
    }
}
