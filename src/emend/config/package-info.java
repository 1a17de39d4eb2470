/**
 * A run's configuration: the settings read once from HOCON and validated at the edge (run, runtime, the keys known),
 * the parameters an operator may change while it trains, where a node serves its endpoints, and the task the
 * settings name ({@link emend.config.Tasks}: it needs the settings and the sandbox, which the task package may not
 * depend on).
 */
package emend.config;
