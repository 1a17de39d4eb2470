package emend.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import emend.bench.ModelBenchmark;
import emend.bench.VerifierBenchmark;
import emend.console.ProgressBar;
import emend.engine.DjlRuntime;
import emend.model.ModelConfig;
import emend.task.CodeProblems;
import emend.task.CodeVerifier;
import emend.tokenize.ByteTokenizer;
import emend.verify.PythonSandbox;
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
            description = "Generation tokens/s with the KV cache vs full recompute (batch 32 and 1, 64 new tokens) "
                    + "and training tokens/s (batch 16 x 64, forward + backward + AdamW).")
    static final class Model implements Runnable {

        @Option(names = "--preset", defaultValue = "tiny", description = "Model preset: tiny, small, base (default: ${DEFAULT-VALUE}).")
        String preset;

        @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default: ${DEFAULT-VALUE}).")
        String device;

        @Option(names = "--json", description = "Print the figures as one JSON object.")
        boolean json;

        @Override
        public void run() {
            ModelConfig config = ModelConfig.preset(preset, new ByteTokenizer().vocabSize(), 256);
            ModelBenchmark.Figures f;
            try (NDManager manager = DjlRuntime.engine().newBaseManager(DjlRuntime.device(device));
                 ProgressBar bar = new ProgressBar(System.err, "bench", 5)) {
                f = ModelBenchmark.run(manager, config, done -> bar.update(done, ""));
            }
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
                o.addProperty("train_tokens_per_s", round(f.trainTokensPerSecond()));
                System.out.println(new GsonBuilder().create().toJson(o));
                return;
            }
            System.out.printf(Locale.ROOT, "model %s, %,d parameters, device %s%n", preset, f.parameters(), device);
            System.out.printf(Locale.ROOT, "generation, 64 new tokens   KV cache      recompute     speedup%n");
            System.out.printf(Locale.ROOT, "  batch 32                  %8.0f tok/s %8.0f tok/s %6.1fx%n",
                    f.genKvBatch32(), f.genRecomputeBatch32(), f.kvSpeedupBatch32());
            System.out.printf(Locale.ROOT, "  batch 1                   %8.0f tok/s %8.0f tok/s %6.1fx%n",
                    f.genKvBatch1(), f.genRecomputeBatch1(), f.kvSpeedupBatch1());
            System.out.printf(Locale.ROOT, "training, batch 16 x 64     %8.0f tok/s (forward + backward + AdamW)%n", f.trainTokensPerSecond());
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
