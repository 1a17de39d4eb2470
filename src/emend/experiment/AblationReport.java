package emend.experiment;

import com.google.gson.JsonObject;
import emend.util.JsonNumbers;
import com.google.gson.JsonParser;
import emend.report.BarPlot;
import emend.report.LinePlot;
import emend.report.RunReport;
import emend.run.RunDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The comparison of an ablation experiment, made from its runs' saved files ({@code seed<k>/<method>/results.json}
 * and {@code metrics.jsonl}), so {@code emend report EXPERIMENT_DIR} makes it again: {@code ablations.md} and
 * {@code ablations.json} (greedy held-out metrics, mean ± half-range over seeds), {@code delta.png} (Δ per method),
 * {@code rewards-t1.png} and {@code rewards-t2.png} (training rewards per step) and {@code dev-delta.png} (dev Δ per
 * evaluation step).
 */
public final class AblationReport {

    public static final String TABLE = "ablations.md";
    public static final String JSON = "ablations.json";

    /** The greedy held-out figures of one method, per seed, in percent. */
    private record Row(String name, String label, Map<String, List<Double>> values) {

        double mean(String metric) {
            return values.get(metric).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        double halfRange(String metric) {
            List<Double> v = values.get(metric);
            return v.isEmpty() ? Double.NaN : (v.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                    - v.stream().mapToDouble(Double::doubleValue).min().orElseThrow()) / 2;
        }

        int seeds() {
            return values.get("acc_t2").size();
        }
    }

    private static final List<String> METRICS = List.of("acc_t1", "acc_t2", "delta", "i_to_c", "c_to_i", "t2_right", "t2_wrong");
    private static final List<String> HEADERS = List.of("Acc@t1", "Acc@t2", "Δ(t1,t2)", "Δi→c", "Δc→i", "t2|right", "t2|wrong");

    private AblationReport() {}

    /** Whether {@code dir} holds an ablation experiment's runs. */
    public static boolean isExperiment(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.anyMatch(p -> p.getFileName().toString().matches("seed\\d+") && Files.isDirectory(p));
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes the comparison of the runs under {@code dir}; returns the markdown file. */
    public static Path write(Path dir) {
        List<Path> seeds = seedDirectories(dir);
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no experiment runs (seed1/, seed2/, ...)");
        }
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, String> method : AblationExperiment.LABELS.entrySet()) {
            Row row = new Row(method.getKey(), method.getValue(), new LinkedHashMap<>());
            METRICS.forEach(m -> row.values().put(m, new ArrayList<>()));
            for (Path seed : seeds) {
                Optional<JsonObject> evaluation = evaluation(seed, method.getKey());
                evaluation.ifPresent(e -> add(row, e));
            }
            if (row.seeds() > 0) {
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(dir + " has no finished runs yet (no results.json under seed*/<method>/)");
        }
        Path table = dir.resolve(TABLE);
        try {
            Files.writeString(table, markdown(dir, rows), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + table + ": " + e.getMessage(), e);
        }
        RunDirectory.writeJsonFile(dir.resolve(JSON), json(rows, seeds.size()));
        BarPlot.write(dir.resolve("delta.png"), "Δ(t1,t2) on held-out problems, greedy (mean ± half-range over seeds)", "Δ (points)",
                rows.stream().map(r -> new BarPlot.Bar(r.name(), r.mean("delta"), r.halfRange("delta"))).toList());
        curves(dir, seeds, rows, "rewards/t1", 1, "rewards-t1.png", "Training reward of attempt 1 (mean over seeds)", "mean reward t1", false);
        curves(dir, seeds, rows, "rewards/t2", 1, "rewards-t2.png", "Training reward of attempt 2 (mean over seeds)", "mean reward t2", false);
        curves(dir, seeds, rows, "eval/dev/delta", 100, "dev-delta.png", "Dev Δ(t1,t2), greedy (mean over seeds)", "Δ (points)", true);
        return table;
    }

    private static List<Path> seedDirectories(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> p.getFileName().toString().matches("seed\\d+") && Files.isDirectory(p))
                    .sorted(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4)))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A method's held-out evaluation in one seed: the trained model's, or for the prompted row the base model's. */
    private static Optional<JsonObject> evaluation(Path seed, String method) {
        if (method.equals("prompted")) {
            // the base model of the seed, as any run that started from it evaluated it
            for (String run : List.of("score", "single-turn", "no-stage1", "no-shaping", "star", "star-dplus", "pair-sft")) {
                Optional<JsonObject> results = results(seed.resolve(run));
                if (results.isPresent()) {
                    return Optional.of(results.get().getAsJsonObject("base"));
                }
            }
            return Optional.empty();
        }
        return results(seed.resolve(method)).map(r -> r.getAsJsonObject("trained"));
    }

    private static Optional<JsonObject> results(Path run) {
        Path file = run.resolve("results.json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JsonParser.parseString(Files.readString(file)).getAsJsonObject());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static void add(Row row, JsonObject evaluation) {
        JsonObject greedy = evaluation.getAsJsonObject("greedy");
        JsonObject counterfactuals = evaluation.getAsJsonObject("counterfactuals");
        row.values().get("acc_t1").add(100 * JsonNumbers.of(greedy, "accT1"));
        row.values().get("acc_t2").add(100 * JsonNumbers.of(greedy, "accT2"));
        row.values().get("delta").add(100 * JsonNumbers.of(greedy, "delta"));
        row.values().get("i_to_c").add(100 * JsonNumbers.of(greedy, "incorrectToCorrect"));
        row.values().get("c_to_i").add(100 * JsonNumbers.of(greedy, "correctToIncorrect"));
        row.values().get("t2_right").add(100 * JsonNumbers.of(counterfactuals, "accT2GivenRight"));
        row.values().get("t2_wrong").add(100 * JsonNumbers.of(counterfactuals, "accT2GivenWrong"));
    }

    private static String markdown(Path dir, List<Row> rows) {
        StringBuilder md = new StringBuilder("# Baselines and ablations\n\n");
        md.append("Held-out test problems, greedy, percent; mean ± half-range over seeds (n = seeds). Made by `emend report ")
                .append(dir).append("` from the runs under it.\n\n");
        md.append("| method | n |");
        HEADERS.forEach(h -> md.append(' ').append(h.replace("|", "\\|")).append(" |"));
        md.append("\n|---|---|").append("---|".repeat(HEADERS.size())).append('\n');
        for (Row row : rows) {
            md.append("| ").append(row.label()).append(" | ").append(row.seeds()).append(" |");
            for (String metric : METRICS) {
                md.append(String.format(Locale.ROOT, metric.equals("delta") ? " %+.1f ± %.1f |" : " %.1f ± %.1f |", row.mean(metric), row.halfRange(metric)));
            }
            md.append('\n');
        }
        List<Row> byAccuracy = rows.stream().sorted(Comparator.comparingDouble((Row r) -> r.mean("acc_t2")).reversed()).toList();
        md.append("\nOrdering by mean Acc@t2: ").append(String.join(" > ", byAccuracy.stream()
                .map(r -> String.format(Locale.ROOT, "%s (%.1f)", r.name(), r.mean("acc_t2"))).toList())).append(".\n");
        rows.stream().filter(r -> r.name().equals("score")).findFirst().ifPresent(score -> md.append(verdict(score, rows)));
        return md.toString();
    }

    /** Whether SCoRe's mean Acc@t2 and Δ are at least 2 points above every other row's (the experiment's claim). */
    private static String verdict(Row score, List<Row> rows) {
        List<String> shortfalls = new ArrayList<>();
        for (Row other : rows) {
            if (other == score) {
                continue;
            }
            for (String metric : List.of("acc_t2", "delta")) {
                double margin = score.mean(metric) - other.mean(metric);
                if (margin < 2) {
                    shortfalls.add(String.format(Locale.ROOT, "%s %s by %+.1f", other.name(), metric.equals("delta") ? "Δ" : "Acc@t2", margin));
                }
            }
        }
        return shortfalls.isEmpty()
                ? "SCoRe is at least 2 points above every other row on Acc@t2 and Δ.\n"
                : "SCoRe is not 2 points above every other row: " + String.join("; ", shortfalls) + " (SCoRe minus the row).\n";
    }

    private static Map<String, Object> json(List<Row> rows, int seeds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seeds", seeds);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("method", row.name());
            r.put("label", row.label());
            r.put("seeds", row.seeds());
            for (String metric : METRICS) {
                r.put(metric, Map.of("mean", row.mean(metric), "half_range", row.halfRange(metric), "per_seed", row.values().get(metric)));
            }
            list.add(r);
        }
        out.put("rows", list);
        return out;
    }

    /** One curve per method: {@code metric} by step, averaged over the seeds that logged it. */
    private static void curves(Path dir, List<Path> seeds, List<Row> rows, String metric, double scale, String file, String title,
                               String yLabel, boolean evaluations) {
        List<LinePlot.Series> series = new ArrayList<>();
        for (Row row : rows) {
            if (row.name().equals("prompted")) {
                continue;
            }
            TreeMap<Integer, List<Double>> byStep = new TreeMap<>();
            int seedsWithCurve = 0;
            for (Path seed : seeds) {
                Path metrics = seed.resolve(row.name()).resolve("metrics.jsonl");
                if (!Files.exists(metrics)) {
                    continue;
                }
                seedsWithCurve++;
                // the later record of a step wins, as in a run's own report (a resumed run logs steps again)
                TreeMap<Integer, Double> own = new TreeMap<>();
                for (JsonObject record : RunReport.records(metrics)) {
                    boolean isEvaluation = record.has("eval/dev/acc_t2");
                    if (record.has("step") && record.has(metric) && isEvaluation == evaluations && record.get(metric).isJsonPrimitive()) {
                        own.put(record.get("step").getAsInt(), record.get(metric).getAsDouble() * scale);
                    }
                }
                own.forEach((step, value) -> {
                    if (Double.isFinite(value)) {
                        byStep.computeIfAbsent(step, s -> new ArrayList<>()).add(value);
                    }
                });
            }
            // a mean only where every seed has a point: the supervised rows' steps differ by seed (their data sizes do)
            int seedCount = seedsWithCurve;
            byStep.values().removeIf(values -> values.size() < seedCount);
            if (!byStep.isEmpty()) {
                series.add(new LinePlot.Series(row.name(), byStep.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                        byStep.values().stream().mapToDouble(v -> v.stream().mapToDouble(Double::doubleValue).average().orElseThrow()).toArray()));
            }
        }
        if (!series.isEmpty()) {
            LinePlot.write(dir.resolve(file), title, "step", yLabel, series);
        }
    }
}
