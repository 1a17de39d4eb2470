package emend.model;

/** Cosine and sine tables of rotary position embeddings in the rotate-half layout. */
final class RotaryTables {

    private RotaryTables() {}

    /**
     * Tables of shape (positions, headDim), flattened row-major; entry [p][j] uses frequency index j mod headDim/2,
     * i.e. each half of the head repeats the frequencies, as Hugging Face's Llama does; the frequencies are
     * stretched by {@code scaling} and rounded to float32 before and after it, as the reference computes them.
     *
     * @return {cos, sin}
     */
    static float[][] compute(int positions, int headDim, double theta, RopeScaling scaling) {
        int half = headDim / 2;
        float[] cos = new float[positions * headDim];
        float[] sin = new float[positions * headDim];
        for (int j = 0; j < half; j++) {
            // Same float32 rounding of the inverse frequency as the reference implementation.
            float inverseFrequency = (float) scaling.apply((float) (1.0 / Math.pow(theta, (2.0 * j) / headDim)));
            for (int p = 0; p < positions; p++) {
                float angle = p * inverseFrequency;
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * headDim + j] = c;
                cos[p * headDim + j + half] = c;
                sin[p * headDim + j] = s;
                sin[p * headDim + j + half] = s;
            }
        }
        return new float[][] {cos, sin};
    }

    /**
     * The signed permutation R (headDim × headDim, row-major) with x·R = rotateHalf(x) = (−x₂, x₁) for x = (x₁, x₂):
     * column j < half takes −x[j + half], column j ≥ half takes x[j − half].
     */
    static float[] rotateHalfMatrix(int headDim) {
        int half = headDim / 2;
        float[] matrix = new float[headDim * headDim];
        for (int j = 0; j < half; j++) {
            matrix[(j + half) * headDim + j] = -1f;
            matrix[j * headDim + j + half] = 1f;
        }
        return matrix;
    }
}
