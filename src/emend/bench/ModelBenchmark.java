package emend.bench;

import ai.djl.ndarray.NDManager;
import emend.generate.Generator;
import emend.generate.SamplingConfig;
import emend.model.ModelConfig;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.optim.LearningRateSchedule;
import emend.sft.SupervisedTrainer;
import emend.sft.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Throughput of one model configuration, measured side by side in one process: generation with the KV cache
 * against full recompute (batch 32 and batch 1), with the KV cache at batch 128, and training tokens/s (forward,
 * backward and AdamW).
 *
 * <p>Each figure is the median of several timed repetitions after a warm-up run.
 */
public final class ModelBenchmark {

    private static final int PROMPT_TOKENS = 16;
    private static final int NEW_TOKENS = 64;
    private static final int TRAIN_BATCH = 16;
    private static final int TRAIN_LENGTH = 64;
    private static final int REPEATS = 3;

    private ModelBenchmark() {}

    /** The figures; throughputs in tokens per second. */
    public record Figures(long parameters, double genKvBatch32, double genRecomputeBatch32, double genKvBatch1,
                          double genRecomputeBatch1, double genKvBatch128, double trainTokensPerSecond) {
        public double kvSpeedupBatch32() {
            return genKvBatch32 / genRecomputeBatch32;
        }

        public double kvSpeedupBatch1() {
            return genKvBatch1 / genRecomputeBatch1;
        }
    }

    /** Progress steps {@link #run} reports. */
    public static final int PHASES = 6;

    public static Figures run(NDManager parent, ModelConfig config, IntConsumer progress) {
        try (NDManager manager = parent.newSubManager();
             Weights weights = Weights.initialize(config, 1, manager)) {
            Transformer model = new Transformer(weights);
            double kv32 = generation(model, 32, true);
            progress.accept(1);
            double full32 = generation(model, 32, false);
            progress.accept(2);
            double kv1 = generation(model, 1, true);
            progress.accept(3);
            double full1 = generation(model, 1, false);
            progress.accept(4);
            double kv128 = generation(model, 128, true);
            progress.accept(5);
            double train = training(weights, manager);
            progress.accept(6);
            return new Figures(config.parameterCount(), kv32, full32, kv1, full1, kv128, train);
        }
    }

    private static double generation(Transformer model, int batch, boolean cache) {
        Random random = new Random(batch);
        List<int[]> prompts = new ArrayList<>();
        long[] seeds = new long[batch];
        for (int b = 0; b < batch; b++) {
            prompts.add(random.ints(PROMPT_TOKENS, 5, model.config().vocabSize()).toArray());
            seeds[b] = b;
        }
        Generator generator = new Generator(model, 0, cache);
        SamplingConfig sampling = SamplingConfig.sampled(1.0, NEW_TOKENS, -1); // no stop token: always 64 tokens
        generator.generate(prompts, seeds, sampling);
        double[] rates = new double[REPEATS];
        for (int r = 0; r < REPEATS; r++) {
            long start = System.nanoTime();
            generator.generate(prompts, seeds, sampling);
            rates[r] = (double) batch * NEW_TOKENS / ((System.nanoTime() - start) / 1e9);
        }
        return Median.of(rates);
    }

    private static double training(Weights weights, NDManager manager) {
        Random random = new Random(3);
        List<int[]> rows = new ArrayList<>();
        List<boolean[]> targets = new ArrayList<>();
        for (int b = 0; b < TRAIN_BATCH; b++) {
            rows.add(random.ints(TRAIN_LENGTH, 5, weights.config().vocabSize()).toArray());
            boolean[] all = new boolean[TRAIN_LENGTH];
            Arrays.fill(all, true);
            targets.add(all);
        }
        TokenBatch batch = TokenBatch.of(rows, targets, 0);
        try (AdamW adam = new AdamW(weights.tensors(), manager, AdamW.Settings.defaults())) {
            SupervisedTrainer trainer = new SupervisedTrainer(new Transformer(weights), adam, LearningRateSchedule.constant(1e-4));
            trainer.step(batch);
            int steps = 5;
            double[] rates = new double[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                long start = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    trainer.step(batch);
                }
                rates[r] = (double) steps * TRAIN_BATCH * TRAIN_LENGTH / ((System.nanoTime() - start) / 1e9);
            }
            return Median.of(rates);
        }
    }

}
