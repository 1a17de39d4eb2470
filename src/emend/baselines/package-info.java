/**
 * Baselines that are not RL: Pair-SFT's self-correction transcripts built from the base model's own attempts.
 */
package emend.baselines;
