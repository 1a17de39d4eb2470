package emend.task;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads code problems: one JSON object per line, {@code {"id", "prompt", "tests", "entry_point"}} with optional
 * {@code "canonical_solution"} and {@code "wrong_solutions"}; {@code tests} is Python source or a list of
 * assert lines. HumanEval's own field names ({@code "task_id"}, {@code "test"}) are accepted too, so its file
 * reads as is, and so is MBPP's layout ({@code "task_id", "text", "code", "test_list"}). A file holding one pretty-printed JSON object is read as one problem.
 */
public final class CodeProblems {

    /** The problem set shipped with emend (written for this project; docs/code-task.md describes it). */
    private static final String SHIPPED = "code-problems.jsonl";

    private CodeProblems() {}

    /** The shipped set. */
    public static List<CodeProblem> shipped() {
        try (InputStream in = CodeProblems.class.getResourceAsStream(SHIPPED)) {
            if (in == null) {
                throw new IllegalStateException(SHIPPED + " is missing from the class path (a build problem)");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), SHIPPED, ProblemFormat.EMEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the shipped code problems", e);
        }
    }

    /**
     * Parses a problem file.
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong with it
     */
    public static List<CodeProblem> read(Path file) {
        return read(file, ProblemFormat.AUTO);
    }

    /**
     * Parses a problem file whose records are in {@code format} ({@link ProblemFormat#AUTO}: each in the layout its
     * fields say).
     *
     * @throws IllegalArgumentException naming the file, the line and what is wrong with it
     */
    public static List<CodeProblem> read(Path file, ProblemFormat format) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), format);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("problem file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read problem file " + file + ": " + e.getMessage() + " (it must be UTF-8 JSONL)", e);
        }
    }

    private static List<CodeProblem> parse(String text, String name, ProblemFormat format) {
        JsonObject whole = singleObject(text);
        if (whole != null) {
            return List.of(problem(whole, name + ": ", format.resolve(whole, true)));
        }
        List<CodeProblem> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = name + " line " + (i + 1) + ": ";
            JsonElement element;
            try {
                element = JsonParser.parseString(line);
            } catch (JsonParseException e) {
                throw new IllegalArgumentException(where + "is not valid JSON (" + e.getMessage() + ")", e);
            }
            if (!element.isJsonObject()) {
                throw new IllegalArgumentException(where + "expected a JSON object like {\"id\": \"p1\", \"prompt\": \"def f(x):\\n ...\", "
                        + "\"tests\": [\"assert f(1) == 2\"], \"entry_point\": \"f\"}");
            }
            CodeProblem problem = problem(element.getAsJsonObject(), where, format.resolve(element.getAsJsonObject(), true));
            if (!ids.add(problem.id())) {
                throw new IllegalArgumentException(where + "id \"" + problem.id() + "\" appears twice; ids must be unique");
            }
            problems.add(problem);
        }
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problem file " + name + " has no problems");
        }
        return List.copyOf(problems);
    }

    /** The object when {@code text} is exactly one JSON object spread over several lines, else null. */
    private static JsonObject singleObject(String text) {
        if (text.strip().lines().count() < 2) {
            return null;
        }
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            JsonElement element = JsonParser.parseReader(reader);
            return element.isJsonObject() && reader.peek() == JsonToken.END_DOCUMENT ? element.getAsJsonObject() : null;
        } catch (JsonParseException | IOException | IllegalStateException e) {
            return null;
        }
    }

    private static CodeProblem problem(JsonObject json, String where, ProblemFormat format) {
        if (format == ProblemFormat.MBPP) {
            return mbpp(json, where);
        }
        String id = text(json, where, "id", "task_id");
        String prompt = text(json, where, "prompt");
        String entryPoint = text(json, where, "entry_point");
        String tests = tests(json, where);
        String solution = json.has("canonical_solution") ? text(json, where, "canonical_solution") : "";
        List<String> wrong = new ArrayList<>();
        if (json.has("wrong_solutions")) {
            JsonElement list = json.get("wrong_solutions");
            if (!list.isJsonArray()) {
                throw new IllegalArgumentException(where + "wrong_solutions must be a list of programs");
            }
            for (JsonElement e : list.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || e.getAsString().isBlank()) {
                    throw new IllegalArgumentException(where + "wrong_solutions must hold non-empty strings");
                }
                wrong.add(e.getAsString());
            }
        }
        try {
            return new CodeProblem(id, prompt, entryPoint, tests, solution, wrong);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    /**
     * MBPP as published: the task's text and its tests become the prompt (a module docstring, as MBPP is usually
     * posed: the tests show the function's name and signature), {@code code} the canonical solution, and the
     * function the tests call the entry point.
     */
    private static CodeProblem mbpp(JsonObject json, String where) {
        String id = "mbpp/" + text(json, where, "task_id");
        String code = text(json, where, "code").replace("\r\n", "\n");
        List<String> asserts = new ArrayList<>();
        for (String line : tests(json, where, "test_list").split("\n")) {
            if (!line.isBlank()) {
                asserts.add(line);
            }
        }
        String entryPoint = calledFunction(code, asserts.get(0)).orElseThrow(() -> new IllegalArgumentException(where
                + "no function defined in \"code\" is called by the first test (" + asserts.get(0) + ")"));
        String setup = json.has("test_setup_code") && json.get("test_setup_code").isJsonPrimitive()
                ? json.get("test_setup_code").getAsString().replace("\r\n", "\n").strip() : "";
        String prompt = "r\"\"\"" + text(json, where, "text").replace("\"\"\"", "'''") + "\nYour code should pass these tests:\n"
                + String.join("\n", asserts).replace("\"\"\"", "'''") + "\n\"\"\"\n";
        String tests = (setup.isEmpty() ? "" : setup + "\n") + String.join("\n", asserts) + "\n";
        try {
            return new CodeProblem(id, prompt, entryPoint, tests, code, List.of());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + e.getMessage(), e);
        }
    }

    /** The function {@code code} defines that {@code test} calls (the first such), if any. */
    private static Optional<String> calledFunction(String code, String test) {
        Matcher defined = Pattern.compile("(?m)^def\\s+([A-Za-z_]\\w*)\\s*\\(").matcher(code);
        while (defined.find()) {
            if (Pattern.compile("\\b" + defined.group(1) + "\\s*\\(").matcher(test).find()) {
                return Optional.of(defined.group(1));
            }
        }
        return Optional.empty();
    }

    private static String tests(JsonObject json, String where) {
        return tests(json, where, "tests", "test");
    }

    private static String tests(JsonObject json, String where, String... names) {
        JsonElement value = json.has(names[0]) ? json.get(names[0]) : names.length > 1 ? json.get(names[1]) : null;
        if (value != null && value.isJsonArray()) {
            JsonArray lines = value.getAsJsonArray();
            StringBuilder out = new StringBuilder();
            for (JsonElement line : lines) {
                if (!line.isJsonPrimitive()) {
                    throw new IllegalArgumentException(where + "tests must be a string or a list of strings");
                }
                out.append(line.getAsString()).append('\n');
            }
            if (out.toString().isBlank()) {
                throw new IllegalArgumentException(where + "tests is empty");
            }
            return out.toString();
        }
        return text(json, where, names);
    }

    /** The first of {@code names} present, as non-empty text. */
    private static String text(JsonObject json, String where, String... names) {
        for (String name : names) {
            JsonElement value = json.get(name);
            if (value == null || value.isJsonNull()) {
                continue;
            }
            if (!value.isJsonPrimitive() || value.getAsString().isBlank()) {
                throw new IllegalArgumentException(where + "field \"" + name + "\" must be a non-empty string");
            }
            return value.getAsString();
        }
        throw new IllegalArgumentException(where + "missing field \"" + names[0] + "\" (need id, prompt, tests, entry_point)");
    }
}
