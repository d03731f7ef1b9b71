/**
 * Notices between the nodes of a cluster (ADR 0041): small, loss-tolerant "look again" messages
 * by subject, never the data itself. {@link dev.cumulus.cluster.ClusterBus#alone()} for an
 * embedded node, {@link dev.cumulus.cluster.ClusterBus#connect} for NATS.
 */
package dev.cumulus.cluster;
