/**
 * The sandbox that runs model-written Python against unit tests: isolation (bubblewrap or a weaker fallback),
 * limits, verdicts.
 */
package emend.sandbox;
