package dev.cumulus.scheduler;

/**
 * One live instance as operators see it.
 *
 * @param pid the host pid of the instance's sandbox process (-1 before it has one)
 * @param residentBytes memory charged to the instance, or -1 if unknown
 */
public record InstanceInfo(String id, String version, InstanceState state, long pid, long residentBytes) {}
