/**
 * One training run from settings to results: the job (base model, schedule, evaluation), the training session
 * that takes the learner steps, the synchronous driver and its loop, the baselines' session and the run directory.
 */
package emend.run;
