package emend.rollout;

import emend.generate.SamplingConfig;
import java.util.List;

/**
 * Produces the unscored RLOO groups of a list of prompts: {@link RolloutSampler} with a real policy; benchmarks
 * of the runtime plug in a stand-in to measure the orchestration alone.
 */
public interface RolloutGenerator {

    /** One group of {@code shape} per prompt, in the order of {@code prompts}, rewards 0 until a verifier scores them. */
    List<RlooGroup> generateUnscored(List<PromptDraw> prompts, GroupShape shape, SamplingConfig sampling,
                                      long runSeed, long policyVersion);
}
