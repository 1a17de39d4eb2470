package emend.sft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import emend.model.SequenceScorer;
import emend.model.Tensors;
import emend.model.Transformer;
import emend.optim.AdamW;
import emend.optim.LearningRateSchedule;
import emend.optim.TrainingDivergedException;

/** Next-token cross-entropy training on masked targets: the warm-up that makes a base model. */
public final class SupervisedTrainer {

    private final Transformer model;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;

    public SupervisedTrainer(Transformer model, AdamW optimizer, LearningRateSchedule schedule) {
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
    }

    /** Result of one step. */
    public record StepResult(double loss, double gradNorm, double learningRate, int targetTokens) {}

    /** One optimizer step on the mean negative log-likelihood of the batch's target tokens. */
    public StepResult step(TokenBatch batch) {
        NDManager manager = model.weights().manager();
        double loss;
        try (NDScope scope = new NDScope();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray logProbs = SequenceScorer.tokenLogProbs(model, batch.tokenArray(manager)); // (B, T-1)
            NDArray mask = batch.maskArray(manager);
            NDArray nll = logProbs.mul(mask).sum().neg().div(Tensors.scalar(manager, Math.max(1, batch.targetCount())));
            loss = nll.getFloat();
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException("supervised loss is " + loss + " at step " + (optimizer.stepCount() + 1)
                        + "; lower the learning rate");
            }
            collector.backward(nll);
        }
        double learningRate = schedule.at((int) optimizer.stepCount());
        double gradNorm = optimizer.step(learningRate);
        return new StepResult(loss, gradNorm, learningRate, batch.targetCount());
    }
}
