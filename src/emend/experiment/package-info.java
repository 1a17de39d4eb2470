/**
 * Experiments over several runs: the baselines and ablations table (`emend experiment ablations`) and its report.
 */
package emend.experiment;
