package emend.cli;

import ai.djl.ndarray.NDManager;
import emend.checkpoint.Checkpoint;
import emend.config.RunSettings;
import emend.config.Settings;
import emend.console.ProgressBar;
import emend.engine.DjlRuntime;
import emend.engine.ModelThread;
import emend.eval.Evaluation;
import emend.eval.Evaluator;
import emend.eval.InferenceScaling;
import emend.generate.Generator;
import emend.model.Transformer;
import emend.report.LinePlot;
import emend.rollout.RolloutSampler;
import emend.eval.ResultsTable;
import emend.run.RunDirectory;
import emend.config.Tasks;
import emend.sandbox.PythonSandbox;
import emend.sandbox.SandboxSettings;
import emend.task.CodeProblems;
import emend.task.CodeTask;
import emend.task.Dialogue;
import emend.task.JsonlTask;
import emend.task.LinearEquationTask;
import emend.task.Problem;
import emend.task.Task;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code emend eval}: the five metrics and the diagnostics of any checkpoint on any problem set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate a checkpoint: Acc@t1, Acc@t2, Δ, Δi→c, Δc→i (greedy and sampled) and the counterfactual diagnostics.")
final class EvalCommand implements Runnable {

    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory (model.safetensors, config.json, emend-checkpoint.json).")
    Path checkpoint;

    @Option(names = "--task", defaultValue = LinearEquationTask.NAME,
            description = "linear or code (their held-out test split), jsonl, or code with --problems (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--problems", description = "JSONL problem file for --task jsonl or code; every problem in it is evaluated.")
    Path problems;

    @Option(names = "--config", description = "HOCON file (task ranges, split seed, code sandbox settings).")
    Path config;

    @Option(names = "--set", description = "Override one key, e.g. --set emend.task.linear.test-size=200 (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--sampled", defaultValue = "4", description = "Samples per problem for the T=1 metrics; 0 = greedy only (default: ${DEFAULT-VALUE}).")
    int sampled;

    @Option(names = "--seed", defaultValue = "1", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--show", defaultValue = "0", description = "Also print this many greedy dialogues (question | attempt 1 | attempt 2).")
    int show;

    @Option(names = "--json", description = "Print the evaluation as JSON instead of a table.")
    boolean json;

    @Option(names = "--scaling", description = "Instead of the five metrics: majority-vote accuracy at equal sample budgets, K parallel "
            + "attempts vs K/2 attempts each self-corrected once (the paper's Figure 1, right); writes scaling.json and scaling.png to --out.")
    boolean scaling;

    @Option(names = "--budgets", split = ",", defaultValue = "2,4,8,16,32", description = "Sample budgets K for --scaling, even (default: ${DEFAULT-VALUE}).")
    List<Integer> budgets;

    @Option(names = "--scaling-problems", defaultValue = "100",
            description = "Test problems for --scaling, the first N (each gets max(K) two-turn samples; default: ${DEFAULT-VALUE}).")
    int scalingProblems;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature for --scaling (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--out", defaultValue = ".", description = "Directory for --scaling's files (default: the current one).")
    Path out;

    @Override
    public void run() {
        // on the model thread, where the JVM's exit (Ctrl-C) waits for it between engine calls (engine/NativeExit)
        ModelThread.call(() -> {
            evaluate();
            return null;
        });
    }

    private void evaluate() {
        Task evalTask;
        if (task.equals(JsonlTask.NAME)) {
            if (problems == null) {
                throw new IllegalArgumentException("--task jsonl needs --problems FILE");
            }
            evalTask = JsonlTask.allAsTest(problems);
        } else if (task.equals(CodeTask.NAME) && problems != null) {
            evalTask = CodeTask.allAsTest(CodeProblems.read(problems),
                    new PythonSandbox(SandboxSettings.fromConfig(Settings.load(config, overrides)), System.err));
        } else if (task.equals(LinearEquationTask.NAME) || task.equals(CodeTask.NAME)) {
            Map<String, String> withTask = new LinkedHashMap<>(overrides);
            withTask.put("emend.task.name", RunOptions.quoted(task));
            RunSettings settings = RunSettings.fromConfig(Settings.load(config, withTask));
            evalTask = Tasks.create(settings.task(), settings.sandbox());
        } else {
            throw Tasks.unknown(task);
        }
        try (NDManager manager = DjlRuntime.engine().newBaseManager(DjlRuntime.device(device));
             Checkpoint.Loaded loaded = Checkpoint.load(checkpoint, manager)) {
            Dialogue dialogue = new Dialogue(loaded.tokenizer(), evalTask.instruction());
            Transformer model = new Transformer(loaded.weights());
            if (scaling) {
                runScaling(new RolloutSampler(new Generator(model, loaded.tokenizer().specials().pad()), dialogue), dialogue, evalTask);
                return;
            }
            Evaluator evaluator = new Evaluator(new Generator(model, loaded.tokenizer().specials().pad()), dialogue, evalTask,
                    RunSettings.fromConfig(Settings.load(config, overrides)).evalBatchRows());
            // with --json, stdout carries only the JSON document
            evaluator.examples(evalTask.test(), show, seed).forEach(json ? System.err::println : System.out::println);
            Evaluation evaluation;
            try (ProgressBar bar = new ProgressBar(System.err, "eval", 3)) {
                evaluation = evaluator.evaluate(evalTask.test(), sampled, seed, done -> bar.update(done, evalTask.test().size() + " problems"));
            }
            if (json) {
                System.out.println(RunDirectory.toJson(evaluation));
            } else {
                System.out.println(evalTask.test().size() + " problems, percent:");
                System.out.print(ResultsTable.render(Map.of(checkpoint.getFileName().toString(), evaluation)));
            }
        }
    }

    private void runScaling(RolloutSampler sampler, Dialogue dialogue, Task evalTask) {
        List<Problem> problems = evalTask.test().subList(0, Math.min(Math.max(1, scalingProblems), evalTask.test().size()));
        List<InferenceScaling.Point> points;
        try (ProgressBar bar = new ProgressBar(System.err, "scaling", problems.size())) {
            points = InferenceScaling.measure(sampler, dialogue, evalTask, problems, budgets, temperature, seed,
                    done -> bar.update(done, "problems"));
        }
        System.out.printf(Locale.ROOT, "%d problems, T=%.2f, majority vote, percent:%n%8s %14s %24s%n", problems.size(), temperature,
                "budget", "K parallel", "K/2 + self-correction");
        points.forEach(p -> System.out.printf(Locale.ROOT, "%8d %14.1f %24.1f%n", p.budget(), 100 * p.parallel(), 100 * p.selfCorrected()));
        try {
            java.nio.file.Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
        Map<String, Object> saved = new LinkedHashMap<>();
        saved.put("checkpoint", checkpoint.toString());
        saved.put("problems", problems.size());
        saved.put("temperature", temperature);
        saved.put("points", points);
        RunDirectory.writeJsonFile(out.resolve("scaling.json"), saved);
        double[] x = points.stream().mapToDouble(InferenceScaling.Point::budget).toArray();
        LinePlot.write(out.resolve("scaling.png"), "Majority vote at equal sample budgets", "samples per problem (K)", "accuracy (percent)",
                List.of(new LinePlot.Series("K parallel", x, points.stream().mapToDouble(p -> 100 * p.parallel()).toArray()),
                        new LinePlot.Series("K/2 + self-correction", x, points.stream().mapToDouble(p -> 100 * p.selfCorrected()).toArray())));
        System.out.println("wrote " + out.resolve("scaling.json") + " and " + out.resolve("scaling.png"));
    }
}
