package emend.eval;

/** One model's evaluation on one problem set: greedy (the paper's protocol), sampled, and the diagnostics. */
public record Evaluation(FiveMetrics greedy, FiveMetrics sampled, Counterfactuals counterfactuals) {}
