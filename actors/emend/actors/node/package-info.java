/**
 * A cluster node: its actor system and configuration, the workers it hosts, health, metrics and the driver that
 * runs a job on it.
 */
package emend.actors.node;
