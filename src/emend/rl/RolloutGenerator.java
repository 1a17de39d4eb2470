package emend.rl;

import emend.generate.SamplingConfig;
import java.util.List;

/**
 * Produces the unscored RLOO groups of a list of prompts: {@link RolloutSampler} with a real policy; benchmarks
 * of the runtime plug in a stand-in to measure the orchestration alone.
 */
public interface RolloutGenerator {

    /**
     * Trajectories group after group in the order of {@code prompts}, rewards 0 until a verifier scores them.
     *
     * @param twoTurns false for the single-turn baseline (no attempt 2)
     */
    List<Trajectory> generateUnscored(List<PromptDraw> prompts, int samplesPerPrompt, boolean twoTurns, SamplingConfig sampling,
                                      long runSeed, long policyVersion);
}
