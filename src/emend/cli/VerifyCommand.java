package emend.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import emend.task.CodeProblem;
import emend.task.CodeProblems;
import emend.task.CodeTask;
import emend.task.ProblemSetCheck;
import emend.task.CodeVerifier;
import emend.verify.PythonSandbox;
import emend.verify.SandboxResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code emend verify}: scores one candidate against one problem's tests exactly as training does (same
 * extraction, same sandbox) and says why it failed, for anyone debugging a problem set. Exit status 0 when it
 * passes, 1 when it does not.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Score one candidate against one code problem's unit tests in the sandbox and say why it failed "
                + "(exit status 0 = passed, 1 = failed).")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--task", defaultValue = "code", description = "The task whose verifier runs; only code runs programs (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--problem",
            description = "Problem file: one JSON object, or JSONL with fields id, prompt, tests, entry_point.")
    Path problem;

    @Option(names = "--problems", paramLabel = "FILE", description = "With --check: the problem set (JSONL) to check.")
    Path problems;

    @Option(names = "--check", description = "Check a whole problem set (--problems FILE): every canonical_solution must pass its "
            + "tests and every wrong_solutions entry must fail them; exit status 1 names each broken problem.")
    boolean check;

    @Option(names = "--id", description = "The problem to use when the file holds several.")
    String id;

    @Option(names = "--candidate",
            description = "The candidate: a model's completion (fenced or not) or a plain program, as training would see it.")
    Path candidate;

    @Mixin
    SandboxOptions sandboxOptions;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (!task.equals("code")) {
            throw new IllegalArgumentException("verify runs the code task's verifier only (--task code); the linear and jsonl tasks compare "
                    + "answers without running anything");
        }
        if (check) {
            return checkSet();
        }
        if (problem == null || candidate == null) {
            throw new IllegalArgumentException("verify needs --problem FILE and --candidate FILE (or --check --problems FILE for a whole set)");
        }
        CodeProblem chosen = choose(CodeProblems.read(problem));
        String attempt = read(candidate);
        PythonSandbox sandbox = sandboxOptions.open();
        SandboxResult r = new CodeVerifier(sandbox).check(chosen.toProblem(), attempt);
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("problem", chosen.id());
            o.addProperty("entry_point", chosen.entryPoint());
            o.addProperty("isolation", sandbox.isolation().label());
            o.addProperty("score", r.score());
            o.addProperty("verdict", r.verdict().name());
            o.addProperty("reason", r.reason());
            o.addProperty("asserts_held", r.assertsHeld());
            o.addProperty("latency_ms", r.latency().toMillis());
            o.addProperty("output", r.output());
            System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
        } else {
            System.out.printf(Locale.ROOT, "problem %s (entry point %s), sandbox %s, timeout %d ms%n", chosen.id(), chosen.entryPoint(),
                    sandbox.isolation().label(), sandbox.settings().limits().wallTimeout().toMillis());
            System.out.printf(Locale.ROOT, "%s: %s [score %d, %d ms]%n", r.verdict(), r.reason(), r.score(), r.latency().toMillis());
            if (r.score() == 0 && r.assertsHeld() > 0) {
                System.out.println("asserts that held before it: " + r.assertsHeld());
            }
            if (!r.output().isEmpty()) {
                System.out.println("candidate output (its last 2,000 characters):");
                System.out.println(r.output().stripTrailing());
            }
        }
        return r.score() == 1 ? 0 : 1;
    }

    private int checkSet() {
        if (problems == null) {
            throw new IllegalArgumentException("--check needs the problem set: --problems FILE");
        }
        List<CodeProblem> set = CodeProblems.read(problems);
        long start = System.nanoTime();
        List<ProblemSetCheck.Finding> findings = ProblemSetCheck.run(CodeTask.allAsTest(set, sandboxOptions.open()), 2);
        findings.forEach(f -> System.out.println("BROKEN " + f));
        System.out.printf(Locale.ROOT, "%d problems checked in %.1f s: %s%n", set.size(), (System.nanoTime() - start) / 1e9,
                findings.isEmpty() ? "every canonical solution passes and every wrong solution fails" : findings.size() + " broken");
        return findings.isEmpty() ? 0 : 1;
    }

    private CodeProblem choose(List<CodeProblem> problems) {
        if (id != null) {
            return problems.stream().filter(p -> p.id().equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("problem file " + problem + " has no problem with id \"" + id + "\""));
        }
        if (problems.size() > 1) {
            throw new IllegalArgumentException("problem file " + problem + " holds " + problems.size() + " problems; pick one with --id (e.g. --id "
                    + problems.get(0).id() + ")");
        }
        return problems.get(0);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("candidate file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read candidate file " + file + ": " + e.getMessage() + " (it must be UTF-8 text)", e);
        }
    }
}
