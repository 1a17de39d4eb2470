package emend.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import emend.model.Tensors;
import emend.model.Transformer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Batched autoregressive generation with a KV cache (or full recompute, for comparison).
 *
 * <p>Prompts of different lengths are left-padded into one batch. Each row draws its randomness from its own
 * stream seeded by the caller (see {@link emend.util.Seeds}), so a row's sample does not depend on the other
 * rows in the batch. Every decoding step runs in its own {@link NDScope}; nothing outlives the call.
 */
public final class Generator {

    private final Transformer model;
    private final int padToken;
    private final boolean useCache;

    public Generator(Transformer model, int padToken) {
        this(model, padToken, true);
    }

    public Generator(Transformer model, int padToken, boolean useCache) {
        this.model = model;
        this.padToken = padToken;
        this.useCache = useCache;
    }

    /**
     * Continues every prompt.
     *
     * @param prompts token ids per row (each non-empty)
     * @param rowSeeds one seed per row for its sampling stream
     */
    public List<Completion> generate(List<int[]> prompts, long[] rowSeeds, SamplingConfig sampling) {
        int batch = prompts.size();
        if (batch == 0) {
            return List.of();
        }
        if (rowSeeds.length != batch) {
            throw new IllegalArgumentException(rowSeeds.length + " seeds for " + batch + " prompts");
        }
        int promptLength = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        if (prompts.stream().anyMatch(p -> p.length == 0)) {
            throw new IllegalArgumentException("empty prompt: every prompt needs at least one token (e.g. <bos>)");
        }
        int budget = Math.min(sampling.maxNewTokens(), model.config().contextLength() - promptLength);
        if (budget <= 0) {
            throw new IllegalArgumentException("a prompt of " + promptLength + " tokens leaves no room to generate within the context length "
                    + model.config().contextLength() + ": shorten the prompt or use a model with a longer context");
        }
        // Rows with the same prompt (the attempts 2 that continue one attempt 1) share its prefill, most of the
        // arithmetic of a batch of long prompts: each distinct prompt runs once, then every row goes on alone.
        int[] distinctOfRow = new int[batch];
        List<int[]> distinct = new ArrayList<>();
        Map<IntBuffer, Integer> seen = new HashMap<>();
        for (int b = 0; b < batch; b++) {
            int[] prompt = prompts.get(b);
            distinctOfRow[b] = seen.computeIfAbsent(IntBuffer.wrap(prompt), key -> {
                distinct.add(prompt);
                return distinct.size() - 1;
            });
        }
        int[] padCounts = new int[distinct.size()];
        int[] firstInput = new int[distinct.size() * promptLength];
        for (int d = 0; d < distinct.size(); d++) {
            int[] prompt = distinct.get(d);
            padCounts[d] = promptLength - prompt.length;
            Arrays.fill(firstInput, d * promptLength, d * promptLength + padCounts[d], padToken);
            System.arraycopy(prompt, 0, firstInput, d * promptLength + padCounts[d], prompt.length);
        }
        SplittableRandom[] streams = new SplittableRandom[batch];
        for (int b = 0; b < batch; b++) {
            streams[b] = new SplittableRandom(rowSeeds[b]);
        }
        RowBuffers rows = new RowBuffers(batch, budget);
        NDManager manager = model.weights().manager();
        try (NDScope callScope = new NDScope();
             Decoder decoder = useCache
                     ? new CachedDecoder(model, manager, padCounts, promptLength + budget)
                     : new RecomputeDecoder(model, manager, padCounts, promptLength + budget)) {
            callScope.suppressNotUsedWarning();
            int[] input = firstInput;
            int steps = promptLength;
            for (int n = 0; n < budget && !rows.allStopped(); n++) {
                TokenSampler.Picks picks;
                try (NDScope stepScope = new NDScope()) {
                    stepScope.suppressNotUsedWarning();
                    NDArray logits = decoder.next(input, steps);
                    if (n == 0 && distinct.size() < batch) {
                        decoder.repeatRows(distinctOfRow);
                        logits = logits.get(new NDIndex("{}", Tensors.copyOf(manager, distinctOfRow, new Shape(batch))
                                .toType(DataType.INT64, false)));
                    }
                    float[] uniforms = new float[batch];
                    for (int b = 0; b < batch; b++) {
                        uniforms[b] = (float) streams[b].nextDouble();
                    }
                    picks = TokenSampler.pick(logits, uniforms, sampling);
                }
                rows.append(picks, sampling);
                input = rows.nextInput(picks.tokens(), padToken);
                steps = 1;
            }
        }
        return rows.completions();
    }

    /** Host-side per-row output buffers and stop bookkeeping. */
    private static final class RowBuffers {
        private final int[][] tokens;
        private final float[][] logProbs;
        private final int[] lengths;
        private final boolean[] stopped;
        private int stoppedCount;

        RowBuffers(int batch, int budget) {
            tokens = new int[batch][budget];
            logProbs = new float[batch][budget];
            lengths = new int[batch];
            stopped = new boolean[batch];
        }

        void append(TokenSampler.Picks picks, SamplingConfig sampling) {
            for (int b = 0; b < lengths.length; b++) {
                if (stopped[b]) {
                    continue;
                }
                int token = picks.tokens()[b];
                tokens[b][lengths[b]] = token;
                logProbs[b][lengths[b]] = picks.logProbs()[b];
                lengths[b]++;
                if (sampling.isStop(token)) {
                    stopped[b] = true;
                    stoppedCount++;
                }
            }
        }

        /** The next step's input: each row's new token, or padding for rows that have stopped. */
        int[] nextInput(int[] picked, int padToken) {
            int[] next = picked.clone();
            for (int b = 0; b < next.length; b++) {
                if (stopped[b]) {
                    next[b] = padToken;
                }
            }
            return next;
        }

        boolean allStopped() {
            return stoppedCount == lengths.length;
        }

        List<Completion> completions() {
            List<Completion> out = new ArrayList<>(lengths.length);
            for (int b = 0; b < lengths.length; b++) {
                out.add(new Completion(Arrays.copyOf(tokens[b], lengths[b]), Arrays.copyOf(logProbs[b], lengths[b]), stopped[b]));
            }
            return out;
        }
    }
}
