package emend.experiment;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a run directory an experiment finds already there was made with the settings the experiment would run it
 * with, so its results can be reused (or its saved state continued) instead of being silently mixed with others.
 */
final class SavedRunSettings {

    /** Keys that say where or how a run was watched, not what it trained: a moved or resumed run still matches. */
    private static final Set<String> IGNORED = Set.of("run-dir", "resume", "control", "runtime.metrics-host", "runtime.metrics-port", "runtime.metrics-role-ports",
            "runtime.weight-stream-port");

    private SavedRunSettings() {}

    /**
     * Throws when {@code runDir/settings.json} exists and differs from {@code settingsJson} (the emend block as
     * JSON), naming the first key that differs and the ways out.
     */
    static void requireSame(Path runDir, String settingsJson) {
        Path file = runDir.resolve("settings.json");
        if (!Files.isRegularFile(file)) {
            return;
        }
        JsonElement saved;
        try {
            saved = JsonParser.parseString(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is corrupt (" + e.getMessage() + "): remove " + runDir + " to run it again", e);
        }
        firstDifference("", saved, JsonParser.parseString(settingsJson)).ifPresent(difference -> {
            throw new IllegalArgumentException(runDir + " holds a run made with other settings than this experiment's (" + difference
                    + "): choose another --run-dir, or remove " + runDir + " to run it again with these settings");
        });
    }

    /** The first differing key under {@code path}, as "key: saved X, now Y"; keys in {@link #IGNORED} are skipped. */
    static Optional<String> firstDifference(String path, JsonElement saved, JsonElement now) {
        if (IGNORED.contains(path)) {
            return Optional.empty();
        }
        if (saved.isJsonObject() && now.isJsonObject()) {
            JsonObject savedObject = saved.getAsJsonObject();
            JsonObject nowObject = now.getAsJsonObject();
            Set<String> keys = new TreeSet<>(savedObject.keySet());
            keys.addAll(nowObject.keySet());
            for (String key : keys) {
                String child = path.isEmpty() ? key : path + "." + key;
                if (IGNORED.contains(child)) {
                    continue;
                }
                if (!savedObject.has(key) || !nowObject.has(key)) {
                    return Optional.of(child + ": " + (savedObject.has(key) ? "saved, now absent" : "absent when saved"));
                }
                Optional<String> difference = firstDifference(child, savedObject.get(key), nowObject.get(key));
                if (difference.isPresent()) {
                    return difference;
                }
            }
            return Optional.empty();
        }
        return saved.equals(now) ? Optional.empty() : Optional.of(path + ": saved " + saved + ", now " + now);
    }
}
