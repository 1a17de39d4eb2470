/**
 * What a node counts and reports, shared by every actor on it: its Prometheus registry, its health for Pekko
 * Management, and the counting of dropped messages.
 */
package emend.actors.metrics;
