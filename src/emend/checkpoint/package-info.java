/**
 * Weights on disk: Emend checkpoints, the resume state of a run, and Hugging Face directories (config.json,
 * safetensors) in and out.
 */
package emend.checkpoint;
