/**
 * Isolation of instance processes: bubblewrap namespaces, a read-only root built from bind
 * mounts, a private /tmp, cgroup limits on memory, pids and CPU, no network; and the host probe
 * behind {@code cumulus doctor}. Callers see only {@link dev.cumulus.sandbox.Sandbox}.
 */
package dev.cumulus.sandbox;
