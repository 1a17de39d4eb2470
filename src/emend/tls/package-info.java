/**
 * Mutual TLS between cluster nodes: certificates, the cluster CA and socket factories.
 */
package emend.tls;
