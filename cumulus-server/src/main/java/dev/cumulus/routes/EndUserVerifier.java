package dev.cumulus.routes;

import java.util.Map;
import java.util.Optional;

/**
 * Checks an end user's bearer access token for a route with {@code auth: user}
 * (dev.cumulus.users): the token's claims when it is valid for the project now, else empty.
 */
@FunctionalInterface
public interface EndUserVerifier {
    Optional<Map<String, Object>> claims(String project, String authorization);
}
