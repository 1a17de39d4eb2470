package emend.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each rule of the MATH answer form, with the writings it makes equal (and one it must keep apart). */
final class MathAnswerTest {

    private static void same(String expected, String... writings) {
        for (String w : writings) {
            assertEquals(expected, MathAnswer.normalize(w), w);
        }
    }

    @Test
    void boxed_takesTheLastOne_withNestedBraces() {
        assertEquals(Optional.of("\\frac{1}{2}"), MathAnswer.lastBoxed("first \\boxed{3}, then \\boxed{\\frac{1}{2}}."));
        assertEquals(Optional.of("\\sqrt{\\frac{a}{b}}"), MathAnswer.lastBoxed("so $\\boxed{\\sqrt{\\frac{a}{b}}}$"));
        assertEquals(Optional.of("7"), MathAnswer.lastBoxed("\\fbox{7}"));
        assertEquals(Optional.empty(), MathAnswer.lastBoxed("no box, or an open one: \\boxed{3"));
    }

    @Test
    void fractionsAndDecimals_becomeOneReducedFraction() {
        same("1/2", "\\frac{1}{2}", "\\dfrac{1}{2}", "\\tfrac12", "\\frac12", "1/2", "0.5", "0.50", "\\frac{2}{4}", "$\\frac{1}{2}$");
        same("-3/4", "-\\frac{3}{4}", "\\frac{-3}{4}", "-0.75", "3/-4");
        same("3", "3", "3.0", "\\frac{6}{2}", "+3", "3.");
        same("1200", "1,200", "1200.00");
    }

    @Test
    void degreesPercentAndTextUnits_areDropped() {
        same("90", "90^\\circ", "90^{\\circ}", "90\\%", "90%", "90 \\text{ degrees}", "90\\mbox{cm}");
    }

    @Test
    void sizingSpacingAndText_areDropped_andLettersKeepTheirCase() {
        same("(1,2)", "\\left( 1, 2 \\right)", "(1,\\ 2)", "(1,\\!2)");
        same("\\sqrt{2}", "\\sqrt2", "\\sqrt{2}", "\\displaystyle\\sqrt{2}");
        same("(A)", "\\text{(A)}", "\\textbf{(A)}");
        assertEquals("x+1", MathAnswer.normalize("x + 1"));
        assertEquals("X+1", MathAnswer.normalize("X+1"), "x and X differ");
    }

    @Test
    void theVerifierComparesInThisForm() {
        FinalAnswerVerifier math = FinalAnswerVerifier.math();
        Problem half = new Problem("math-1", "What is 1/2 as a decimal?", "\\frac{1}{2}");
        assertEquals(1, math.score(half, "So the answer is $\\boxed{0.5}$."));
        assertEquals(1, math.score(half, "The answer: \\dfrac12"));
        assertEquals(0, math.score(half, "\\boxed{\\frac{1}{3}}"));
        assertEquals("1/2", math.referenceAnswer(half));
    }
}
