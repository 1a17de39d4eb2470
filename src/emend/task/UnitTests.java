package emend.task;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * What a code problem's verifier needs, carried in {@link Problem#answer()} as a small JSON object
 * ({@code {"entry_point": ..., "tests": ...}}). The tests are code the judge runs, so they come only from a
 * problem set the scoring node loaded itself ({@link ProblemSet}), never from a message.
 */
public record UnitTests(String entryPoint, String tests) {

    public String toAnswer() {
        JsonObject o = new JsonObject();
        o.addProperty("entry_point", entryPoint);
        o.addProperty("tests", tests);
        return o.toString();
    }

    /**
     * @throws IllegalArgumentException when the problem's answer is not a code problem's reference
     */
    public static UnitTests of(Problem problem) {
        try {
            JsonElement parsed = JsonParser.parseString(problem.answer());
            if (parsed.isJsonObject()) {
                JsonObject o = parsed.getAsJsonObject();
                JsonElement entry = o.get("entry_point");
                JsonElement tests = o.get("tests");
                if (entry != null && entry.isJsonPrimitive() && tests != null && tests.isJsonPrimitive()) {
                    return new UnitTests(entry.getAsString(), tests.getAsString());
                }
            }
        } catch (JsonParseException e) {
            // reported below
        }
        throw new IllegalArgumentException("problem " + problem.id() + " is not a code problem: its answer must be "
                + "{\"entry_point\": ..., \"tests\": ...}");
    }
}
