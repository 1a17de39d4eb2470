package emend.config;

import com.typesafe.config.Config;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses settings under {@code emend.} that reference.conf does not define, naming the closest key that exists:
 * a misspelt key would otherwise be ignored in silence and the run would train with the default.
 */
final class KnownKeys {

    private KnownKeys() {}

    /** @throws IllegalArgumentException on the first unknown key, in sorted order */
    static void requireKnown(Config config, Config reference) {
        if (!config.hasPath("emend")) {
            return;
        }
        Set<String> known = new TreeSet<>();
        reference.getConfig("emend").entrySet().forEach(e -> known.add("emend." + e.getKey()));
        Set<String> given = new TreeSet<>();
        config.getConfig("emend").entrySet().forEach(e -> given.add("emend." + e.getKey()));
        for (String key : given) {
            if (!known.contains(key)) {
                String closest = known.stream().min(Comparator.comparingInt(k -> distance(k, key))).orElse("");
                throw new IllegalArgumentException("unknown setting " + key + ": did you mean " + closest
                        + "? (cluster-config/reference.conf lists every key)");
            }
        }
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
