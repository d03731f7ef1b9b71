package dev.cumulus.registry;

import java.util.Map;

/**
 * The configuration of a function as the user sets it. Immutable: an update makes a new one.
 *
 * @param keepAliveSeconds how long an idle instance is kept; null means the node's default
 * @param publicUrl whether the function URL answers without a bearer token
 */
public record FunctionConfig(
        String name,
        String runtime,
        String handler,
        int memoryMb,
        int timeoutSeconds,
        Map<String, String> environment,
        int maxInstances,
        int concurrency,
        Integer keepAliveSeconds,
        boolean publicUrl) {
    public FunctionConfig {
        environment = Map.copyOf(environment);
    }
}
