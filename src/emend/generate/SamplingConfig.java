package emend.generate;

import java.util.Arrays;

/**
 * How to pick tokens: greedy ({@code temperature == 0}) or sampling at a temperature with nucleus (top-p)
 * truncation, until a stop token or {@code maxNewTokens}.
 */
public record SamplingConfig(double temperature, double topP, int maxNewTokens, int[] stopTokens) {

    public SamplingConfig {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
        }
        stopTokens = stopTokens.clone();
    }

    public static SamplingConfig greedy(int maxNewTokens, int... stopTokens) {
        return new SamplingConfig(0, 1, maxNewTokens, stopTokens);
    }

    public static SamplingConfig sampled(double temperature, int maxNewTokens, int... stopTokens) {
        return new SamplingConfig(temperature, 1, maxNewTokens, stopTokens);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    public SamplingConfig withTopP(double p) {
        return new SamplingConfig(temperature, p, maxNewTokens, stopTokens);
    }

    public boolean isStop(int token) {
        for (int stop : stopTokens) {
            if (stop == token) {
                return true;
            }
        }
        return false;
    }

    @Override
    public int[] stopTokens() {
        return stopTokens.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingConfig s && s.temperature == temperature && s.topP == topP
                && s.maxNewTokens == maxNewTokens && Arrays.equals(s.stopTokens, stopTokens);
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(temperature) + 17 * Double.hashCode(topP) + 7 * maxNewTokens + Arrays.hashCode(stopTokens);
    }

    @Override
    public String toString() {
        return "SamplingConfig[temperature=" + temperature + ", topP=" + topP + ", maxNewTokens=" + maxNewTokens
                + ", stopTokens=" + Arrays.toString(stopTokens) + "]";
    }
}
