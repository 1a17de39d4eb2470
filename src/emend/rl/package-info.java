/**
 * SCoRe's objective: a step's rollouts laid out as RLOO groups, turn rewards with the progress bonus, advantages, KL to the
 * base model, the clipped surrogate and the update (ScoreLearner's header gives the objectives as equations).
 */
package emend.rl;
