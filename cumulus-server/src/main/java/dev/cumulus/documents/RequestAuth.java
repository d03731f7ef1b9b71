package dev.cumulus.documents;

import java.util.Map;
import java.util.Objects;

/**
 * The end user a request acts for, as access rules see it ({@code request.auth.uid},
 * {@code request.auth.claims}). This is the seam to end-user auth (issue 15): whatever verifies a
 * user's token produces one of these; a request without an end user has none (null).
 *
 * @param uid    the user's id
 * @param claims the token's claims (JSON values: strings, numbers, booleans, lists, maps)
 */
public record RequestAuth(String uid, Map<String, Object> claims) {
    public RequestAuth {
        Objects.requireNonNull(uid, "uid");
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }
}
