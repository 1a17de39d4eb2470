package emend.task;

import java.time.Duration;

/** Scores one attempt against a problem's reference: the binary reward r(y, y*) of the paper. */
public interface Verifier {

    /**
     * 1 when {@code attempt} (the decoded completion, without special tokens) is right, else 0. By default: the
     * extracted answer equals the normalised reference answer.
     */
    default int score(Problem problem, String attempt) {
        String given = extractAnswer(attempt);
        return !given.isEmpty() && given.equals(referenceAnswer(problem)) ? 1 : 0;
    }

    /** The problem's reference answer in the form {@link #extractAnswer} gives, the two compared for equality. */
    default String referenceAnswer(Problem problem) {
        return AnswerNormalizer.normalize(problem.answer());
    }

    /**
     * The final answer the attempt commits to, normalised, or empty when it gives none; two attempts "say the
     * same" when these are equal (used to measure how often attempt 2 changes attempt 1).
     */
    String extractAnswer(String attempt);

    /**
     * True for a verifier that only inspects strings: it scores in microseconds and cannot hang, so a caller may
     * run it in its own thread. False (the default) for one that runs programs or may block.
     */
    default boolean instant() {
        return false;
    }

    /**
     * The longest one {@link #score} call can take, limits and clean-up included: a group's deadline is built from
     * it ({@link GroupScorer}). String checks take microseconds; a verifier that runs programs overrides this.
     */
    default Duration attemptBound() {
        return Duration.ofSeconds(1);
    }
}
