package emend.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import emend.actors.bench.ClusterBenchmark;
import emend.console.ProgressBar;
import java.io.PrintStream;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code emend bench cluster}: the actor runtime's figures. */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = "Actor runtime figures with stand-ins for the model: orchestration throughput (trajectories/s), weight "
                + "publication to 2 other actor systems vs a raw loopback socket copy, async (eta=2) vs sync steps/min "
                + "with heavy-tailed generation times.")
final class ClusterBenchCommand implements Runnable {

    @Option(names = "--json", description = "Print the figures as one JSON object.")
    boolean json;

    @Override
    public void run() {
        ClusterBenchmark.Figures f;
        PrintStream stdout = System.out;
        if (json) {
            System.setOut(System.err);   // the benchmark's nodes announce their endpoints on stdout: keep it for the JSON
        }
        try (ProgressBar bar = new ProgressBar(System.err, "bench cluster", ClusterBenchmark.PARTS)) {
            f = ClusterBenchmark.run(done -> bar.update(done, ""));
        } finally {
            System.setOut(stdout);
        }
        var o = f.orchestration();
        if (json) {
            JsonObject root = new JsonObject();
            JsonObject orchestration = new JsonObject();
            orchestration.addProperty("workers", o.workers());
            orchestration.addProperty("trajectories_per_s", Math.round(o.trajectoriesPerSecond()));
            root.add("orchestration", orchestration);
            JsonArray publications = new JsonArray();
            for (var p : f.publications()) {
                JsonObject e = new JsonObject();
                e.addProperty("bytes", p.bytes());
                e.addProperty("generation_call_ms", p.generationMillis());
                e.addProperty("first_version_actor_s", p.firstActorSeconds());
                e.addProperty("actor_s", p.actorSeconds());
                e.addProperty("socket_s", p.socketSeconds());
                e.addProperty("ratio", p.ratio());
                publications.add(e);
            }
            root.add("weight_publication", publications);
            JsonArray comparisons = new JsonArray();
            for (var s : f.staleness()) {
                JsonObject staleness = new JsonObject();
                staleness.addProperty("workers", s.workers());
                staleness.addProperty("prompts_per_call", s.promptsPerCall());
                staleness.addProperty("mean_generation_ms", s.meanGenerationMillis());
                staleness.addProperty("learner_step_ms", s.stepMillis());
                staleness.addProperty("eta", s.eta());
                staleness.addProperty("steps", s.steps());
                staleness.addProperty("measured_from_step", s.measuredFrom());
                staleness.addProperty("measured_to_step", s.measuredTo());
                staleness.addProperty("sync_steps_per_min", s.syncStepsPerMinute());
                staleness.addProperty("async_steps_per_min", s.asyncStepsPerMinute());
                staleness.addProperty("speedup", s.speedup());
                comparisons.add(staleness);
            }
            root.add("async_vs_sync", comparisons);
            System.out.println(new GsonBuilder().create().toJson(root));
            return;
        }
        System.out.printf(Locale.ROOT, "orchestration: %,.0f trajectories/s (%d workers, %d prompts x %d samples per step, %d steps, "
                + "stand-in model and learner)%n", o.trajectoriesPerSecond(), o.workers(), o.promptsPerStep(), o.samplesPerPrompt(), o.steps());
        System.out.println("weight publication to 2 workers on other actor systems (manifest over Artery TCP, chunks on the weight "
                + "stream; 127.0.0.1) vs raw socket copy "
                + "(medians of " + ClusterBenchmark.STEADY_VERSIONS + " versions after the first, and of as many copies):");
        for (var p : f.publications()) {
            String workers = p.generationMillis() == 0 ? "workers idle" : "workers generating (calls of " + p.generationMillis() + " ms, eta=2)";
            System.out.printf(Locale.ROOT, "  %6.1f MB   %-45s actors %.3f s (first version %.3f s)   socket %.3f s   ratio %.1fx%n", p.bytes() / 1e6,
                    workers, p.actorSeconds(), p.firstActorSeconds(), p.socketSeconds(), p.ratio());
        }
        var first = f.staleness().get(0);
        System.out.printf(Locale.ROOT, "async vs sync (%d workers, Pareto generation times, mean %d ms per prompt, a call as long as its "
                        + "longest prompt; %d ms learner step; steps %d to %d of %d):%n", first.workers(), first.meanGenerationMillis(),
                first.stepMillis(), first.measuredFrom(), first.measuredTo(), first.steps());
        for (var s : f.staleness()) {
            System.out.printf(Locale.ROOT, "  %2d prompts per call   eta=0 %.0f steps/min, eta=%d %.0f steps/min, %.1fx%n", s.promptsPerCall(),
                    s.syncStepsPerMinute(), s.eta(), s.asyncStepsPerMinute(), s.speedup());
        }
    }
}
