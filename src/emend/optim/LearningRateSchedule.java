package emend.optim;

/** Linear warm-up to {@code peak}, then cosine decay to {@code peak · finalFraction} at {@code totalSteps}. */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, double finalFraction) {

    public LearningRateSchedule {
        if (!(peak > 0)) {
            throw new IllegalArgumentException("learning rate must be > 0, got " + peak);
        }
        if (warmupSteps < 0 || totalSteps <= 0 || !(finalFraction >= 0 && finalFraction <= 1)) {
            throw new IllegalArgumentException("schedule needs warmupSteps >= 0, totalSteps > 0, finalFraction in [0, 1]");
        }
    }

    /** A flat rate. */
    public static LearningRateSchedule constant(double rate) {
        return new LearningRateSchedule(rate, 0, 1, 1);
    }

    /** Learning rate for 0-based step {@code step}. */
    public double at(int step) {
        if (step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return peak * (finalFraction + (1 - finalFraction) * cosine);
    }
}
