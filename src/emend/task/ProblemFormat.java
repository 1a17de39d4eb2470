package emend.task;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Locale;

/**
 * The layouts a problem file may come in ({@code emend.task.format}): Emend's own, or a public data set's as it is
 * published. {@code auto} reads the layout from the first record's fields.
 */
public enum ProblemFormat {
    /** Read the layout from the first record's fields. */
    AUTO,
    /** Emend's own: {@code {"id", "question", "answer"}}, or for code {@code {"id", "prompt", "tests", "entry_point"}}. */
    EMEND,
    /** GSM8K: {@code {"question", "answer"}}, the answer a rationale ending in {@code #### 72}; no id. */
    GSM8K,
    /** MATH and MATH-500: {@code {"problem", "solution"}} with the answer in {@code \boxed{}}, or an {@code "answer"} field. */
    MATH,
    /** HumanEval: {@code {"task_id", "prompt", "canonical_solution", "test", "entry_point"}}. */
    HUMANEVAL,
    /** MBPP: {@code {"task_id", "text", "code", "test_list"}} (and {@code test_setup_code}). */
    MBPP;

    /** @throws IllegalArgumentException naming the formats there are */
    public static ProblemFormat parse(String name) {
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown problem format '" + name + "' (emend.task.format): use one of "
                    + String.join(", ", Arrays.stream(values()).map(f -> f.name().toLowerCase(Locale.ROOT)).toList()), e);
        }
    }

    /** Whether records of this format are code problems (run against tests) rather than answer problems. */
    public boolean code() {
        return this == HUMANEVAL || this == MBPP;
    }

    /** The format {@code first}'s fields say a file of answer problems is in. */
    static ProblemFormat detectAnswers(JsonObject first) {
        if (first.has("problem") && (first.has("solution") || first.has("answer"))) {
            return MATH;
        }
        if (!first.has("id") && first.has("question") && first.has("answer") && first.get("answer").isJsonPrimitive()
                && first.get("answer").getAsString().contains("####")) {
            return GSM8K;
        }
        return EMEND;
    }

    /** The format {@code first}'s fields say a file of code problems is in. */
    static ProblemFormat detectCode(JsonObject first) {
        if (first.has("text") && first.has("test_list")) {
            return MBPP;
        }
        return first.has("task_id") && first.has("test") ? HUMANEVAL : EMEND;
    }

    /** This format as given, or the one {@code first}'s fields say when it is {@link #AUTO}. */
    ProblemFormat resolve(JsonObject first, boolean code) {
        if (this != AUTO) {
            if (code() != code && this != EMEND) {
                throw new IllegalArgumentException("format " + name().toLowerCase(Locale.ROOT) + " holds " + (code() ? "code" : "answer")
                        + " problems: use it with --task " + (code() ? "code" : "jsonl"));
            }
            return this;
        }
        return code ? detectCode(first) : detectAnswers(first);
    }
}
