package emend.actors.bench;

import emend.actors.protocol.LearnerProtocol;
import emend.actors.node.ClusterDriver;
import emend.actors.node.EmendNode;
import emend.actors.node.NodeConfig;
import emend.actors.node.NodeOptions;
import emend.bench.LoopbackCopy;
import emend.bench.Median;
import emend.dispatch.PolicyReplica;
import emend.engine.DeviceSlots;
import emend.model.ModelConfig;
import emend.proto.RuntimeStatus;
import emend.proto.StatusRequest;
import emend.run.LearnerJob;
import emend.run.TrainingSession;
import emend.tokenize.ByteTokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * {@code emend bench cluster}: the runtime's figures, each measured side by side in one run with stand-ins for
 * the model ({@link StandIns}) so the orchestration itself is what is timed.
 */
public final class ClusterBenchmark {

    /** Trajectories per second through leases, generation stand-ins, verifiers, acknowledgements and steps. */
    public record Orchestration(int workers, int promptsPerStep, int samplesPerPrompt, int steps, double trajectoriesPerSecond) {}

    /**
     * A policy version of {@code bytes} reaching 2 workers on other actor systems, beside a raw socket copy: the
     * first version (cold code paths) and the median of the next ones (what a long run pays per version), against
     * the median of as many socket copies. {@code generationMillis}: 0 when the workers wait idle for each version,
     * else the length of their generation calls, which they keep making while the learner steps (see {@link #publication}).
     */
    public record Publication(long bytes, long generationMillis, double firstActorSeconds, double actorSeconds, double socketSeconds) {
        public double ratio() {
            return actorSeconds / socketSeconds;
        }
    }

    /** Versions timed per model after the first; their median is the steady-state figure (the JIT warms up on the first few). */
    public static final int STEADY_VERSIONS = 12;

    /** The stand-in learner's step while publication is timed (see {@link #publication}). */
    static final long PUBLICATION_STEP_MILLIS = 300;

    /** A stand-in generation call's length when publication is timed with the workers generating. */
    static final long GENERATION_CALL_MILLIS = 100;

    /**
     * Learner steps per minute with heavy-tailed generation times, synchronous (eta = 0) and asynchronous, timed
     * from the end of step {@code measuredFrom} to the end of step {@code measuredTo} of {@code steps}.
     */
    public record Staleness(int workers, int promptsPerCall, long meanGenerationMillis, long stepMillis, int eta, int steps, int measuredFrom, int measuredTo,
                            double syncStepsPerMinute, double asyncStepsPerMinute) {
        public double speedup() {
            return asyncStepsPerMinute / syncStepsPerMinute;
        }
    }

    /** @param staleness one comparison per workload: small calls first, then one call per worker per step */
    public record Figures(Orchestration orchestration, List<Publication> publications, List<Staleness> staleness) {}

    /** Parts of {@link #run}, for a progress bar. */
    public static final int PARTS = 8;

    private ClusterBenchmark() {}

    /** @param progress told 1, 2, ... as each of the {@value #PARTS} parts finishes */
    public static Figures run(IntConsumer progress) {
        // The stand-in workers model separate devices: give each its own thread for "model" work (they run no
        // libtorch, so the one-model-thread default does not apply to them).
        System.setProperty("emend-model-dispatcher.executor", "thread-pool-executor");
        System.setProperty("emend-model-dispatcher.thread-pool-executor.fixed-pool-size", "8");
        com.typesafe.config.ConfigFactory.invalidateCaches();
        Orchestration orchestration = orchestration(4, 64, 4, 200);
        progress.accept(1);
        int vocab = new ByteTokenizer().vocabSize();
        // The 49 MB model (about 12.2M parameters) goes first: its 47 chunks a version bring the JIT to the
        // stream and hash loops, which the tiny model's 4 chunks a version leave half-compiled for dozens of
        // versions (measured: its median fell from 30 to 21 ms over four rounds of 13 versions in one JVM). A long
        // run pays the compiled figure.
        ModelConfig largeModel = new ModelConfig(vocab, 64, 576, 3, 8, 8, 1536, 10_000, 1e-5, false);
        Publication large = publication(largeModel, 0);
        progress.accept(2);
        Publication tiny = publication(ModelConfig.preset("tiny", vocab, 176), 0);
        progress.accept(3);
        Publication whileGenerating = publication(largeModel, GENERATION_CALL_MILLIS);
        progress.accept(4);
        List<Publication> publications = List.of(tiny, large, whileGenerating);
        long mean = 60;
        int workers = 4;
        int batch = 16;
        // Two ways to hand out a step's 16 prompts: in calls of 2 (work pulling spreads the slow calls over the
        // workers, so a synchronous step waits for little more than the mean), and in one call per worker, as a
        // device generates its share in one batch that lasts as long as its longest sample.
        List<Staleness> staleness = new ArrayList<>();
        int part = 4;
        for (int perCall : new int[] {2, batch / workers}) {
            // The last steps are left out: once the schedule's prompts are all handed out, they wait for the
            // slowest samples (up to 40x the mean), an end-of-run drain a long run does not pay per step.
            int steps = 80;
            int from = 5;
            int to = steps - 10;
            long step = 100;
            double sync = stepsPerMinute(workers, batch, perCall, mean, step, 0, steps, from, to);
            progress.accept(++part);
            double async = stepsPerMinute(workers, batch, perCall, mean, step, 2, steps, from, to);
            progress.accept(++part);
            staleness.add(new Staleness(workers, perCall, mean, step, 2, steps, from, to, sync, async));
        }
        return new Figures(orchestration, publications, staleness);
    }

    static Orchestration orchestration(int workers, int prompts, int samples, int steps) {
        StandIns.Trainer trainer = new StandIns.Trainer(steps, 0);
        try (BenchRun run = new BenchRun(Map.of(
                "emend.rl.prompts-per-step", Integer.toString(prompts),
                "emend.rl.samples-per-prompt", Integer.toString(samples),
                "emend.rl.schedule", "[\"stage2:" + steps + "\"]",
                "emend.runtime.prompts-per-request", Integer.toString(prompts / workers),
                "emend.runtime.max-staleness", "2"), BenchRun.minute(), trainer)) {
            new ClusterDriver(NodeOptions.singleJvm(workers), DeviceSlots.CPU, (weights, dialogue) -> new StandIns.Generator(dialogue, 0), null).train(run.job());
        }
        // the first steps run while the JIT compiles the message paths
        int warmup = 20;
        double seconds = trainer.secondsBetween(warmup, steps);
        return new Orchestration(workers, prompts, samples, steps, (double) (steps - warmup) * prompts * samples / seconds);
    }

    static double stepsPerMinute(int workers, int batch, int promptsPerCall, long meanMillis, long stepMillis, int eta, int steps, int from, int to) {
        StandIns.Trainer trainer = new StandIns.Trainer(steps, stepMillis);
        try (BenchRun run = new BenchRun(Map.of(
                "emend.rl.prompts-per-step", Integer.toString(batch),
                "emend.rl.samples-per-prompt", "4",
                "emend.rl.schedule", "[\"stage2:" + steps + "\"]",
                "emend.runtime.prompts-per-request", Integer.toString(promptsPerCall),
                "emend.runtime.max-staleness", Integer.toString(eta)), BenchRun.minute(), trainer)) {
            new ClusterDriver(NodeOptions.singleJvm(workers), DeviceSlots.CPU, (weights, dialogue) -> new StandIns.Generator(dialogue, meanMillis), null)
                    .train(run.job());
        }
        return (to - from) / trainer.secondsBetween(from, to) * 60;
    }

    /**
     * A learner node and two rollout nodes (three actor systems over Artery TCP on 127.0.0.1 in this JVM): the
     * time from the end of a learner step to both workers holding the new version (fetched in chunks, hash
     * checked, loaded) and asking for work, beside the same bytes copied to two readers over loopback sockets
     * (and hashed, as the workers do).
     *
     * <p>With {@code generationMillis} 0 the workers wait idle for each version (a step takes 2 prompts, and no work
     * is handed out past it). Otherwise a step takes 8 prompts, calls of one prompt last {@code generationMillis}, and
     * workers keep generating up to 2 versions ahead while the learner steps (max staleness 2), as in an asynchronous
     * run: a new version then reaches a worker mid-call, and the time counts until it holds the version after that call.
     */
    static Publication publication(ModelConfig model, long generationMillis) {
        int versions = 1 + STEADY_VERSIONS;
        // A stand-in step lasts PUBLICATION_STEP_MILLIS (asleep), longer than a publication takes: the first worker to
        // load a version can hand in the next batch alone, and a step of 0 ms would then encode the next version on
        // the same cores while the second worker still reads this one, timing two publications at once. A real
        // learner step takes longer still (the default run's: about 2 s on these cores).
        StandIns.Trainer trainer = new StandIns.Trainer(versions + 1, PUBLICATION_STEP_MILLIS);
        List<ActorSystem<Void>> nodes = new ArrayList<>();
        List<Double> actorSeconds = new ArrayList<>();
        long bytes = model.parameterCount() * 4;
        try (BenchRun run = new BenchRun(Map.of(
                "emend.rl.prompts-per-step", generationMillis == 0 ? "2" : "8",
                "emend.rl.samples-per-prompt", "2",
                "emend.rl.schedule", "[\"stage2:" + (versions + 1) + "\"]",
                "emend.runtime.max-staleness", generationMillis == 0 ? "0" : "2",
                "emend.runtime.prompts-per-request", "1"), model, trainer)) {
            // the nodes stop before the run's native memory is freed: the learner reads its weights until then
            try {
                LearnerJob job = run.job();
                PolicyReplica.GeneratorFactory standIn = (weights, dialogue) -> StandIns.Generator.steady(dialogue, generationMillis);
                ActorSystem<Void> learnerNode = start(new NodeOptions(Set.of("learner", "verifier"), "127.0.0.1", 0, List.of(), 0),
                        job, new CompletableFuture<>(), standIn, nodes);
                String seed = "127.0.0.1:" + learnerNode.address().getPort().orElseThrow();
                for (int i = 0; i < 2; i++) {
                    start(new NodeOptions(Set.of("rollout"), "127.0.0.1", 0, List.of(seed), 1), job, null, standIn, nodes);
                }
                ActorRef<LearnerProtocol.Command> learner = ClusterSingleton.get(learnerNode)
                        .init(SingletonActor.of(Behaviors.<LearnerProtocol.Command>empty(), "learner"));
                // version v is published when batch v has been stepped on; it has reached both workers when each
                // asked for work saying it holds v (a worker asks as soon as a version is loaded; one worker can take
                // a whole batch, so the prompts handed out do not tell that the other holds the version)
                for (int v = 1; v <= versions; v++) {
                    int version = v;
                    awaitStatus(learnerNode, learner, s -> s.getStepsDone() >= version, Duration.ofMinutes(3));
                    long published = trainer.stepEndNanos(version);
                    awaitStatus(learnerNode, learner, s -> s.getWorkers() == 2 && s.getOldestWorkerVersion() >= version, Duration.ofMinutes(3));
                    actorSeconds.add((System.nanoTime() - published) / 1e9);
                }
            } finally {
                nodes.forEach(ActorSystem::terminate);
                nodes.forEach(node -> node.getWhenTerminated().toCompletableFuture().join());
            }
        }
        double[] socketSeconds = new double[STEADY_VERSIONS];
        for (int i = 0; i < STEADY_VERSIONS; i++) {
            socketSeconds[i] = LoopbackCopy.seconds(Math.toIntExact(bytes), 2);
        }
        double steady = Median.of(actorSeconds.subList(1, versions).stream().mapToDouble(Double::doubleValue).toArray());
        return new Publication(bytes, generationMillis, actorSeconds.get(0), steady, Median.of(socketSeconds));
    }

    private static ActorSystem<Void> start(NodeOptions options, LearnerJob job, CompletableFuture<TrainingSession.Outcome> done,
                                           PolicyReplica.GeneratorFactory generators, List<ActorSystem<Void>> nodes) {
        EmendNode.Plan plan = new EmendNode.Plan(options, job.task(), job.runtime(), DeviceSlots.CPU,
                options.roles().contains("learner") ? job : null, done, generators, null);
        ActorSystem<Void> node = ActorSystem.create(EmendNode.create(plan), NodeConfig.SYSTEM_NAME, NodeConfig.of(options));
        nodes.add(node);
        return node;
    }

    /** Polls the learner's status every 2 ms until {@code condition} holds. */
    private static void awaitStatus(ActorSystem<Void> node, ActorRef<LearnerProtocol.Command> learner,
                                    java.util.function.Predicate<RuntimeStatus> condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                RuntimeStatus status = AskPattern.<LearnerProtocol.Command, LearnerProtocol.Status>ask(learner,
                                replyTo -> new LearnerProtocol.GetStatus(StatusRequest.getDefaultInstance(), replyTo), Duration.ofSeconds(5), node.scheduler())
                        .toCompletableFuture().get(6, TimeUnit.SECONDS).payload();
                if (condition.test(status)) {
                    return;
                }
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // the singleton is not reachable yet: the cluster is still forming
            }
        }
        throw new IllegalStateException("the cluster did not reach the expected state within " + limit);
    }
}
