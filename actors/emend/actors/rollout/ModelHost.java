package emend.actors.rollout;

import emend.actors.metrics.NodeMetrics;
import emend.dispatch.LeasedRollouts;
import emend.dispatch.PolicyReplica;
import emend.engine.ModelThread;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.WeightManifest;
import emend.task.Dialogue;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * A rollout worker's policy copy (a child of the worker): loads verified versions and samples leased prompts' groups
 * on its device slot's model thread ({@link PolicyReplica}), reports each outcome to the worker
 * ({@link WorkerProtocol.Loaded}, {@link WorkerProtocol.Generated}) with the node's generation figures, and frees
 * the model when it stops. The worker sends one request at a time and decides what an outcome means.
 */
final class ModelHost extends AbstractBehavior<ModelHost.Command> {

    sealed interface Command {}

    /** Load a version whose bytes passed their hash check (the first load builds the model for {@code dialogue}). */
    record Load(WeightManifest manifest, byte[] bytes, Dialogue dialogue) implements Command {}

    /** Sample the RLOO groups of {@code leases} with the loaded {@code version}. */
    record Generate(RunSpec spec, Dialogue dialogue, List<PromptLease> leases, long version) implements Command {}

    private record LoadEnded(WeightManifest manifest, Throwable failure) implements Command {}

    private record GenerationEnded(List<PromptLease> leases, List<LeasedRollouts.LeasedGroup> groups, Throwable failure, long startNanos)
            implements Command {}

    private final ActorContext<Command> context;
    private final String workerId;
    private final PolicyReplica replica;
    private final ActorRef<WorkerProtocol.Command> worker;
    private final NodeMetrics metrics;

    static Behavior<Command> create(WorkerProtocol.Setup setup, ActorRef<WorkerProtocol.Command> worker) {
        return Behaviors.setup(context -> new ModelHost(context, setup, worker));
    }

    private ModelHost(ActorContext<Command> context, WorkerProtocol.Setup setup, ActorRef<WorkerProtocol.Command> worker) {
        super(context);
        this.context = context;
        this.workerId = setup.workerId();
        this.worker = worker;
        this.metrics = NodeMetrics.get(context.getSystem());
        // the model thread of this worker's device slot (workers on different slots generate at the same time); slot 0
        // through the model dispatcher, whose executor a deployment or `bench cluster` may configure
        this.replica = new PolicyReplica(setup.device().device(), setup.device().thread() == 0
                ? context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("emend-model-dispatcher"))
                : ModelThread.executor(setup.device().thread()), setup.generators());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Load.class, this::onLoad)
                .onMessage(Generate.class, this::onGenerate)
                .onMessage(LoadEnded.class, this::onLoadEnded)
                .onMessage(GenerationEnded.class, this::onGenerationEnded)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    // Outcomes come back through this actor's mailbox: once it has stopped they are dropped, so a stopped or
    // restarted worker's figures are not written again by work that ends after it.
    private Behavior<Command> onLoad(Load load) {
        context.pipeToSelf(replica.load(load.manifest(), load.bytes(), load.dialogue()), (done, failure) -> new LoadEnded(load.manifest(), failure));
        return this;
    }

    private Behavior<Command> onLoadEnded(LoadEnded ended) {
        if (ended.failure() == null) {
            metrics.heldVersion.labelValues(workerId).set(ended.manifest().getVersion());
        }
        worker.tell(new WorkerProtocol.Loaded(ended.manifest(), ended.failure()));
        return this;
    }

    private Behavior<Command> onGenerate(Generate generate) {
        long start = System.nanoTime();
        context.pipeToSelf(replica.generate(generate.spec(), generate.dialogue(), generate.leases(), generate.version()),
                (groups, failure) -> new GenerationEnded(generate.leases(), groups, failure, start));
        return this;
    }

    private Behavior<Command> onGenerationEnded(GenerationEnded ended) {
        if (ended.failure() == null) {
            metrics.generationSeconds.labelValues(workerId).observe((System.nanoTime() - ended.startNanos()) / 1e9);
            metrics.generatedTokens.labelValues(workerId).inc(ended.groups().stream().flatMap(leased -> leased.group().rows().stream())
                    .mapToInt(t -> t.attemptOne().length + t.attemptTwo().length).sum());
        }
        worker.tell(new WorkerProtocol.Generated(ended.leases(), ended.groups(), ended.failure()));
        return this;
    }

    /** Frees the model once the work on it has ended (the replica waits for a running load or generation). */
    private Behavior<Command> onPostStop() {
        metrics.heldVersion.remove(workerId);
        replica.close();
        return this;
    }
}
