/**
 * A run's configuration: the settings read once from HOCON and validated at the edge (run, runtime, the keys known),
 * the parameters an operator may change while it trains, and where a node serves its endpoints.
 */
package emend.config;
