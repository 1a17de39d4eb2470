package emend.rl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import emend.engine.DjlRuntime;
import emend.model.SequenceScorer;
import emend.model.Tensors;
import emend.model.Transformer;
import emend.model.Weights;
import emend.optim.AdamW;
import emend.optim.TrainingDivergedException;
import emend.rollout.RlooGroup;
import emend.rollout.Trajectory;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The learner step of SCoRe: per-turn shaped rewards, RLOO advantages per turn, KL to the frozen reference,
 * a clipped importance ratio, one AdamW update.
 *
 * <p>The objectives, per prompt x with attempts y1 ~ π(·|x) and y2 ~ π(·|x, y1, instruction), r = the verifier:
 * <pre>
 *   Stage I : maximise  E[ r(y2) ]                               − β2·KL_t1 − β1·KL_t2
 *   Stage II: maximise  E[ r(y1) + r(y2) + α·(r(y2) − r(y1)) ]   − β1·KL_t1 − β1·KL_t2
 * </pre>
 * <ul>
 *   <li>turn rewards (attempt 1 sees only its own, discount 0): {@link TurnRewards#of}; the optional copy baseline
 *       (attempt 2 minus r(y1)): {@link #shapedRewards};</li>
 *   <li>advantages A1, A2: RLOO, turn 1 over the prompt's distinct attempts 1, turn 2 over the attempts 2 that share
 *       an attempt 1 when there are several ({@code emend.rl.turn2-samples}), else over the prompt's dialogues; then
 *       none, per-group, per-turn batch or joint scaling: {@link #advantagesPerTurn}, {@link Rloo#advantages};</li>
 *   <li>per target token t of turn i: {@code −min(ρ·Ai, clip(ρ, 1−ε, 1+ε)·Ai) + β_i·k3(π, π_ref)}, where ρ =
 *       π(y)/π_behaviour(y): {@link ClippedSurrogate#of} and {@link KlEstimator#tensor} in {@code accumulate};
 *       the β of each turn and stage: {@link ObjectiveSettings#klWeight};</li>
 *   <li>summed over the response tokens of a row and divided by the batch's rows ({@code accumulate}). A turn-1
 *       term counts once per row, so with m siblings per attempt 1 each attempt 1 weighs m/(k·m) = 1/k: the same
 *       as counting it once over the prompt's k attempts 1. The siblings' shared context (prompt, attempt 1,
 *       instruction) goes through the model once, its attempt-1 terms weighted by its m rows
 *       ({@link PolicyGradientBatch}): the same loss and gradient as row by row, with most of a dialogue's tokens
 *       run once per attempt 1 rather than once per row.</li>
 * </ul>
 * The gradient is the sequence-level REINFORCE estimate {@code A·∇log π(y)} plus the KL term. For on-policy rows ρ
 * is exactly 1 (the behaviour log-prob is the current one, detached). Policy, reference and behaviour log-probs are
 * all taken at each row's sampling temperature (logits / T, {@link Trajectory#temperature()}), so the update
 * optimises the distribution the sampler drew from; greedy decoding, its argmax, is the same at every temperature.
 *
 * <p>Departures from the paper, all deliberate: (1) the paper does not say whether KL sits in the loss or in the
 * reward; the loss is the default, the reward is an option; (2) its RLOO group size and advantage scaling are
 * unstated; both are settings, and turn-2 groups of siblings are our addition; (3) an optional state-dependent
 * baseline for attempt 2 (see {@link ObjectiveSettings#copyBaseline()}), which leaves the expected gradient
 * unchanged; (4) the clipped ratio is not in the paper (its sampling is synchronous) and is 1 whenever our
 * sampling is too; (5) the paper's offline base-model first attempts ({@code emend.rl.offline-first-attempts}) are
 * drawn from the frozen base model at each Stage II step rather than collected before training (the same
 * distribution): such a row's attempt 1 has no target tokens ({@link PolicyGradientBatch}: neither a
 * policy-gradient nor a KL term) and no turn-1 advantage ({@link GroupLayout}), and its attempt 2 is trained like
 * any other, its progress bonus α·(r2 − r1) measured from the base model's attempt; (6) optionally
 * ({@code emend.rl.stage1-reference = phase-start}, {@link #anchorStageOne}) a Stage I phase holds the policy to
 * itself as the phase began rather than to the base model, so a later Stage I phase of an interleaved schedule
 * does not pull attempt 1 back to the base.
 */
public final class ScoreLearner {

    private final Transformer policy;
    private final Transformer reference;
    /** Stage I's KL reference when it is not the base model ({@link StageOneReference#PHASE_START}); else null. */
    private Transformer stageOneReference;
    private final AdamW optimizer;
    private final int padToken;
    private final int microBatchRows;

    public ScoreLearner(Transformer policy, Transformer reference, AdamW optimizer, int padToken, int microBatchRows) {
        if (microBatchRows < 1) {
            throw new IllegalArgumentException("micro-batch rows must be >= 1, got " + microBatchRows);
        }
        this.policy = policy;
        this.reference = reference;
        this.optimizer = optimizer;
        this.padToken = padToken;
        this.microBatchRows = microBatchRows;
    }

    /** The optimizer whose state a checkpoint saves. */
    public AdamW optimizer() {
        return optimizer;
    }

    /**
     * Makes a copy of the policy as it is now Stage I's KL reference, until the next call
     * ({@link StageOneReference#PHASE_START}: called as each Stage I phase begins).
     */
    public void anchorStageOne() {
        holdStageOneTo(policy.weights());
    }

    /** Stage I's KL reference when it is not the base model (for the resume state). */
    public Optional<Weights> stageOneReference() {
        return Optional.ofNullable(stageOneReference).map(Transformer::weights);
    }

    /** Makes a copy of {@code weights} (the policy now, or a resume state's reference) Stage I's KL reference. */
    public void holdStageOneTo(Weights weights) {
        if (stageOneReference == null) {
            stageOneReference = new Transformer(weights.copy(policy.weights().manager()));
        } else {
            stageOneReference.weights().overwriteWith(weights);
        }
    }

    /** The model a step of {@code stage} measures its KL against. */
    private Transformer referenceOf(Stage stage) {
        return stage == Stage.STAGE_ONE && stageOneReference != null ? stageOneReference : reference;
    }

    /** The policy version: the number of updates applied so far. */
    public long version() {
        return optimizer.stepCount();
    }

    /**
     * One update from {@code groups}, one RLOO group per prompt. Rows go through the model {@code microBatchRows}
     * at a time, gradients accumulating, so activation memory is bounded by the micro-batch, not the batch; the
     * update is the same as for the whole batch at once.
     */
    public LearnerStats step(List<RlooGroup> groups, Stage stage, ObjectiveSettings settings, double learningRate) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a learner step needs at least one group");
        }
        List<Trajectory> batch = RlooGroup.rowsOf(groups);
        int rows = batch.size();
        double[][] rewards = shapedRewards(batch, stage, settings);
        int[] microBatchEnds = PolicyGradientBatch.microBatchEnds(groups, microBatchRows);
        if (settings.klInReward()) {
            subtractSampledKl(batch, microBatchEnds, stage, settings, rewards);
        }
        double[][] advantages = advantagesPerTurn(groups, rewards, stage, settings.normalization());
        Totals totals = new Totals();
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            int from = 0;
            for (int to : microBatchEnds) {
                accumulate(batch.subList(from, to), Arrays.copyOfRange(advantages, from, to), stage, settings, rows, collector, totals);
                from = to;
            }
        }
        long staleRows = batch.stream().filter(t -> t.policyVersion() < version()).count();
        double gradNorm = optimizer.step(learningRate);
        return new LearnerStats(totals.loss, mean(batch, true), stage.twoTurns() ? mean(batch, false) : Double.NaN,
                totals.klOne / rows, totals.klTwo / rows, gradNorm,
                totals.staleTargets > 0 ? totals.clippedTargets / totals.staleTargets : 0, (int) staleRows,
                batch.stream().mapToInt(Trajectory::generatedTokens).sum());
    }

    /** Running sums over the micro-batches of one step. */
    private static final class Totals {
        double loss;
        double klOne;
        double klTwo;
        double clippedTargets;
        double staleTargets;
    }

    /** Forward and backward of one micro-batch; its loss is scaled by the whole batch's row count. */
    private void accumulate(List<Trajectory> rows, double[][] advantages, Stage stage, ObjectiveSettings settings,
                            int batchRows, GradientCollector collector, Totals totals) {
        NDManager manager = policy.weights().manager();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            PolicyGradientBatch data = new PolicyGradientBatch(rows, advantages, klWeights(rows.size(), stage, settings), version(), padToken);
            // the frozen reference needs no graph: scored without autograd, only its log-probs kept
            NDArray referenceLogProbs = Tensors.keepingOnlyResult(() -> DjlRuntime.withoutGradients(
                    () -> SequenceScorer.tokenLogProbs(referenceOf(stage), manager, data.rows)));              // (targets)
            NDArray turnOne = data.targets(manager, data.turnOne);
            NDArray turnTwo = data.targets(manager, data.turnTwo);
            NDArray response = turnOne.add(turnTwo);
            NDArray stale = data.targets(manager, data.stale);
            NDArray logProbs = SequenceScorer.tokenLogProbs(policy, manager, data.rows);                      // (targets)
            ClippedSurrogate.Result surrogate = ClippedSurrogate.of(logProbs, data.targets(manager, data.behaviourLogProb),
                    stale, data.targets(manager, data.advantage), settings.clipEpsilon());
            NDArray perTarget = surrogate.surrogate().neg();
            NDArray kl = settings.klEstimator().tensor(logProbs, referenceLogProbs);
            if (!settings.klInReward()) {
                perTarget = perTarget.add(kl.mul(data.targets(manager, data.klWeight)));
            }
            NDArray objective = perTarget.mul(response).sum().div(Tensors.scalar(manager, batchRows));
            double loss = objective.getFloat();
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException("RL loss is " + loss + " at policy version " + version()
                        + "; lower the learning rate or raise the KL weights");
            }
            collector.backward(objective);
            totals.loss += loss;
            NDArray detachedKl = kl.stopGradient();
            totals.klOne += detachedKl.mul(turnOne).sum().getFloat();
            totals.klTwo += detachedKl.mul(turnTwo).sum().getFloat();
            NDArray wasClipped = surrogate.ratio().stopGradient().sub(surrogate.clippedRatio().stopGradient())
                    .abs().gt(1e-6f).toType(DataType.FLOAT32, false);
            totals.clippedTargets += wasClipped.mul(stale).mul(response).sum().getFloat();
            totals.staleTargets += stale.mul(response).sum().getFloat();
        }
    }

    private static double[][] klWeights(int rows, Stage stage, ObjectiveSettings settings) {
        double[][] out = new double[rows][];
        for (int b = 0; b < rows; b++) {
            out[b] = new double[] {settings.klWeight(stage, 1), settings.klWeight(stage, 2)};
        }
        return out;
    }

    /** KL in the reward: subtracts β·Σ KL of each turn's sampled tokens (behaviour vs reference) from its reward. */
    private void subtractSampledKl(List<Trajectory> batch, int[] microBatchEnds, Stage stage, ObjectiveSettings settings, double[][] rewards) {
        NDManager manager = policy.weights().manager();
        int from = 0;
        for (int to : microBatchEnds) {
            List<Trajectory> rows = batch.subList(from, to);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                PolicyGradientBatch layout = new PolicyGradientBatch(rows, new double[rows.size()][2],
                        klWeights(rows.size(), stage, settings), version(), padToken);
                float[] referenceLogProbs = SequenceScorer.tokenLogProbs(referenceOf(stage), manager, layout.rows).toFloatArray();
                double[] kl = new double[layout.targets()];
                for (int i = 0; i < kl.length; i++) {
                    kl[i] = settings.klEstimator().value(layout.behaviourLogProb[i], referenceLogProbs[i]);
                }
                double[][] perTurn = layout.sumsPerRow(kl);
                for (int b = 0; b < rows.size(); b++) {
                    rewards[from + b][0] -= settings.klWeight(stage, 1) * perTurn[b][0];
                    rewards[from + b][1] -= settings.klWeight(stage, 2) * perTurn[b][1];
                }
            }
            from = to;
        }
    }

    /** Mean reward of attempt 1 (the policy's own: offline ones excluded) or of attempt 2. */
    private static double mean(List<Trajectory> batch, boolean first) {
        return batch.stream().filter(t -> !first || !t.offlineFirstAttempt()).mapToInt(t -> first ? t.rewardOne() : t.rewardTwo())
                .average().orElse(0);
    }

    /** Shaped rewards per row, {turn 1, turn 2}, with the copy baseline applied to turn 2 when it is on. */
    static double[][] shapedRewards(List<Trajectory> batch, Stage stage, ObjectiveSettings settings) {
        double[][] rewards = new double[batch.size()][];
        for (int b = 0; b < batch.size(); b++) {
            Trajectory t = batch.get(b);
            TurnRewards shaped = TurnRewards.of(stage, t.rewardOne(), t.rewardTwo(), settings.alphaShapingBonus());
            double baseline = settings.copyBaseline() && stage.twoTurns() ? t.rewardOne() : 0;
            rewards[b] = new double[] {shaped.turnOne(), shaped.turnTwo() - baseline};
        }
        return rewards;
    }

    /**
     * RLOO per turn ({@link GroupLayout}): turn 1 over the prompt's distinct attempts 1 (siblings share their attempt
     * 1's advantage, so its reward is not its own baseline), turn 2 over the siblings sharing an attempt 1, or over
     * the prompt's rows when each attempt 1 has one attempt 2. {@code JOINT} scales both turns by one factor.
     */
    static double[][] advantagesPerTurn(List<RlooGroup> groups, double[][] rewards, Stage stage, AdvantageNormalization normalization) {
        GroupLayout layout = GroupLayout.of(groups);
        int rows = layout.firstAttemptOfRow.length;
        if (rewards.length != rows) {
            throw new IllegalArgumentException(rewards.length + " rows of rewards for groups of " + rows + " rows");
        }
        AdvantageNormalization perTurn = normalization == AdvantageNormalization.JOINT ? AdvantageNormalization.NONE : normalization;
        double[] firstRewards = new double[layout.rowOfFirstAttempt.length];
        for (int i = 0; i < firstRewards.length; i++) {
            firstRewards[i] = rewards[layout.rowOfFirstAttempt[i]][0];
        }
        double[] secondRewards = new double[rows];
        for (int b = 0; b < rows; b++) {
            secondRewards[b] = rewards[b][1];
        }
        double[] first = Rloo.advantages(firstRewards, layout.turnOneGroupSizes, perTurn);   // one per attempt 1
        double[] second = Rloo.advantages(secondRewards, layout.turnTwoGroupSizes, perTurn); // one per row
        double scale = normalization == AdvantageNormalization.JOINT ? jointScale(first, second, stage) : 1;
        double[][] out = new double[rows][2];
        for (int b = 0; b < rows; b++) {
            out[b][0] = layout.firstAttemptOfRow[b] < 0 ? 0 : first[layout.firstAttemptOfRow[b]] / scale;
            out[b][1] = second[b] / scale;
        }
        return out;
    }

    /** Root mean square of the advantages of the turns {@code stage} rewards (each attempt counted once), plus ε. */
    private static double jointScale(double[] first, double[] second, Stage stage) {
        double sum = 0;
        int count = 0;
        if (stage != Stage.STAGE_ONE) {           // Stage I gives attempt 1 no reward
            for (double a : first) {
                sum += a * a;
            }
            count += first.length;
        }
        if (stage.twoTurns()) {
            for (double a : second) {
                sum += a * a;
            }
            count += second.length;
        }
        return Math.sqrt(sum / Math.max(1, count)) + Rloo.EPSILON;
    }
}
