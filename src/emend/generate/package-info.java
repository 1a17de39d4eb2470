/**
 * Sampling from the transformer: batched generation with a KV cache (or full recompute), per-row seeds,
 * temperature.
 */
package emend.generate;
