package emend.task;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The verifier for user problem sets: the final answer is the content of the last {@code \boxed{...}} (nested
 * braces included), else the text after the last {@code answer:} (any case), else the whole attempt; it matches
 * the reference after both are put in the same canonical form: {@link AnswerNormalizer} by default (numbers by
 * value, text by trimmed lower-case with collapsed whitespace), {@link MathAnswer} for competition mathematics.
 */
public final class FinalAnswerVerifier implements Verifier {

    private static final String MARKER = "answer:";

    private final UnaryOperator<String> canonical;

    /** Answers compared by {@link AnswerNormalizer}. */
    public FinalAnswerVerifier() {
        this(AnswerNormalizer::normalize);
    }

    /** @param canonical puts an answer, the reference's or the attempt's, in the form they are compared in */
    public FinalAnswerVerifier(UnaryOperator<String> canonical) {
        this.canonical = canonical;
    }

    /** Answers compared as LaTeX mathematics ({@link MathAnswer}: {@code \frac12} equals {@code 0.5}). */
    public static FinalAnswerVerifier math() {
        return new FinalAnswerVerifier(MathAnswer::normalize);
    }

    @Override
    public String extractAnswer(String attempt) {
        String last = MathAnswer.lastBoxed(attempt).orElseGet(() -> {
            int at = attempt.toLowerCase(Locale.ROOT).lastIndexOf(MARKER);
            return at >= 0 ? attempt.substring(at + MARKER.length()) : attempt;
        });
        return canonical.apply(last);
    }

    @Override
    public String referenceAnswer(Problem problem) {
        return canonical.apply(problem.answer());
    }

    @Override
    public boolean instant() {
        return true;
    }
}
