/**
 * Supervised training: AdamW, the learning-rate schedule and the warm-up that makes the base model from two-turn
 * transcripts.
 */
package emend.train;
