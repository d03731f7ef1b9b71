/**
 * Where instances live and die: a pool per function revision, warm reuse, cold starts up to
 * the function's and the node's limits, a bounded wait queue and 429s beyond it, keep-alive
 * expiry down to zero instances, pre-warming, provisioned concurrency, crash and timeout
 * handling. The instance lifecycle is the state machine in
 * {@link dev.cumulus.scheduler.InstanceState}; the keep-alive and pre-warm decision is
 * {@link dev.cumulus.scheduler.KeepAlivePolicy} ({@link dev.cumulus.scheduler.HybridHistogramPolicy}
 * on a node, see docs/adr/0006-adaptive-keep-alive.md).
 */
package dev.cumulus.scheduler;
