package emend.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The answer given most often; a tie goes to the answer that reached that count first (deterministic). */
public final class MajorityVote {

    private MajorityVote() {}

    /** @throws IllegalArgumentException for no answers */
    public static String of(List<String> answers) {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("a majority vote needs at least one answer");
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        String best = null;
        int bestCount = 0;
        for (String answer : answers) {
            int count = counts.merge(answer, 1, Integer::sum);
            if (count > bestCount) {
                best = answer;
                bestCount = count;
            }
        }
        return best;
    }
}
