/**
 * Rollouts: the prompts a step draws (the prompt order both drivers share: {@link emend.rollout.PromptQueue}), the shape of a prompt's group, sampling the two attempts from the policy (and
 * offline attempts 1 from the base model), and the trajectories that carry them with their rewards to the learner.
 */
package emend.rollout;
