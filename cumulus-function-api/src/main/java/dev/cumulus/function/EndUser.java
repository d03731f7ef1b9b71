package dev.cumulus.function;

import java.util.Map;

/**
 * The end user whose access token a route with {@code auth: user} verified before this
 * invocation (docs/auth.md): their id ({@code sub}), address (null for an anonymous user) and
 * every claim of the token, custom ones included.
 */
public record EndUser(String id, String email, Map<String, Object> claims) {
    public EndUser {
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }
}
