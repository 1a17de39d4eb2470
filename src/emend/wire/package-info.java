/**
 * Validation at the edge: every message from another node is checked here (sizes, versions, nonces, layouts)
 * before it touches state.
 */
package emend.wire;
