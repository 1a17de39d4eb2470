/**
 * Training curves on disk: TensorBoard event files (TFRecord framing) beside metrics.jsonl.
 */
package emend.metrics;
