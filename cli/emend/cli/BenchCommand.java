package emend.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import emend.bench.ModelBenchmark;
import emend.bench.PytorchReference;
import emend.bench.VerifierBenchmark;
import emend.console.ProgressBar;
import emend.engine.DjlRuntime;
import emend.model.ModelConfig;
import emend.sandbox.PythonSandbox;
import emend.task.CodeProblems;
import emend.task.CodeVerifier;
import emend.tokenize.ByteTokenizer;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code emend bench ...}: benchmarks that print figures. */
@Command(name = "bench", description = "Benchmarks that print figures (not pass/fail).",
        subcommands = {BenchCommand.Model.class, BenchCommand.Verifier.class, ClusterBenchCommand.class}, mixinStandardHelpOptions = true)
final class BenchCommand implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    private static double round(double x) {
        return Math.round(x * 100) / 100.0;
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
            description = "Generation tokens/s with the KV cache vs full recompute (batch 32 and 1, 64 new tokens), with "
                    + "the KV cache at batch 128, and training tokens/s (batch 16 x 64, forward + backward + AdamW); with "
                    + "--reference, the same workloads in PyTorch eager beside them.")
    static final class Model implements Runnable {

        @Option(names = "--preset", defaultValue = "tiny", description = "Model preset: tiny, small, base (default: ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        boolean json;

        @Option(names = "--reference", paramLabel = "PYTHON", description = "Also run the same model shape and workloads in "
                + "PyTorch eager with this Python (e.g. python3; on Debian: apt-get install python3-torch libopenblas0-pthread), "
                + "on as many threads as Emend's libtorch, and print the ratios. Skipped with a note when it cannot run.")
        String reference;

        @Override
        public void run() {
            ModelConfig config = ModelConfig.preset(preset, new ByteTokenizer().vocabSize(), 256);
            ModelBenchmark.Figures f;
            try (NDManager manager = DjlRuntime.engine().newBaseManager(DjlRuntime.device(device));
                 ProgressBar bar = new ProgressBar(System.err, "bench", ModelBenchmark.PHASES)) {
                f = ModelBenchmark.run(manager, config, done -> bar.update(done, ""));
            }
            PytorchReference.Outcome ref = reference == null ? null
                    : PytorchReference.run(reference, config, DjlRuntime.intraOpThreads());
            if (json) {
                JsonObject o = new JsonObject();
                o.addProperty("preset", preset);
                o.addProperty("parameters", f.parameters());
                o.addProperty("gen_tokens_per_s", round(f.genKvBatch32()));
                o.addProperty("gen_recompute_tokens_per_s", round(f.genRecomputeBatch32()));
                o.addProperty("kv_speedup", round(f.kvSpeedupBatch32()));
                o.addProperty("gen_tokens_per_s_batch1", round(f.genKvBatch1()));
                o.addProperty("gen_recompute_tokens_per_s_batch1", round(f.genRecomputeBatch1()));
                o.addProperty("kv_speedup_batch1", round(f.kvSpeedupBatch1()));
                o.addProperty("gen_tokens_per_s_batch128", round(f.genKvBatch128()));
                o.addProperty("train_tokens_per_s", round(f.trainTokensPerSecond()));
                if (ref instanceof PytorchReference.Figures r) {
                    o.add("reference", r.values());
                    o.addProperty("ratio_gen_batch1", round(f.genKvBatch1() / r.get("gen_tokens_per_s_batch1")));
                    o.addProperty("ratio_gen_batch32", round(f.genKvBatch32() / r.get("gen_tokens_per_s_batch32")));
                    o.addProperty("ratio_gen_batch128", round(f.genKvBatch128() / r.get("gen_tokens_per_s_batch128")));
                    o.addProperty("ratio_train", round(f.trainTokensPerSecond() / r.get("train_tokens_per_s")));
                } else if (ref instanceof PytorchReference.Skipped skipped) {
                    o.addProperty("reference_skipped", skipped.reason());
                }
                System.out.println(new GsonBuilder().create().toJson(o));
                return;
            }
            System.out.printf(Locale.ROOT, "model %s, %,d parameters, device %s%n", preset, f.parameters(), device);
            System.out.printf(Locale.ROOT, "generation, 64 new tokens   KV cache      recompute     speedup%n");
            System.out.printf(Locale.ROOT, "  batch 32                  %8.0f tok/s %8.0f tok/s %6.1fx%n",
                    f.genKvBatch32(), f.genRecomputeBatch32(), f.kvSpeedupBatch32());
            System.out.printf(Locale.ROOT, "  batch 1                   %8.0f tok/s %8.0f tok/s %6.1fx%n",
                    f.genKvBatch1(), f.genRecomputeBatch1(), f.kvSpeedupBatch1());
            System.out.printf(Locale.ROOT, "  batch 128                 %8.0f tok/s%n", f.genKvBatch128());
            System.out.printf(Locale.ROOT, "training, batch 16 x 64     %8.0f tok/s (forward + backward + AdamW)%n", f.trainTokensPerSecond());
            if (ref instanceof PytorchReference.Figures r) {
                System.out.printf(Locale.ROOT, "PyTorch %s eager, %d threads, BLAS threads %s (same shape and workloads)   Emend / PyTorch%n",
                        r.values().get("torch_version").getAsString(), r.values().get("threads").getAsInt(), r.values().get("blas_threads").getAsString());
                for (int batch : new int[] {1, 32, 128}) {
                    double emend = batch == 1 ? f.genKvBatch1() : batch == 32 ? f.genKvBatch32() : f.genKvBatch128();
                    double torch = r.get("gen_tokens_per_s_batch" + batch);
                    System.out.printf(Locale.ROOT, "  generation, batch %-3d     %8.0f tok/s %8.2fx%n", batch, torch, emend / torch);
                }
                System.out.printf(Locale.ROOT, "  training, batch 16 x 64   %8.0f tok/s %8.2fx%n", r.get("train_tokens_per_s"),
                        f.trainTokensPerSecond() / r.get("train_tokens_per_s"));
            } else if (ref instanceof PytorchReference.Skipped skipped) {
                System.out.println("PyTorch reference skipped: " + skipped.reason());
            }
        }

    }

    @Command(name = "verifier", mixinStandardHelpOptions = true,
            description = "Code verifications/s and p50/p99 latency at 1, 2 and 8 concurrent calls (the reference and a wrong "
                    + "solution of each shipped problem in turn, through the sandbox as configured).")
    static final class Verifier implements Runnable {

        private static final int[] CONCURRENCY = {1, 2, 8};

        @Option(names = "--calls", defaultValue = "96", description = "Verifications per concurrency level (default: ${DEFAULT-VALUE}).")
        int calls;

        @Mixin
        SandboxOptions sandboxOptions;

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        boolean json;

        @Override
        public void run() {
            if (calls < 2) {
                throw new IllegalArgumentException("--calls must be at least 2, got " + calls);
            }
            PythonSandbox sandbox = sandboxOptions.open();
            List<VerifierBenchmark.Row> rows;
            try (ProgressBar bar = new ProgressBar(System.err, "bench", CONCURRENCY.length)) {
                rows = VerifierBenchmark.run(new CodeVerifier(sandbox), CodeProblems.shipped(), calls, CONCURRENCY, done -> bar.update(done, ""));
            }
            if (json) {
                JsonObject o = new JsonObject();
                o.addProperty("isolation", sandbox.isolation().label());
                o.addProperty("calls_per_level", calls);
                o.addProperty("cpu_cores", Runtime.getRuntime().availableProcessors());
                JsonArray levels = new JsonArray();
                for (VerifierBenchmark.Row r : rows) {
                    JsonObject level = new JsonObject();
                    level.addProperty("concurrency", r.concurrency());
                    level.addProperty("verifications_per_s", round(r.verificationsPerSecond()));
                    level.addProperty("p50_ms", round(r.p50Millis()));
                    level.addProperty("p99_ms", round(r.p99Millis()));
                    level.addProperty("wrong_scores", r.wrongScores());
                    levels.add(level);
                }
                o.add("levels", levels);
                System.out.println(new GsonBuilder().create().toJson(o));
                return;
            }
            System.out.printf(Locale.ROOT, "code verifier: sandbox %s, %d calls per level (reference and wrong solutions of the shipped problems), "
                    + "%d CPU cores%n", sandbox.isolation().label(), calls, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "concurrent calls   verifications/s   p50 ms   p99 ms   wrong scores%n");
            for (VerifierBenchmark.Row r : rows) {
                System.out.printf(Locale.ROOT, "%16d   %15.1f   %6.0f   %6.0f   %12d%n", r.concurrency(), r.verificationsPerSecond(), r.p50Millis(),
                        r.p99Millis(), r.wrongScores());
            }
        }
    }
}
