package dev.cumulus.web;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies an end user's access token (docs/auth.md) for a route that takes end users as
 * principals of their own ({@link Route.Builder#endUsers}). The {@link Api} asks it only on such
 * routes, only when the bearer is no IAM credential, and only for the project the request names:
 * a token of another project is nobody there.
 */
@FunctionalInterface
public interface EndUserTokens {

    /**
     * The end user behind {@code authorization} ({@code Bearer <access token>}) in {@code project}:
     * signature, expiry and the user as stored now; empty for anything else.
     */
    Optional<EndUser> verify(String project, String authorization);

    /**
     * An end user as a route's handler sees it: never an IAM principal, so nothing IAM allows is
     * allowed to it; the handler's own rules decide.
     *
     * @param id     the user's id
     * @param claims the token's claims as the rules see them
     */
    record EndUser(String id, Map<String, Object> claims) {
        public EndUser {
            Objects.requireNonNull(id, "id");
            claims = claims == null ? Map.of() : Map.copyOf(claims);
        }
    }
}
