package emend.rollout;

import emend.generate.SamplingConfig;
import java.util.List;

/**
 * Produces the unscored RLOO groups of a list of prompts: {@link RolloutSampler} with a real policy; benchmarks
 * of the runtime plug in a stand-in to measure the orchestration alone.
 */
public interface RolloutGenerator {

    /**
     * Trajectories group after group in the order of {@code prompts} ({@code shape.rows()} each, siblings that share
     * attempt 1 adjacent), rewards 0 until a verifier scores them.
     */
    List<Trajectory> generateUnscored(List<PromptDraw> prompts, GroupShape shape, SamplingConfig sampling,
                                      long runSeed, long policyVersion);
}
