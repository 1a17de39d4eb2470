package emend.task;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A user problem set, one JSON object per line: {@code {"id": "...", "question": "...", "answer": "..."}}, or a
 * public data set as it is published ({@link ProblemFormat}): GSM8K (the reference is the number after
 * {@code ####}; ids are {@code gsm8k-LINE}) and MATH (the reference is the {@code answer} field, else the last
 * {@code \boxed{}} of the solution, compared as LaTeX by {@link MathAnswer}; ids are {@code unique_id}, else
 * {@code math-LINE}).
 *
 * <p>The problems are shuffled under the task seed and cut into test (20%), dev (10%) and train (the rest), so a
 * single file gives held-out problems; {@link #allAsTest} evaluates a whole file instead. Attempts are expected
 * to end in {@code answer: ...} (see {@link FinalAnswerVerifier}).
 */
public final class JsonlTask implements Task {

    /** The task's name in settings ({@code emend.task.name}), on the command line and in reports. */
    public static final String NAME = "jsonl";

    private final String name;
    private final List<Problem> all;
    private final Splits splits;
    private final Verifier verifier;
    private final int maxAttemptTokens;

    /** Tokens an attempt may take unless the settings say otherwise: enough for a short answer, not for a derivation. */
    public static final int DEFAULT_ATTEMPT_TOKENS = 64;

    private JsonlTask(String name, Read read, Splits splits, int maxAttemptTokens) {
        if (maxAttemptTokens < 1) {
            throw new IllegalArgumentException("emend.task.max-attempt-tokens must be >= 1 (0 = the default, " + DEFAULT_ATTEMPT_TOKENS
                    + "), got " + maxAttemptTokens);
        }
        this.name = name;
        this.all = read.problems();
        this.splits = splits;
        this.maxAttemptTokens = maxAttemptTokens;
        this.verifier = read.format() == ProblemFormat.MATH ? FinalAnswerVerifier.math() : new FinalAnswerVerifier();
    }

    /** A file's problems and the format they were read in. */
    public record Read(List<Problem> problems, ProblemFormat format) {}

    /** Reads {@code file} (its format read from its first record) and splits it under {@code seed}. */
    public static JsonlTask split(Path file, long seed) {
        return split(file, ProblemFormat.AUTO, seed, DEFAULT_ATTEMPT_TOKENS);
    }

    /**
     * Reads {@code file} in {@code format} and splits it under {@code seed}; attempts may take {@code maxAttemptTokens}
     * tokens (a chain of thought needs hundreds).
     */
    public static JsonlTask split(Path file, ProblemFormat format, long seed, int maxAttemptTokens) {
        Read read = read(file, format);
        List<Problem> problems = read.problems();
        if (problems.size() < 3) {
            throw new IllegalArgumentException(file + " has " + problems.size() + " problems; training needs at least 3 "
                    + "(they are split into train, dev and test)");
        }
        return new JsonlTask(NAME, read,
                Splits.shuffled(problems, seed, Math.max(1, problems.size() / 5), Math.max(1, problems.size() / 10)), maxAttemptTokens);
    }

    /** Reads {@code file} (its format read from its first record) for evaluation only: every problem is a test problem. */
    public static JsonlTask allAsTest(Path file) {
        Read read = read(file, ProblemFormat.AUTO);
        return new JsonlTask(NAME, read, new Splits(List.of(), List.of(), read.problems()), DEFAULT_ATTEMPT_TOKENS);
    }

    /** Parses a file in Emend's own format, or in the format its first record's fields say. */
    public static List<Problem> read(Path file) {
        return read(file, ProblemFormat.AUTO).problems();
    }

    /**
     * Parses the file in {@code format} ({@link ProblemFormat#AUTO}: the one its first record's fields say).
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong with it
     */
    public static Read read(Path file, ProblemFormat format) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("problem file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read problem file " + file + ": " + e.getMessage()
                    + " (it must be UTF-8 JSONL)", e);
        }
        List<Problem> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        ProblemFormat resolved = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + " line " + (i + 1) + ": ";
            JsonObject json;
            try {
                JsonElement element = JsonParser.parseString(line);
                if (!element.isJsonObject()) {
                    throw new IllegalArgumentException(where + "expected a JSON object like "
                            + "{\"id\": \"p1\", \"question\": \"...\", \"answer\": \"...\"}");
                }
                json = element.getAsJsonObject();
            } catch (JsonParseException e) {
                throw new IllegalArgumentException(where + "is not valid JSON (" + e.getMessage() + ")", e);
            }
            if (resolved == null) {
                resolved = format.resolve(json, false);
            }
            Problem problem = switch (resolved) {
                case GSM8K -> gsm8k(json, i + 1, where);
                case MATH -> math(json, i + 1, where);
                default -> new Problem(field(json, "id", where), field(json, "question", where), field(json, "answer", where));
            };
            String id = problem.id();
            if (!ids.add(id)) {
                throw new IllegalArgumentException(where + "id \"" + id + "\" appears twice; ids must be unique");
            }
            problems.add(problem);
        }
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problem file " + file + " has no problems");
        }
        return new Read(List.copyOf(problems), resolved);
    }

    /** GSM8K as published: the reference is what follows the rationale's last {@code ####}. */
    private static Problem gsm8k(JsonObject json, int line, String where) {
        String answer = field(json, "answer", where);
        int mark = answer.lastIndexOf("####");
        if (mark < 0 || answer.substring(mark + 4).isBlank()) {
            throw new IllegalArgumentException(where + "a GSM8K answer ends in \"#### <number>\"; this one has no such line (wrong "
                    + "--format? the file's first record decides the format under --format auto)");
        }
        String id = json.has("id") ? field(json, "id", where) : "gsm8k-" + line;
        return new Problem(id, field(json, "question", where), answer.substring(mark + 4).strip());
    }

    /** MATH as published: the {@code answer} field (MATH-500), else the solution's last {@code \boxed{}}. */
    private static Problem math(JsonObject json, int line, String where) {
        String answer = json.has("answer") ? field(json, "answer", where)
                : MathAnswer.lastBoxed(field(json, "solution", where)).filter(a -> !a.isBlank()).orElseThrow(() ->
                        new IllegalArgumentException(where + "the solution has no \\boxed{...} answer and there is no \"answer\" field"));
        String id = json.has("unique_id") ? field(json, "unique_id", where) : json.has("id") ? field(json, "id", where) : "math-" + line;
        return new Problem(id, field(json, "problem", where), answer);
    }

    private static String field(JsonObject json, String name, String where) {
        JsonElement value = json.get(name);
        if (value == null || value.isJsonNull()) {
            throw new IllegalArgumentException(where + "missing field \"" + name + "\" (Emend's format needs id, question, answer; "
                    + "GSM8K question, answer; MATH problem and solution or answer)");
        }
        if (!value.isJsonPrimitive()) {
            throw new IllegalArgumentException(where + "field \"" + name + "\" must be a string or a number");
        }
        String text = value.getAsString();
        if (text.isBlank()) {
            throw new IllegalArgumentException(where + "field \"" + name + "\" is empty");
        }
        return text;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Splits splits() {
        return splits;
    }

    @Override
    public String instruction() {
        return "There might be an error in the solution above because of lack of understanding of the question. "
                + "Please correct the error, if any, and rewrite the solution.";
    }

    @Override
    public Verifier verifier() {
        return verifier;
    }

    @Override
    public int maxAttemptTokens() {
        return maxAttemptTokens;
    }

    @Override
    public String correctAttempt(Problem problem) {
        return "answer: " + problem.answer();
    }

    /** A numeric answer off by 1 or 2; otherwise another problem's different answer. */
    @Override
    public String plausibleWrongAttempt(Problem problem, SplittableRandom random) {
        String normalized = verifier.referenceAnswer(problem);
        if (normalized.matches("-?\\d+")) {
            long value = Long.parseLong(normalized);
            long offset = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(2));
            return "answer: " + (value + offset);
        }
        for (int tries = 0; tries < 100; tries++) {
            Problem other = all.get(random.nextInt(all.size()));
            if (!verifier.referenceAnswer(other).equals(normalized)) {
                return "answer: " + other.answer();
            }
        }
        return "answer: not " + problem.answer();
    }
}
