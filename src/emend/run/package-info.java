/**
 * One training run from settings to results: the job (warm-up base model, schedule, evaluation), the training
 * session that takes the learner steps, the synchronous driver, and the run directory.
 */
package emend.run;
