package emend.task;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the number that follows a fixed marker at the start of the attempt (for the default task, {@code x=}, spaces
 * allowed)
 * and compares it with the reference as an integer. Anything else the attempt says (the check) is not scored:
 * the reward is for the answer, as in the paper.
 */
public final class NumericAnswerVerifier implements Verifier {

    private final Pattern answer;

    public NumericAnswerVerifier(String marker) {
        String spacedMarker = String.join("\\s*", marker.chars().mapToObj(c -> Pattern.quote(Character.toString(c))).toList());
        this.answer = Pattern.compile("^\\s*" + spacedMarker + "\\s*(-?\\d{1,9})(?!\\d)");
    }

    @Override
    public String extractAnswer(String attempt) {
        Matcher m = answer.matcher(attempt);
        return m.find() ? AnswerNormalizer.normalize(m.group(1)) : "";
    }

    @Override
    public boolean instant() {
        return true;
    }
}
