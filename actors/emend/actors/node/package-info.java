/**
 * A cluster node: its actor system and configuration, the agent over the workers it hosts, the metrics and
 * management endpoints, and the driver that runs a job on it.
 */
package emend.actors.node;
