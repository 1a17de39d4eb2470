/**
 * One training run from settings to results: configuration, the warm-up base model, the training session, the
 * synchronous driver and the job both drivers share.
 */
package emend.run;
