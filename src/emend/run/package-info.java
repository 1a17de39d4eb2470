/**
 * One training run from settings to results: the job (base model, schedule, evaluation), the training session
 * that takes the learner steps, the synchronous driver and its loop, the baselines' session, the run directory,
 * and the task a run's settings name ({@link emend.run.Tasks}: it needs the settings and the sandbox, which the
 * task package may not depend on).
 */
package emend.run;
