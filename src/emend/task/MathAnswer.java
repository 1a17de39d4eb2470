package emend.task;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Final answers of competition mathematics (the MATH data set's {@code \boxed{...}} answers), read and put in one
 * canonical form so that equal answers written differently compare equal: {@code \dfrac{1}{2}}, {@code \frac12},
 * {@code 1/2} and {@code 0.5} all become {@code 1/2}; {@code 90^\circ} becomes {@code 90}; {@code 5\text{ cm}}
 * becomes {@code 5}; {@code \left(1, 2\right)} becomes {@code (1,2)}. What is not a number keeps its LaTeX, without
 * spaces and sizing commands; letters keep their case (in mathematics {@code x} and {@code X} differ).
 */
public final class MathAnswer {

    private static final Pattern BOXED = Pattern.compile("\\\\(?:boxed|fbox)\\s*\\{");
    private static final Pattern TEXT = Pattern.compile("\\\\(?:text|textbf|textrm|mathrm|mbox)\\s*\\{([^{}]*)\\}");
    private static final Pattern TRAILING_UNIT = Pattern.compile("^(.*[0-9}])\\s*\\\\(?:text|mbox|mathrm)\\s*\\{\\s*[A-Za-z][A-Za-z .]*\\}$");
    private static final Pattern FRAC_DIGITS = Pattern.compile("\\\\frac(\\d)(\\d)");
    private static final Pattern FRAC_DIGIT_BRACE = Pattern.compile("\\\\frac(\\d)\\{");
    private static final Pattern FRAC_BRACE_DIGIT = Pattern.compile("\\\\frac(\\{[^{}]*\\})(\\d)");
    private static final Pattern SQRT_DIGIT = Pattern.compile("\\\\sqrt(\\d)");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)");
    private static final Pattern FRACTION = Pattern.compile("([+-]?)\\\\frac\\{([+-]?\\d+)\\}\\{([+-]?\\d+)\\}|([+-]?\\d+)/([+-]?\\d+)");

    private MathAnswer() {}

    /** The content of the last {@code \boxed{...}} (or {@code \fbox{...}}) in {@code text}, nested braces included. */
    public static Optional<String> lastBoxed(String text) {
        Matcher m = BOXED.matcher(text);
        String last = null;
        while (m.find()) {
            int depth = 1;
            int i = m.end();
            while (i < text.length() && depth > 0) {
                char c = text.charAt(i);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
                i++;
            }
            if (depth == 0) {
                last = text.substring(m.end(), i - 1);
            }
        }
        return Optional.ofNullable(last);
    }

    /** The canonical form of a final answer (see the class comment); numbers become reduced fractions or integers. */
    public static String normalize(String raw) {
        String s = raw.strip();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        s = s.replace("$", "");
        Matcher unit = TRAILING_UNIT.matcher(s);
        if (unit.matches()) {
            s = unit.group(1);
        }
        for (String sizing : new String[] {"\\left", "\\right", "\\displaystyle", "\\!", "\\,", "\\;", "\\:", "\\ "}) {
            s = s.replace(sizing, "");
        }
        s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac");
        s = s.replace("^{\\circ}", "").replace("^\\circ", "").replace("\\%", "").replace("%", "");
        s = TEXT.matcher(s).replaceAll(match -> Matcher.quoteReplacement(match.group(1)));
        s = FRAC_DIGITS.matcher(s).replaceAll("\\\\frac{$1}{$2}");
        s = FRAC_DIGIT_BRACE.matcher(s).replaceAll("\\\\frac{$1}{");
        s = FRAC_BRACE_DIGIT.matcher(s).replaceAll("\\\\frac$1{$2}");
        s = SQRT_DIGIT.matcher(s).replaceAll("\\\\sqrt{$1}");
        s = s.replaceAll("\\s+", "");
        return number(s).orElse(s);
    }

    /** A decimal or a fraction of integers, as a reduced fraction ({@code p/q}) or an integer ({@code p}). */
    private static Optional<String> number(String s) {
        String plain = s.replace(",", "");
        if (DECIMAL.matcher(plain).matches()) {
            BigDecimal value = new BigDecimal(plain.startsWith("+") ? plain.substring(1) : plain);
            BigInteger denominator = BigInteger.TEN.pow(Math.max(0, value.scale()));
            return Optional.of(fraction(value.movePointRight(Math.max(0, value.scale())).toBigIntegerExact(), denominator));
        }
        Matcher f = FRACTION.matcher(s);
        if (f.matches()) {
            boolean latex = f.group(2) != null;
            BigInteger p = new BigInteger(strip(latex ? f.group(2) : f.group(4)));
            BigInteger q = new BigInteger(strip(latex ? f.group(3) : f.group(5)));
            if (q.signum() == 0) {
                return Optional.empty();
            }
            return Optional.of(fraction(latex && f.group(1).equals("-") ? p.negate() : p, q));
        }
        return Optional.empty();
    }

    private static String strip(String signed) {
        return signed.startsWith("+") ? signed.substring(1) : signed;
    }

    private static String fraction(BigInteger p, BigInteger q) {
        if (q.signum() < 0) {
            p = p.negate();
            q = q.negate();
        }
        BigInteger gcd = p.gcd(q);
        if (gcd.signum() != 0) {
            p = p.divide(gcd);
            q = q.divide(gcd);
        }
        return q.equals(BigInteger.ONE) ? p.toString() : p + "/" + q;
    }
}
