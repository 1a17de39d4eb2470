package emend.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import emend.model.ModelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs pytorch_reference.py (beside this class) with a Python that has PyTorch, for the same model shape and thread
 * count as Emend's benchmark, so `emend bench model --reference python3` prints the two side by side. On Debian:
 * {@code apt-get install python3-torch libopenblas0-pthread}.
 */
public final class PytorchReference {

    /** What the reference measured, or why it did not run. */
    public sealed interface Outcome {}

    /** Tokens per second per workload, as the script prints them (keys as in {@link ModelBenchmark}'s JSON). */
    public record Figures(JsonObject values) implements Outcome {
        public double get(String key) {
            return values.get(key).getAsDouble();
        }
    }

    /** The reference could not run: the reason, for the printed note. */
    public record Skipped(String reason) implements Outcome {}

    private static final String SCRIPT = "pytorch_reference.py";
    /**
     * Threads of each BLAS call in the reference, 1 unless the caller's environment names a number. Debian's PyTorch
     * multiplies through OpenBLAS's pthread build, which keeps a pool of its own beside PyTorch's threads and ignores
     * {@code torch.set_num_threads}: with both at 2 on 2 cores they spin against each other. Measured here (2026-12-06,
     * tiny model, PyTorch 1.13, torch threads / BLAS threads, tokens/s): batch 32 1,309 at 2/2 against 8,127 at 2/1,
     * 7,649 at 1/2 and 7,977 at 1/1; training 2,894 against 10,172, 10,373 and 11,430; batch 1 939 against 966, 983
     * and 985. Without contention the three settings are within 12% of each other per workload; 2/1 keeps PyTorch's
     * own threads equal to Emend's. (A wheel built with MKL shares one pool for both and would multiply on 2 threads.)
     */
    static final String BLAS_THREADS = "OPENBLAS_NUM_THREADS";
    private static final long TIMEOUT_MINUTES = 15;

    private PytorchReference() {}

    /** The command line for {@code python} and the model: shape, rotary base, norm epsilon and threads. */
    static List<String> command(String python, Path script, ModelConfig config, int threads) {
        return List.of(python, script.toString(),
                "--vocab", Integer.toString(config.vocabSize()), "--width", Integer.toString(config.width()),
                "--layers", Integer.toString(config.layers()), "--heads", Integer.toString(config.heads()),
                "--kv-heads", Integer.toString(config.kvHeads()), "--ffn", Integer.toString(config.ffnWidth()),
                "--context", Integer.toString(config.contextLength()), "--threads", Integer.toString(threads),
                "--theta", Double.toString(config.ropeTheta()), "--eps", Double.toString(config.normEps()),
                "--tied", Boolean.toString(config.tiedEmbeddings()));
    }

    public static Outcome run(String python, ModelConfig config, int threads) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("emend-reference");
            Path script = dir.resolve(SCRIPT);
            try (InputStream in = PytorchReference.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException(SCRIPT + " is missing from the build (it is packaged beside " + PytorchReference.class.getName() + ")");
                }
                Files.copy(in, script);
            }
            Path output = dir.resolve("output.txt");
            Process process;
            try {
                ProcessBuilder builder = new ProcessBuilder(command(python, script, config, threads)).redirectErrorStream(true).redirectOutput(output.toFile());
                builder.environment().merge(BLAS_THREADS, "1", (set, fallback) -> set.isBlank() ? fallback : set);
                process = builder.start();
            } catch (IOException e) {
                return new Skipped("'" + python + "' could not be started (" + e.getMessage() + "); pass --reference with a Python that has PyTorch");
            }
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return new Skipped("the reference ran past " + TIMEOUT_MINUTES + " minutes and was stopped");
            }
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1).strip();
            if (process.exitValue() != 0 || !last.startsWith("{")) {
                String text = String.join("\n", lines);
                String why = text.matches("(?s).*No module named '?torch.*")
                        ? python + " has no PyTorch (on Debian: apt-get install python3-torch libopenblas0-pthread)"
                        : python + " exited with " + process.exitValue() + ": " + (text.length() > 400 ? text.substring(text.length() - 400) : text);
                return new Skipped(why);
            }
            return new Figures(JsonParser.parseString(last).getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Skipped("interrupted");
        } finally {
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        Files.deleteIfExists(f);
                    }
                    Files.deleteIfExists(dir);
                } catch (IOException ignored) {
                    // a temporary directory left behind is harmless
                }
            }
        }
    }
}
