package emend.task;

import emend.sandbox.PythonSandbox;
import emend.sandbox.SandboxResult;
import emend.sandbox.Verdict;
import java.time.Duration;

/**
 * The code task's reward: 1 when the program in the attempt passes every unit test of the problem, run in the
 * {@link PythonSandbox}. Problems carry their tests in {@link UnitTests} form.
 */
public final class CodeVerifier implements Verifier {

    /**
     * Beyond the sandbox's wall-clock limit, one call may spend this killing the process tree and deleting its
     * scratch folder (measured well under 100 ms; a loaded machine is slower).
     */
    private static final Duration CLEAN_UP = Duration.ofSeconds(1);

    private final PythonSandbox sandbox;

    public CodeVerifier(PythonSandbox sandbox) {
        this.sandbox = sandbox;
    }

    @Override
    public int score(Problem problem, String attempt) {
        return check(problem, attempt).score();
    }

    /** The sandbox's wall-clock limit ({@code emend.verify.timeout}) and its clean-up. */
    @Override
    public Duration attemptBound() {
        return sandbox.settings().limits().wallTimeout().plus(CLEAN_UP);
    }

    /** The full result (verdict, reason, latency), for people debugging a problem set. */
    public SandboxResult check(Problem problem, String attempt) {
        UnitTests tests = UnitTests.of(problem);
        String program = CodeExtractor.program(problem.question(), tests.entryPoint(), attempt);
        if (program.isEmpty()) {
            // nothing to run: no need to start a sandbox for it
            return new SandboxResult(Verdict.ERROR, "the attempt contains no code", 0, Duration.ZERO, "");
        }
        return sandbox.run(program, tests.entryPoint(), tests.tests());
    }

    /** The attempt's code in canonical layout (see {@link CodeExtractor#normalize}). */
    @Override
    public String extractAnswer(String attempt) {
        return CodeExtractor.normalize(CodeExtractor.extract(attempt, null));
    }
}
