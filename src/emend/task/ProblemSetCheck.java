package emend.task;

import emend.sandbox.SandboxResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Checks a code problem set before anything trains on it: every canonical solution must pass its problem's tests
 * and every wrong solution the set gives must fail them. A broken problem would otherwise show up only as rewards
 * that are silently 0 (or 1) during training.
 */
public final class ProblemSetCheck {

    /** One problem that does not hold up, and why. */
    public record Finding(String problemId, String what) {
        @Override
        public String toString() {
            return problemId + ": " + what;
        }
    }

    private ProblemSetCheck() {}

    /**
     * Runs the solutions in the sandbox, {@code parallelism} at a time.
     *
     * @return the problems that fail the check, in file order (empty: the set is sound)
     */
    public static List<Finding> run(CodeTask task, int parallelism) {
        record Run(CodeProblem problem, String attempt, boolean mustPass, int index) {}
        List<Run> runs = new ArrayList<>();
        for (CodeProblem p : task.problems()) {
            Problem asProblem = p.toProblem();
            runs.add(new Run(p, task.correctAttempt(asProblem), true, 0));
            List<String> wrong = task.givenWrongAttempts(asProblem);
            for (int i = 0; i < wrong.size(); i++) {
                runs.add(new Run(p, wrong.get(i), false, i));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<SandboxResult>> results = new ArrayList<>();
            for (Run run : runs) {
                results.add(pool.submit(() -> task.verifier().check(run.problem().toProblem(), run.attempt())));
            }
            List<Finding> findings = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                Run run = runs.get(i);
                SandboxResult result = results.get(i).get();
                boolean passed = result.score() == 1;
                if (run.mustPass() && !passed) {
                    findings.add(new Finding(run.problem().id(), "the canonical solution fails its tests (" + result.verdict() + ": "
                            + result.reason() + ")"));
                } else if (!run.mustPass() && passed) {
                    findings.add(new Finding(run.problem().id(), "wrong_solutions[" + run.index() + "] passes the tests (they do not tell it "
                            + "from a right one)"));
                }
            }
            return findings;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the problem set check was interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the problem set check failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * @throws IllegalArgumentException naming every problem that fails the check, and the fix
     */
    public static void require(CodeTask task, String source, int parallelism) {
        List<Finding> findings = run(task, parallelism);
        if (!findings.isEmpty()) {
            throw new IllegalArgumentException("the code problem set " + source + " has " + findings.size() + " broken problem(s); fix or "
                    + "remove them (./emend verify --task code --problems FILE --check lists them):\n  "
                    + String.join("\n  ", findings.stream().map(Finding::toString).toList()));
        }
    }
}
