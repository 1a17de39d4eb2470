package emend.config;

import emend.rl.ObjectiveSettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The hyperparameters an operator may change while a run trains ({@code emend ctl set KEY=VALUE}): read by the
 * learner at every step and by the prompt dispatch at every lease, so a change applies from the next one. Writes
 * come from the control endpoint's thread, reads from the learner's, hence the synchronisation.
 */
public final class LiveParameters {

    public static final String ALPHA = "alpha";
    public static final String BETA1 = "beta1";
    public static final String BETA2 = "beta2";
    public static final String LEARNING_RATE = "learning-rate";
    public static final String TEMPERATURE = "temperature";
    public static final String MAX_STALENESS = "max-staleness";

    private ObjectiveSettings objective;
    private double learningRate;
    private double temperature;
    private int maxStaleness;

    public LiveParameters(ObjectiveSettings objective, double learningRate, double temperature, int maxStaleness) {
        this.objective = objective;
        this.learningRate = learningRate;
        this.temperature = temperature;
        this.maxStaleness = maxStaleness;
    }

    /** The configured starting values of a run. */
    public static LiveParameters of(RunSettings settings, RuntimeSettings runtime) {
        RunSettings.RlSettings rl = settings.rl();
        return new LiveParameters(rl.objective(), rl.learningRate(), rl.temperature(), runtime.maxStaleness());
    }

    public synchronized ObjectiveSettings objective() {
        return objective;
    }

    public synchronized double learningRate() {
        return learningRate;
    }

    public synchronized double temperature() {
        return temperature;
    }

    public synchronized int maxStaleness() {
        return maxStaleness;
    }

    /**
     * Sets one parameter.
     *
     * @return what changed, e.g. {@code alpha 10 -> 5}
     * @throws IllegalArgumentException naming the valid keys, or the valid range of the value
     */
    public synchronized String set(String key, String value) {
        String before = values().get(key);
        if (before == null) {
            throw new IllegalArgumentException("'" + key + "' cannot change live; the keys are " + String.join(", ", values().keySet()));
        }
        switch (key) {
            case ALPHA -> objective = withObjective(number(key, value, 0, 1e6), objective.beta1(), objective.beta2FirstTurnKl());
            case BETA1 -> objective = withObjective(objective.alphaShapingBonus(), number(key, value, 0, 1e6), objective.beta2FirstTurnKl());
            case BETA2 -> objective = withObjective(objective.alphaShapingBonus(), objective.beta1(), number(key, value, 0, 1e6));
            case LEARNING_RATE -> learningRate = positive(key, number(key, value, 0, 1));
            case TEMPERATURE -> temperature = positive(key, number(key, value, 0, 100));
            case MAX_STALENESS -> maxStaleness = (int) integer(key, value);
            default -> throw new IllegalStateException("unhandled key " + key);
        }
        return key + " " + before + " -> " + values().get(key);
    }

    /** Current values by key, formatted as {@link #set} takes them. */
    public synchronized Map<String, String> values() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(ALPHA, format(objective.alphaShapingBonus()));
        out.put(BETA1, format(objective.beta1()));
        out.put(BETA2, format(objective.beta2FirstTurnKl()));
        out.put(LEARNING_RATE, format(learningRate));
        out.put(TEMPERATURE, format(temperature));
        out.put(MAX_STALENESS, Integer.toString(maxStaleness));
        return out;
    }

    /** Sets every saved value (a resumed run keeps what the operator changed). */
    public synchronized void restore(Map<String, String> saved) {
        saved.forEach(this::set);
    }

    private ObjectiveSettings withObjective(double alpha, double beta1, double beta2) {
        ObjectiveSettings o = objective;
        return new ObjectiveSettings(alpha, beta1, beta2, o.klEstimator(), o.klInReward(), o.clipEpsilon(), o.normalization(), o.copyBaseline());
    }

    private static double number(String key, String value, double min, double max) {
        double parsed;
        try {
            parsed = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " needs a number, got '" + value + "'");
        }
        if (!(parsed >= min && parsed <= max)) {
            throw new IllegalArgumentException(key + " must be in [" + format(min) + ", " + format(max) + "], got " + value);
        }
        return parsed;
    }

    private static double positive(String key, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(key + " must be > 0, got " + format(value));
        }
        return value;
    }

    private static long integer(String key, String value) {
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < 0 || parsed > 1000) {
                throw new IllegalArgumentException(key + " must be an integer in [0, 1000], got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " needs a whole number of policy versions, got '" + value + "'");
        }
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : String.format(Locale.ROOT, "%s", value);
    }
}
