package emend.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import emend.util.JsonNumbers;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code emend report RUN_DIR}: PNG curves and a markdown summary of a run, made from what the run saved
 * (metrics.jsonl, and results.json once it finished), so it can be made again at any time, also while the run
 * goes on.
 */
public final class RunReport {

    public static final String DIRECTORY = "report";

    /** One chart: file name, title, y label, and the metrics drawn (each times {@code scale}). */
    private record Chart(String file, String title, String yLabel, double scale, List<String> metrics) {}

    private static final List<Chart> TRAINING_CHARTS = List.of(
            new Chart("rewards.png", "Training reward per turn", "mean reward", 1, List.of("rewards/t1", "rewards/t2")),
            new Chart("kl.png", "KL to the reference per turn", "KL estimate per sequence (nats)", 1, List.of("kl/t1", "kl/t2")),
            new Chart("loss.png", "Loss and gradient norm", "value", 1, List.of("loss", "grad_norm")),
            new Chart("throughput.png", "Generation speed", "tokens/s", 1, List.of("perf/tokens_per_s")));
    private static final Chart DEV_CHART = new Chart("dev.png", "Dev set, greedy", "percent", 100,
            List.of("eval/dev/acc_t1", "eval/dev/acc_t2", "eval/dev/delta"));

    private RunReport() {}

    /**
     * Writes {@code RUN_DIR/report/report.md} and its PNGs; returns the markdown file.
     *
     * @throws IllegalArgumentException if the directory has no readable metrics.jsonl
     */
    public static Path write(Path runDir) {
        Path metricsFile = runDir.resolve("metrics.jsonl");
        TreeMap<Integer, JsonObject> steps = new TreeMap<>();
        TreeMap<Integer, JsonObject> evaluations = new TreeMap<>();
        readMetrics(metricsFile, steps, evaluations);
        Optional<JsonObject> results = readObject(runDir.resolve("results.json"));
        Path out = runDir.resolve(DIRECTORY);
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        List<String> figures = new ArrayList<>();
        for (Chart chart : TRAINING_CHARTS) {
            if (plot(out, chart, steps)) {
                figures.add(chart.file());
            }
        }
        if (plot(out, DEV_CHART, evaluations)) {
            figures.add(DEV_CHART.file());
        }
        Path markdown = out.resolve("report.md");
        try {
            Files.writeString(markdown, markdown(runDir, steps, evaluations, results, figures), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + markdown + ": " + e.getMessage(), e);
        }
        return markdown;
    }

    private static void readMetrics(Path file, Map<Integer, JsonObject> steps, Map<Integer, JsonObject> evaluations) {
        for (JsonObject record : records(file)) {
            if (!record.has("step")) {
                continue;
            }
            int step = record.get("step").getAsInt();
            // a resumed run logs its steps again from the resume point: the later record of a step wins
            if (record.has("eval/dev/acc_t2")) {
                evaluations.put(step, record);
            } else if (record.has("rewards/t1")) {
                steps.put(step, record);
            }
        }
    }

    /**
     * Every record of a run's metrics.jsonl, in order; a last line that is not JSON (the one a running or killed job
     * was writing) is left out.
     *
     * @throws IllegalArgumentException if the file is missing, or another line is not a JSON object (naming it)
     */
    public static List<JsonObject> records(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file.getParent() + " is not a run directory: it has no metrics.jsonl", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<JsonObject> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                records.add(JsonParser.parseString(lines.get(i)).getAsJsonObject());
            } catch (JsonParseException | IllegalStateException e) {
                if (i < lines.size() - 1) {
                    throw new IllegalArgumentException(file + " line " + (i + 1) + " is not a JSON object: " + e.getMessage(), e);
                }
            }
        }
        return records;
    }

    private static Optional<JsonObject> readObject(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /** Draws {@code chart} from the records that have its metrics; false when none has. */
    private static boolean plot(Path out, Chart chart, TreeMap<Integer, JsonObject> records) {
        List<LinePlot.Series> series = new ArrayList<>();
        for (String metric : chart.metrics()) {
            double[] x = records.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
            double[] y = records.values().stream().mapToDouble(r -> JsonNumbers.of(r, metric) * chart.scale()).toArray();
            if (java.util.Arrays.stream(y).anyMatch(Double::isFinite)) {
                series.add(new LinePlot.Series(metric, x, y));
            }
        }
        if (series.isEmpty()) {
            return false;
        }
        LinePlot.write(out.resolve(chart.file()), chart.title(), "step", chart.yLabel(), series);
        return true;
    }

    private static String markdown(Path runDir, TreeMap<Integer, JsonObject> steps, TreeMap<Integer, JsonObject> evaluations,
                                   Optional<JsonObject> results, List<String> figures) {
        StringBuilder md = new StringBuilder();
        md.append("# Run report: ").append(runDir.toAbsolutePath().normalize().getFileName()).append("\n\n");
        md.append("Made by `emend report ").append(runDir).append("` from metrics.jsonl").append(results.isPresent() ? " and results.json" : "")
                .append(".\n\n");
        if (results.isPresent()) {
            JsonObject r = results.get();
            md.append(String.format(Locale.ROOT, "Seed %s, task %s, schedule %s; selected step %s; wall time %.0f s.%n%n",
                    r.get("seed"), r.get("task").getAsString(), r.get("schedule"), r.get("selected_step"), r.get("wall_seconds").getAsDouble()));
            md.append("## Held-out test problems (percent)\n\n");
            md.append("| model | decoding | Acc@t1 | Acc@t2 | Δ(t1,t2) | Δi→c | Δc→i | t2\\|right | t2\\|wrong | flag\\|wrong | pass\\|right |\n");
            md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (String model : List.of("base", "trained")) {
                if (r.has(model)) {
                    row(md, model, "greedy", r.getAsJsonObject(model).getAsJsonObject("greedy"), r.getAsJsonObject(model).getAsJsonObject("counterfactuals"));
                    row(md, model, "T=1", r.getAsJsonObject(model).getAsJsonObject("sampled"), null);
                }
            }
            md.append('\n');
        } else {
            md.append("No results.json yet: the run is going on, stopped, or failed.\n\n");
        }
        md.append("## Training\n\n");
        if (steps.isEmpty()) {
            md.append("No training step logged yet.\n\n");
        } else {
            JsonObject last = steps.lastEntry().getValue();
            md.append(String.format(Locale.ROOT, "%d steps logged (last: step %d, %s): reward t1 %.3f, t2 %.3f; KL t1 %.4f, t2 %.4f; %.0f tokens/s.%n%n",
                    steps.size(), steps.lastKey(), last.has("stage") ? last.get("stage").getAsString() : "?", JsonNumbers.of(last, "rewards/t1"),
                    JsonNumbers.of(last, "rewards/t2"), JsonNumbers.of(last, "kl/t1"), JsonNumbers.of(last, "kl/t2"), JsonNumbers.of(last, "perf/tokens_per_s")));
        }
        if (!evaluations.isEmpty()) {
            md.append("## Dev evaluations (greedy, percent)\n\n| step | stage | Acc@t1 | Acc@t2 | Δ | Δi→c | Δc→i |\n|---|---|---|---|---|---|---|\n");
            evaluations.forEach((step, e) -> md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %+.1f | %.1f | %.1f |%n", step,
                    e.has("stage") ? e.get("stage").getAsString() : "", 100 * JsonNumbers.of(e, "eval/dev/acc_t1"), 100 * JsonNumbers.of(e, "eval/dev/acc_t2"),
                    100 * JsonNumbers.of(e, "eval/dev/delta"), 100 * JsonNumbers.of(e, "eval/dev/i_to_c"), 100 * JsonNumbers.of(e, "eval/dev/c_to_i"))));
            md.append('\n');
        }
        if (!figures.isEmpty()) {
            md.append("## Figures\n\n");
            figures.forEach(f -> md.append("![").append(f).append("](").append(f).append(")\n"));
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String model, String decoding, JsonObject m, JsonObject counterfactuals) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %+.1f | %.1f | %.1f | %s | %s | %s | %s |%n", model, decoding,
                100 * JsonNumbers.of(m, "accT1"), 100 * JsonNumbers.of(m, "accT2"), 100 * JsonNumbers.of(m, "delta"), 100 * JsonNumbers.of(m, "incorrectToCorrect"),
                100 * JsonNumbers.of(m, "correctToIncorrect"),
                counterfactuals == null ? "" : String.format(Locale.ROOT, "%.1f", 100 * JsonNumbers.of(counterfactuals, "accT2GivenRight")),
                counterfactuals == null ? "" : String.format(Locale.ROOT, "%.1f", 100 * JsonNumbers.of(counterfactuals, "accT2GivenWrong")),
                percentOrBlank(counterfactuals, "ownWrongFlagged"), percentOrBlank(counterfactuals, "ownRightPassed")));
    }

    /** A counterfactual figure in percent; blank where the row has none or results.json predates it. */
    private static String percentOrBlank(JsonObject counterfactuals, String key) {
        if (counterfactuals == null || !counterfactuals.has(key) || !counterfactuals.get(key).isJsonPrimitive()
                || !counterfactuals.get(key).getAsJsonPrimitive().isNumber()) {
            return "";
        }
        double value = counterfactuals.get(key).getAsDouble();
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.1f", 100 * value);
    }
}
