/**
 * Where instances live and die: a pool per function revision, warm reuse, cold starts up to
 * the function's and the node's limits, a bounded wait queue and 429s beyond it, keep-alive
 * expiry down to zero instances, crash and timeout handling. The instance lifecycle is the
 * state machine in {@link dev.cumulus.scheduler.InstanceState}; the keep-alive decision is
 * {@link dev.cumulus.scheduler.KeepAlivePolicy}.
 */
package dev.cumulus.scheduler;
