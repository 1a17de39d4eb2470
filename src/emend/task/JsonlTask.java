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
 * A user problem set, one JSON object per line: {@code {"id": "...", "question": "...", "answer": "..."}}.
 *
 * <p>The problems are shuffled under the task seed and cut into test (20%), dev (10%) and train (the rest), so a
 * single file gives held-out problems; {@link #allAsTest} evaluates a whole file instead. Attempts are expected
 * to end in {@code answer: ...} (see {@link FinalAnswerVerifier}).
 */
public final class JsonlTask implements Task {

    private final String name;
    private final List<Problem> all;
    private final Splits splits;
    private final Verifier verifier = new FinalAnswerVerifier();

    private JsonlTask(String name, List<Problem> all, Splits splits) {
        this.name = name;
        this.all = all;
        this.splits = splits;
    }

    /** Reads {@code file} and splits it under {@code seed}. */
    public static JsonlTask split(Path file, long seed) {
        List<Problem> problems = read(file);
        if (problems.size() < 3) {
            throw new IllegalArgumentException(file + " has " + problems.size() + " problems; training needs at least 3 "
                    + "(they are split into train, dev and test)");
        }
        return new JsonlTask("jsonl", problems,
                Splits.shuffled(problems, seed, Math.max(1, problems.size() / 5), Math.max(1, problems.size() / 10)));
    }

    /** Reads {@code file} for evaluation only: every problem is a test problem. */
    public static JsonlTask allAsTest(Path file) {
        List<Problem> problems = read(file);
        return new JsonlTask("jsonl", problems, new Splits(List.of(), List.of(), problems));
    }

    /**
     * Parses the file.
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong with it
     */
    public static List<Problem> read(Path file) {
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
            String id = field(json, "id", where);
            String question = field(json, "question", where);
            String answer = field(json, "answer", where);
            if (!ids.add(id)) {
                throw new IllegalArgumentException(where + "id \"" + id + "\" appears twice; ids must be unique");
            }
            problems.add(new Problem(id, question, answer));
        }
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problem file " + file + " has no problems");
        }
        return List.copyOf(problems);
    }

    private static String field(JsonObject json, String name, String where) {
        JsonElement value = json.get(name);
        if (value == null || value.isJsonNull()) {
            throw new IllegalArgumentException(where + "missing field \"" + name + "\" (need id, question, answer)");
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
        return 64;
    }

    @Override
    public String correctAttempt(Problem problem) {
        return "answer: " + problem.answer();
    }

    /** A numeric answer off by 1 or 2; otherwise another problem's different answer. */
    @Override
    public String plausibleWrongAttempt(Problem problem, SplittableRandom random) {
        String normalized = AnswerNormalizer.normalize(problem.answer());
        if (normalized.matches("-?\\d+")) {
            long value = Long.parseLong(normalized);
            long offset = (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(2));
            return "answer: " + (value + offset);
        }
        for (int tries = 0; tries < 100; tries++) {
            Problem other = all.get(random.nextInt(all.size()));
            if (!AnswerNormalizer.normalize(other.answer()).equals(normalized)) {
                return "answer: " + other.answer();
            }
        }
        return "answer: not " + problem.answer();
    }
}
