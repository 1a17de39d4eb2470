package emend.dispatch;

import ai.djl.ndarray.NDManager;
import emend.checkpoint.HfModelConfig;
import emend.engine.DjlRuntime;
import emend.generate.Generator;
import emend.model.Transformer;
import emend.model.Weights;
import emend.proto.PromptLease;
import emend.proto.RunSpec;
import emend.proto.WeightManifest;
import emend.rollout.RolloutGenerator;
import emend.rollout.RolloutSampler;
import emend.task.Dialogue;
import emend.weights.WeightCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A rollout worker's copy of the policy on its device: loads verified versions and samples leased prompts' groups,
 * both on the device's model thread (no tensor work on an actor thread), and frees its native memory only after the
 * last of that work has ended.
 */
public final class PolicyReplica implements AutoCloseable {

    /** Builds the generator of a replica once it holds weights. */
    public interface GeneratorFactory {
        RolloutGenerator create(Weights weights, Dialogue dialogue);
    }

    /** The real thing: sampling from the policy with the KV cache. */
    public static final GeneratorFactory POLICY = (weights, dialogue) ->
            new RolloutSampler(new Generator(new Transformer(weights), dialogue.tokenizer().specials().pad()), dialogue);

    private final Executor modelThread;
    private final GeneratorFactory generators;
    private final NDManager manager;
    /** Touched on the model thread only. */
    private Weights weights;
    private RolloutGenerator generator;
    /** The load or generation running on the model thread, if any: it uses the model, so the model outlives it. */
    private CompletableFuture<?> running = CompletableFuture.completedFuture(null);

    /**
     * @param device as {@code emend.device} names one ({@code cpu}, {@code gpu:1})
     * @param modelThread the device slot's model thread
     */
    public PolicyReplica(String device, Executor modelThread, GeneratorFactory generators) {
        this.modelThread = modelThread;
        this.generators = generators;
        this.manager = DjlRuntime.engine().newBaseManager(DjlRuntime.device(device));
    }

    /** Loads a version whose bytes passed their hash check; the first load builds the model for {@code dialogue}. */
    public CompletableFuture<Void> load(WeightManifest manifest, byte[] bytes, Dialogue dialogue) {
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            DjlRuntime.gradientsOffOnThisThread();
            if (weights == null) {
                weights = WeightCodec.decode(HfModelConfig.fromJson(manifest.getModelConfigJson()), bytes, manager);
                generator = generators.create(weights, dialogue);
            } else {
                WeightCodec.loadInto(weights, bytes);
            }
        }, modelThread);
        running = load;
        return load;
    }

    /** Samples the groups of {@code leases} with the loaded {@code version}. */
    public CompletableFuture<List<LeasedRollouts.LeasedGroup>> generate(RunSpec spec, Dialogue dialogue, List<PromptLease> leases, long version) {
        CompletableFuture<List<LeasedRollouts.LeasedGroup>> generation = CompletableFuture.supplyAsync(() -> {
            DjlRuntime.gradientsOffOnThisThread();
            return LeasedRollouts.generate(generator, spec, dialogue.tokenizer().specials().eos(), leases, version);
        }, modelThread);
        running = generation;
        return generation;
    }

    /**
     * Frees the model once the work on it has ended: closing under a running generation frees tensors the model
     * thread is reading (seen as a SIGSEGV in libtorch when a test stopped a generating worker).
     */
    @Override
    public void close() {
        running.whenComplete((result, failure) -> manager.close());
    }
}
