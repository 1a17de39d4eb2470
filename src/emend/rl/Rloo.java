package emend.rl;

/**
 * REINFORCE leave-one-out advantages: each sample's reward minus the mean reward of the other samples drawn
 * for the same prompt, A_i = r_i − (Σ_j r_j − r_i) / (k − 1).
 */
public final class Rloo {

    static final double EPSILON = 1e-6;

    private Rloo() {}

    /**
     * @param rewards rewards laid out group after group
     * @param groupSizes the size of each group, in order (a group of one has no baseline: advantage 0)
     */
    public static double[] advantages(double[] rewards, int[] groupSizes, AdvantageNormalization normalization) {
        double[] out = new double[rewards.length];
        int start = 0;
        for (int size : groupSizes) {
            double sum = 0;
            for (int i = start; i < start + size; i++) {
                sum += rewards[i];
            }
            double groupStd = std(rewards, start, size);
            for (int i = start; i < start + size; i++) {
                double advantage = size > 1 ? rewards[i] - (sum - rewards[i]) / (size - 1) : 0;
                out[i] = normalization == AdvantageNormalization.GROUP ? advantage / (groupStd + EPSILON) : advantage;
            }
            start += size;
        }
        if (start != rewards.length) {
            throw new IllegalArgumentException("group sizes add up to " + start + " but there are " + rewards.length + " rewards");
        }
        if (normalization == AdvantageNormalization.BATCH) {
            double batchStd = std(rewards, 0, rewards.length);
            for (int i = 0; i < out.length; i++) {
                out[i] /= batchStd + EPSILON;
            }
        }
        return out;
    }

    private static double std(double[] values, int start, int size) {
        double mean = 0;
        for (int i = start; i < start + size; i++) {
            mean += values[i];
        }
        mean /= size;
        double var = 0;
        for (int i = start; i < start + size; i++) {
            var += (values[i] - mean) * (values[i] - mean);
        }
        return Math.sqrt(var / size);
    }
}
