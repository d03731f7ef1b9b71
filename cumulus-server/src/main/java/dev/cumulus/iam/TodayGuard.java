package dev.cumulus.iam;

import dev.cumulus.auth.AccessKeys;
import dev.cumulus.auth.RootToken;
import dev.cumulus.errors.ApiException;
import java.util.Optional;

/**
 * The node's rules before policies (issue 11 replaces this): the root token and every access key
 * may do anything in the one project {@code default}. Kept only until the policy evaluator lands,
 * so that the router and the Lambda API can ask a {@link Guard} already.
 */
public final class TodayGuard implements Guard {
    public static final String DEFAULT_PROJECT = "default";
    private final RootToken token;
    private final AccessKeys keys;

    public TodayGuard(RootToken token, AccessKeys keys) {
        this.token = token;
        this.keys = keys;
    }

    @Override
    public Optional<Principal> bearer(String authorization, Facts facts) {
        return token.accepts(authorization) ? Optional.of(Principal.ROOT) : Optional.empty();
    }

    @Override
    public Optional<Principal> accessKey(String accessKeyId, Facts facts) {
        return keys.secret(accessKeyId).map(s -> new Principal(Principal.Kind.ACCESS_KEY, accessKeyId, DEFAULT_PROJECT));
    }

    @Override
    public String project(Principal who, String requested) {
        String project = requested == null ? (who.isRoot() ? DEFAULT_PROJECT : who.project()) : requested;
        if (!project.equals(DEFAULT_PROJECT)) {
            throw ApiException.notFound("project " + project + " does not exist");
        }
        return project;
    }

    @Override
    public void authorize(Principal who, String action, Crn resource, Facts facts) {
        if (!who.isRoot() && !resource.project().equals(who.project())) {
            throw new ApiException(403, "AccessDenied", who + " may not " + action + " on " + resource);
        }
    }
}
