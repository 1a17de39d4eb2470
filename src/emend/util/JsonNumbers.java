package emend.util;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;

/**
 * Numbers in the JSON files a run writes (results.json, metrics.jsonl): strict JSON, so a number that is not
 * finite (a share over no cases) is written {@code null}, and read back as NaN.
 */
public final class JsonNumbers {

    private JsonNumbers() {}

    /**
     * A Gson that writes NaN and infinities as {@code null} (strict JSON readers refuse the bare words) and reads
     * {@code null} (and the bare words older runs wrote) back as NaN.
     */
    public static Gson strict(boolean pretty) {
        TypeAdapter<Double> finiteOrNull = new TypeAdapter<>() {
            @Override
            public void write(JsonWriter out, Double value) throws IOException {
                if (value == null || value.isNaN() || value.isInfinite()) {
                    out.nullValue();
                } else {
                    out.value(value.doubleValue());
                }
            }

            @Override
            public Double read(JsonReader in) throws IOException {
                if (in.peek() == JsonToken.NULL) {
                    in.nextNull();
                    return Double.NaN;
                }
                return in.nextDouble();
            }
        };
        GsonBuilder builder = new GsonBuilder().serializeNulls().serializeSpecialFloatingPointValues()
                .registerTypeAdapter(Double.class, finiteOrNull).registerTypeAdapter(double.class, finiteOrNull);
        return pretty ? builder.setPrettyPrinting().create() : builder.create();
    }

    /** {@code object[key]} as a number: NaN when it is missing, {@code null}, or not a number (older runs wrote "NaN"). */
    public static double of(JsonObject object, String key) {
        JsonElement e = object.get(key);
        if (e == null || e.isJsonNull() || !e.isJsonPrimitive()) {
            return Double.NaN;
        }
        try {
            return e.getAsDouble();
        } catch (NumberFormatException notANumber) {
            return Double.NaN;
        }
    }
}
