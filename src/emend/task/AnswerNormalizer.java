package emend.task;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Canonical form of a final answer, so that {@code " 3.50 "}, {@code "3.5"} and {@code "+3.5"} match: numbers
 * (with optional thousands separators) become their shortest decimal form, other text is trimmed, lower-cased and
 * has its whitespace collapsed.
 */
public final class AnswerNormalizer {

    private AnswerNormalizer() {}

    public static String normalize(String raw) {
        String text = raw.strip().replaceAll("\\s+", " ");
        String numeric = text.replace(",", "").replace(" ", "");
        if (numeric.endsWith(".")) {
            numeric = numeric.substring(0, numeric.length() - 1);
        }
        if (numeric.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)")) {
            BigDecimal value = new BigDecimal(numeric.startsWith("+") ? numeric.substring(1) : numeric).stripTrailingZeros();
            if (value.signum() == 0) {
                return "0";
            }
            return value.scale() < 0 ? value.setScale(0).toPlainString() : value.toPlainString();
        }
        return text.toLowerCase(Locale.ROOT);
    }
}
