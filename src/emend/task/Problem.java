package emend.task;

/**
 * One problem: a stable id, the question shown to the model, and the reference answer the verifier checks.
 */
public record Problem(String id, String question, String answer) {

    public Problem {
        if (id == null || id.isBlank() || question == null || question.isBlank() || answer == null) {
            throw new IllegalArgumentException("a problem needs a non-empty id and question and an answer, got id=" + id);
        }
    }
}
