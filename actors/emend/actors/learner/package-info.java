/**
 * The learner singleton: leases out prompts, admits scored groups, runs a step when a batch is full and publishes
 * each new version.
 */
package emend.actors.learner;
