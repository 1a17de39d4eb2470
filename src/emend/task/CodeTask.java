package emend.task;

import emend.sandbox.PythonSandbox;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paper's second domain: write a Python function from its stub and specification; the reward is 1 when every
 * unit test passes in the sandbox. Attempts are fenced programs; either turn may also answer unfenced (see
 * {@link CodeExtractor}).
 *
 * <p>The problems are shuffled under the task seed and cut into test (20%), dev (10%) and train. Every problem
 * needs a reference solution (warm-up transcripts and the counterfactual diagnostics use it); its wrong
 * solutions, where the set gives none, are another problem's solution renamed to this entry point, which runs
 * but answers a different question.
 */
public final class CodeTask implements Task {

    /** The task's name in settings ({@code emend.task.name}), on the command line and in reports. */
    public static final String NAME = "code";

    private static final Pattern DEF = Pattern.compile("(?m)^(\\s*(?:async\\s+)?def\\s+)([A-Za-z_][A-Za-z0-9_]*)(\\s*\\()");

    private final Map<String, CodeProblem> byId = new LinkedHashMap<>();
    private final List<CodeProblem> all;
    private final Splits splits;
    private final CodeVerifier verifier;
    private final int maxAttemptTokens;

    private CodeTask(List<CodeProblem> problems, Splits splits, CodeVerifier verifier) {
        this.all = problems;
        this.splits = splits;
        this.verifier = verifier;
        problems.forEach(p -> byId.put(p.id(), p));
        int longest = 0;
        for (CodeProblem p : problems) {
            longest = Math.max(longest, bytes(fenced(whole(p, p.solution()))));
            for (String wrong : p.wrongSolutions()) {
                longest = Math.max(longest, bytes(fenced(whole(p, wrong))));
            }
        }
        // room for an attempt a little longer than the longest teacher attempt, in whole 64-token steps
        this.maxAttemptTokens = Math.max(128, (longest * 5 / 4 + 63) / 64 * 64);
    }

    /**
     * @throws IllegalArgumentException when there are fewer than 3 problems or one lacks a reference solution
     */
    public static CodeTask split(List<CodeProblem> problems, long seed, PythonSandbox sandbox) {
        if (problems.size() < 3) {
            throw new IllegalArgumentException("the code task has " + problems.size() + " problems; it needs at least 3 (they are split "
                    + "into train, dev and test)");
        }
        requireSolutions(problems);
        List<Problem> asProblems = problems.stream().map(CodeProblem::toProblem).toList();
        Splits splits = Splits.shuffled(asProblems, seed, Math.max(1, problems.size() / 5), Math.max(1, problems.size() / 10));
        return new CodeTask(List.copyOf(problems), splits, new CodeVerifier(sandbox));
    }

    /** Every problem as a test problem, for evaluating a whole file. */
    public static CodeTask allAsTest(List<CodeProblem> problems, PythonSandbox sandbox) {
        requireSolutions(problems);
        return new CodeTask(List.copyOf(problems), new Splits(List.of(), List.of(), problems.stream().map(CodeProblem::toProblem).toList()),
                new CodeVerifier(sandbox));
    }

    private static void requireSolutions(List<CodeProblem> problems) {
        for (CodeProblem p : problems) {
            if (p.solution().isBlank()) {
                throw new IllegalArgumentException("code problem " + p.id() + " has no canonical_solution; the task needs one per problem "
                        + "(the warm-up and the counterfactual diagnostics use it)");
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Splits splits() {
        return splits;
    }

    /** The paper's code instruction, with "code" for "solution" in its first sentence. */
    @Override
    public String instruction() {
        return "There might be an error in the code above because of lack of understanding of the question. Please correct the error, "
                + "if any, and rewrite the solution. Only output the final correct Python program!";
    }

    @Override
    public CodeVerifier verifier() {
        return verifier;
    }

    @Override
    public int maxAttemptTokens() {
        return maxAttemptTokens;
    }

    @Override
    public String correctAttempt(Problem problem) {
        CodeProblem p = codeProblem(problem);
        return fenced(whole(p, p.solution()));
    }

    @Override
    public String plausibleWrongAttempt(Problem problem, SplittableRandom random) {
        CodeProblem p = codeProblem(problem);
        if (!p.wrongSolutions().isEmpty()) {
            return fenced(whole(p, p.wrongSolutions().get(random.nextInt(p.wrongSolutions().size()))));
        }
        CodeProblem other = all.get(random.nextInt(all.size()));
        if (other.id().equals(p.id())) {
            other = all.get((all.indexOf(other) + 1) % all.size());
        }
        String solution = whole(other, other.solution());
        Matcher def = DEF.matcher(solution);
        return fenced(def.find() ? def.replaceFirst("$1" + Matcher.quoteReplacement(p.entryPoint()) + "$3") : solution);
    }

    /** The set's own wrong solutions of {@code problem}, as attempts (none when the set gives none). */
    public List<String> givenWrongAttempts(Problem problem) {
        CodeProblem p = codeProblem(problem);
        return p.wrongSolutions().stream().map(wrong -> fenced(whole(p, wrong))).toList();
    }

    /** Every problem of the set, in file order. */
    public List<CodeProblem> problems() {
        return all;
    }

    private CodeProblem codeProblem(Problem problem) {
        CodeProblem p = byId.get(problem.id());
        if (p == null) {
            throw new IllegalArgumentException("problem " + problem.id() + " is not one of this code task's problems");
        }
        return p;
    }

    /** A HumanEval-style solution is the function's body: with the prompt's stub in front it is a whole program. */
    private static String whole(CodeProblem p, String code) {
        return CodeExtractor.defines(code, p.entryPoint()) ? code : p.prompt() + code;
    }

    private static String fenced(String code) {
        return "```python\n" + code.strip() + "\n```";
    }

    private static int bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
