package emend.task;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The verifier for user problem sets: the final answer is the content of the last {@code \boxed{...}}, else the
 * text after the last {@code answer:} (any case), else the whole attempt; it matches the reference after
 * {@link AnswerNormalizer} (numbers by value, text by trimmed lower-case with collapsed whitespace).
 */
public final class FinalAnswerVerifier implements Verifier {

    private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*)\\}");
    private static final String MARKER = "answer:";

    @Override
    public String extractAnswer(String attempt) {
        String last = null;
        Matcher boxed = BOXED.matcher(attempt);
        while (boxed.find()) {
            last = boxed.group(1);
        }
        if (last == null) {
            int at = attempt.toLowerCase(Locale.ROOT).lastIndexOf(MARKER);
            last = at >= 0 ? attempt.substring(at + MARKER.length()) : attempt;
        }
        return AnswerNormalizer.normalize(last);
    }

    @Override
    public boolean instant() {
        return true;
    }
}
