package emend.task;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Canonical form of a final answer, so that {@code " 3.50 "}, {@code "3.5"} and {@code "+3.5"} match: numbers
 * (with optional thousands separators and dollar sign) become their shortest decimal form, other text is trimmed, lower-cased and
 * has its whitespace collapsed.
 */
public final class AnswerNormalizer {

    private AnswerNormalizer() {}

    public static String normalize(String raw) {
        String text = raw.strip().replaceAll("\\s+", " ");
        // GSM8K writes amounts of money with a dollar sign ("$1,200"), which says nothing about the number
        String numeric = text.replace(",", "").replace(" ", "").replaceFirst("^([+-]?)\\$", "$1");
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
