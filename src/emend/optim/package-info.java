/**
 * The optimiser every training phase uses (AdamW with global-norm clipping), the learning-rate schedule, and the
 * error a diverged update raises.
 */
package emend.optim;
