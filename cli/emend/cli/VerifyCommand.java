package emend.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import emend.config.RunSettings;
import emend.config.Settings;
import emend.config.Tasks;
import emend.sandbox.PythonSandbox;
import emend.sandbox.SandboxResult;
import emend.task.CodeProblem;
import emend.task.CodeProblems;
import emend.task.CodeTask;
import emend.task.CodeVerifier;
import emend.task.JsonlTask;
import emend.task.LinearEquationTask;
import emend.task.Problem;
import emend.task.ProblemSetCheck;
import emend.task.Task;
import emend.task.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code emend verify}: scores one candidate against one problem exactly as training does and says why, for anyone
 * debugging a problem set: for code, the program extracted and run in the sandbox against the tests; for the
 * answer tasks (linear, jsonl), the answer read from the candidate and the reference's, both normalised. Exit
 * status 0 when it passes, 1 when it does not.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Score one candidate against one problem as training does and say why: code runs the program against the "
                + "problem's unit tests in the sandbox; linear and jsonl print the normalised answer read and the reference's "
                + "(exit status 0 = passed, 1 = failed).")
final class VerifyCommand implements Callable<Integer> {

    @Option(names = "--task", defaultValue = CodeTask.NAME, description = "code, linear (the built-in problems, picked with --id) or jsonl "
            + "(default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--problem",
            description = "Problem file: for code one JSON object, or JSONL with fields id, prompt, tests, entry_point; for jsonl the "
                    + "task's JSONL (id, question, answer).")
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
        if (!task.equals(CodeTask.NAME)) {
            return verifyAnswer();
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

    /** The answer tasks: the answer each side commits to, normalised as the verifier compares them. */
    private int verifyAnswer() {
        if (check) {
            throw new IllegalArgumentException("--check runs code problem sets (--task code); a " + task + " problem has no program to check");
        }
        if (candidate == null) {
            throw new IllegalArgumentException("verify --task " + task + " needs --candidate FILE (the model's completion)");
        }
        Task answers = switch (task) {
            case LinearEquationTask.NAME -> {
                if (problem != null) {
                    throw new IllegalArgumentException("--task linear uses the built-in problems (pick one with --id); for a problem file use "
                            + "--task jsonl --problem FILE");
                }
                // the problems a run with these settings would generate (their seed and sizes), whatever task the file names
                Map<String, String> linear = new LinkedHashMap<>(sandboxOptions.overrides);
                linear.put("emend.task.name", LinearEquationTask.NAME);
                RunSettings settings = RunSettings.fromConfig(Settings.load(sandboxOptions.config, linear));
                yield Tasks.create(settings.task(), settings.sandbox());
            }
            case JsonlTask.NAME -> {
                if (problem == null) {
                    throw new IllegalArgumentException("verify --task jsonl needs --problem FILE (JSONL: id, question, answer)");
                }
                yield JsonlTask.allAsTest(problem);
            }
            default -> throw Tasks.unknown(task);
        };
        Problem chosen = chooseAnswerProblem(answers);
        String attempt = read(candidate);
        Verifier verifier = answers.verifier();
        String given = verifier.extractAnswer(attempt);
        String reference = verifier.referenceAnswer(chosen);
        int score = verifier.score(chosen, attempt);
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("problem", chosen.id());
            o.addProperty("task", task);
            o.addProperty("score", score);
            o.addProperty("answer_read", given);
            o.addProperty("reference", reference);
            System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(o));
        } else {
            System.out.printf(Locale.ROOT, "problem %s (task %s)%n", chosen.id(), task);
            System.out.println("reference answer, normalised: " + quoted(reference) + "   (as written: " + quoted(chosen.answer()) + ")");
            System.out.println("answer read from the candidate, normalised: "
                    + (given.isEmpty() ? "none (the candidate commits to no answer in the form the task asks for)" : quoted(given)));
            System.out.println(score == 1 ? "PASSED [score 1]" : "FAILED [score 0]: " + (given.isEmpty() ? "no answer" : "the answers differ"));
        }
        return score == 1 ? 0 : 1;
    }

    private Problem chooseAnswerProblem(Task answers) {
        List<Problem> all = new ArrayList<>(answers.splits().train());
        all.addAll(answers.splits().dev());
        all.addAll(answers.splits().test());
        if (id != null) {
            return all.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                    "the " + task + " task has no problem with id \"" + id + "\" (e.g. --id " + all.get(0).id() + ")"));
        }
        if (all.size() > 1) {
            throw new IllegalArgumentException("the " + task + " task holds " + all.size() + " problems; pick one with --id (e.g. --id "
                    + all.get(0).id() + ")");
        }
        return all.get(0);
    }

    private static String quoted(String text) {
        return "\"" + text + "\"";
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
