package emend.run;

import com.google.gson.Gson;
import emend.util.JsonNumbers;
import emend.metrics.TensorBoardWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * A run's folder: settings.json, metrics.jsonl (one line per step or evaluation) and the same numbers as
 * TensorBoard curves (events.out.tfevents.*), results.json, checkpoints.
 */
public final class RunDirectory implements AutoCloseable {

    private static final Gson GSON = JsonNumbers.strict(true);
    private static final Gson LINE = JsonNumbers.strict(false);

    private final Path root;
    private final BufferedWriter metrics;
    private final TensorBoardWriter curves;

    private RunDirectory(Path root) throws IOException {
        this.root = root;
        this.metrics = Files.newBufferedWriter(root.resolve("metrics.jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        this.curves = TensorBoardWriter.open(root);
    }

    /** Opens {@code path}, or a new {@code runs/<date-time>-seed<seed>} when it is empty. */
    public static RunDirectory open(String path, long seed) {
        Path root = path.isBlank()
                ? Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-seed" + seed)
                : Path.of(path);
        try {
            Files.createDirectories(root);
            return new RunDirectory(root);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot create run directory " + root + ": " + e.getMessage()
                    + " (choose another --run-dir)", e);
        }
    }

    public Path root() {
        return root;
    }

    /** Appends one metrics record; its numbers also go to TensorBoard at the record's {@code step}. */
    public void metric(Map<String, Object> record) {
        try {
            metrics.write(LINE.toJson(record));
            metrics.newLine();
            metrics.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + root.resolve("metrics.jsonl"), e);
        }
        if (record.get("step") instanceof Number step) {
            curves.scalars(step.longValue(), record);
        }
    }

    /** Writes {@code value} as pretty JSON to {@code name} atomically. */
    public void writeJson(String name, Object value) {
        writeJsonFile(root.resolve(name), value);
    }

    /** Writes {@code value} as pretty JSON to {@code target} atomically (a temporary sibling, then a rename). */
    public static void writeJsonFile(Path target, Object value) {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        try {
            Files.writeString(temp, GSON.toJson(value) + "\n", StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** Reads {@code name} back as a {@code type}, e.g. a saved evaluation. */
    public <T> T readJson(String name, Class<T> type) {
        Path file = root.resolve(name);
        try {
            return GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), type);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + e.getMessage() + "); the run directory is incomplete", e);
        }
    }

    public static String toJson(Object value) {
        return GSON.toJson(value);
    }

    @Override
    public void close() {
        curves.close();
        try {
            metrics.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
