package dev.cumulus.platform;

import dev.cumulus.iam.ExecutionTokens;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.scheduler.InstanceGrants;
import dev.cumulus.secrets.FunctionSecrets;
import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * What this node gives its instances beyond their configuration: {@code CUMULUS_API_URL}, the
 * node's API endpoint (known once the edge listens: instances start after it), the function's
 * secrets, and each invocation of a function with an execution role its token.
 */
final class NodeGrants implements InstanceGrants {
    /** Where a function finds the node's REST API, to call with its token. */
    static final String API_URL = "CUMULUS_API_URL";

    private final ExecutionTokens tokens;
    private volatile URI apiUrl;
    private volatile FunctionSecrets secrets;

    NodeGrants(ExecutionTokens tokens) {
        this.tokens = tokens;
    }

    /** Bound once the secrets exist (they need the scheduler, which needs this); before any instance starts. */
    void secretsFrom(FunctionSecrets secrets) {
        this.secrets = secrets;
    }

    void listeningAt(URI url) {
        this.apiUrl = url;
    }

    @Override
    public Environment environment(FunctionVersion version) {
        URI url = apiUrl;
        FunctionSecrets bound = secrets;
        if (bound == null) {
            // never start an instance without the secrets it was given
            throw new IllegalStateException("the node's secrets are not bound yet");
        }
        return new Environment(url == null ? Map.of() : Map.of(API_URL, url.toString()),
                bound.values(version.project(), version.functionName()));
    }

    @Override
    public String token(FunctionVersion version, String requestId, Instant deadline) {
        String role = version.config().role();
        if (role == null) {
            return null; // a function without a role can call nothing: it gets no credentials at all
        }
        return tokens.mint(ExecutionTokens.Claims.builder()
                .project(version.project())
                .function(version.functionName())
                .role(role)
                .requestId(requestId)
                .expiresAt(ExecutionTokens.expiryFor(deadline))
                .build());
    }
}
