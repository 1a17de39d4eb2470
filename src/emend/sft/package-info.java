/**
 * Supervised fine-tuning on token sequences: the warm-up that makes the base model from two-turn transcripts (and
 * its cache, {@link emend.sft.BaseModel}), and the trainer the Pair-SFT baseline reuses.
 */
package emend.sft;
