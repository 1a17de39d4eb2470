package emend.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

final class VerifyCommandTest {

    private static final String PROBLEM = "{\"id\": \"twice\", \"prompt\": \"def twice(x):\\n    \\\"\\\"\\\"Return 2x.\\\"\\\"\\\"\\n\", "
            + "\"tests\": [\"assert twice(2) == 4\", \"assert twice(0) == 0\"], \"entry_point\": \"twice\"}";

    @TempDir
    Path dir;

    private final StringWriter errors = new StringWriter();

    private int verify(String candidate, String... more) throws IOException {
        Files.writeString(dir.resolve("problem.jsonl"), PROBLEM + "\n");
        Files.writeString(dir.resolve("candidate.txt"), candidate);
        String[] args = new String[4 + more.length];
        args[0] = "--problem";
        args[1] = dir.resolve("problem.jsonl").toString();
        args[2] = "--candidate";
        args[3] = dir.resolve("candidate.txt").toString();
        System.arraycopy(more, 0, args, 4, more.length);
        CommandLine cli = new CommandLine(new VerifyCommand()).setExecutionExceptionHandler(new UserErrorHandler());
        cli.setErr(new PrintWriter(errors));
        return cli.execute(args);
    }

    @Test
    void exitStatus_isZeroWhenItPassesAndOneWhenItFails() throws IOException {
        assertEquals(0, verify("```python\ndef twice(x):\n    return 2 * x\n```"));
        assertEquals(1, verify("    return x + 2\n", "--json"));
    }

    @Test
    void badInput_isOneLineNamingTheProblemAndTheFix() throws IOException {
        assertEquals(2, verify("def twice(x):\n    return 2 * x\n", "--id", "thrice"));
        assertTrue(errors.toString().contains("has no problem with id \"thrice\""), errors.toString());
        assertEquals(2, verify("x", "--task", "linear"));
        assertTrue(errors.toString().contains("for a problem file use --task jsonl --problem FILE"), errors.toString());
    }

    /** Math answers: the answer read and the reference's, both normalised as the verifier compares them. */
    @Test
    void jsonlAnswers_printTheNormalisedAnswerReadAndTheReference() throws IOException {
        Files.writeString(dir.resolve("math.jsonl"), "{\"id\": \"half\", \"question\": \"What is 1/2 as a decimal?\", \"answer\": \"0.50\"}\n"
                + "{\"id\": \"sum\", \"question\": \"2 + 2?\", \"answer\": \"4\"}\n");
        String right = run("--task", "jsonl", "--problem", dir.resolve("math.jsonl").toString(), "--id", "half", "--candidate",
                write("It is a half. Answer: 0.5"));
        assertTrue(right.startsWith("0|") && right.contains("reference answer, normalised: \"0.5\"   (as written: \"0.50\")")
                && right.contains("answer read from the candidate, normalised: \"0.5\"") && right.contains("PASSED"), right);
        String none = run("--task", "jsonl", "--problem", dir.resolve("math.jsonl").toString(), "--id", "sum", "--candidate",
                write("I am not sure."), "--json");
        assertTrue(none.startsWith("1|") && none.contains("\"answer_read\":\"i am not sure.\"") && none.contains("\"reference\":\"4\""), none);
    }

    @Test
    void linearAnswers_comeFromTheBuiltInProblemsById() throws IOException {
        emend.config.RunSettings defaults = emend.config.RunSettings.fromConfig(emend.config.Settings.load(null, java.util.Map.of()));
        emend.task.Task linear = emend.config.Tasks.create(defaults.task(), defaults.sandbox());
        emend.task.Problem p = linear.test().get(3);
        String right = run("--task", "linear", "--id", p.id(), "--candidate", write(linear.correctAttempt(p)));
        assertTrue(right.startsWith("0|") && right.contains("problem " + p.id() + " (task linear)") && right.contains("PASSED"), right);
        String wrong = run("--task", "linear", "--id", p.id(), "--candidate", write("x = 123456"));
        assertTrue(wrong.startsWith("1|") && wrong.contains("FAILED [score 0]: the answers differ"), wrong);
    }

    private String write(String candidate) throws IOException {
        Path file = Files.createTempFile(dir, "candidate", ".txt");
        Files.writeString(file, candidate);
        return file.toString();
    }

    /** The exit status and what the command printed, as "STATUS|OUTPUT". */
    private String run(String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.out;
        System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            CommandLine cli = new CommandLine(new VerifyCommand()).setExecutionExceptionHandler(new UserErrorHandler());
            cli.setErr(new PrintWriter(errors));
            int status = cli.execute(args);
            return status + "|" + out.toString(java.nio.charset.StandardCharsets.UTF_8) + errors;
        } finally {
            System.setOut(saved);
        }
    }
}
