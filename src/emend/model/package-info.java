/**
 * The Llama-family decoder in DJL (RMSNorm, rotary positions, grouped-query attention, SwiGLU), its configuration,
 * weights and KV cache.
 */
package emend.model;
