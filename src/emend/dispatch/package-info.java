/**
 * The actor runtime's bookkeeping as pure, unit-tested classes: leases, the staleness window, prompt order, run
 * control, worker state and registry, pending verifications, the learner's snapshot. The actors call these and
 * only move messages.
 */
package emend.dispatch;
