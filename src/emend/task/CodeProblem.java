package emend.task;

import java.util.List;

/**
 * A programming problem: the prompt shown to the model (a function stub with its specification, as in
 * HumanEval), the function the tests call, the tests (Python asserts, or a {@code check(candidate)} function),
 * and, where known, a reference solution and wrong ones (warm-up transcripts and counterfactual diagnostics).
 *
 * @param solution a correct program defining {@code entryPoint}, or empty when the set has none
 * @param wrongSolutions plausible programs that fail the tests (may be empty)
 */
public record CodeProblem(String id, String prompt, String entryPoint, String tests, String solution, List<String> wrongSolutions) {

    public CodeProblem {
        if (!entryPoint.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("entry_point '" + entryPoint + "' is not a Python function name");
        }
        wrongSolutions = List.copyOf(wrongSolutions);
    }

    /** The problem as every task carries it: the prompt as the question, the tests as the reference answer. */
    public Problem toProblem() {
        return new Problem(id, prompt, new UnitTests(entryPoint, tests).toAnswer());
    }
}
