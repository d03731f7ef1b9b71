package dev.cumulus.iam;

import dev.cumulus.errors.ApiException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * The one check point of every HTTP API (issue 11): turns a credential into a
 * {@link Principal} and answers "may this principal do this action on this resource?". The edge's
 * router asks it before any handler runs; the Lambda API asks it after a signature holds. Every
 * denial is audited by the guard itself, so callers never forget to.
 */
public interface Guard {

    /** What a policy's conditions may look at besides the principal, action and resource. */
    record Facts(InetAddress source, Instant time) {}

    /**
     * The principal behind an {@code Authorization} header value ({@code Bearer <root token>},
     * a project API key, an invocation's execution token, an admin user's session); empty when
     * the header is missing, malformed, unknown, revoked or expired.
     */
    Optional<Principal> bearer(String authorization, Facts facts);

    /**
     * The principal an access key (whose SigV4 signature has just been verified) stands for;
     * empty when the key is unknown or revoked.
     */
    Optional<Principal> accessKey(String accessKeyId, Facts facts);

    /**
     * The project a request by {@code who} acts in: the principal's own project, or for the root
     * principal the one it names ({@code requested}, from the path or header), {@code default}
     * when it names none.
     *
     * @throws dev.cumulus.errors.ApiException 403 AccessDenied when a project-bound principal
     *     names another project, 404 when the named project does not exist
     */
    String project(Principal who, String requested);

    /**
     * Returns when {@code who} may do {@code action} (such as {@code functions:Invoke}) on
     * {@code resource}; explicit deny wins, then allow, and anything not allowed is denied.
     *
     * @throws dev.cumulus.errors.ApiException 403 {@code AccessDenied} otherwise (audited)
     */
    void authorize(Principal who, String action, Crn resource, Facts facts);

    /**
     * {@link #authorize} for a function's instance calling a node service on its Runtime API
     * socket, as its execution role (the socket says which function; its role is the instance's,
     * never claimed by the request).
     *
     * @param role the function's execution role; null for none, and a function without one can
     *     call nothing: {@code 403 NoRole}
     */
    default void authorizeRole(String project, String function, String role, String action, Crn resource) {
        if (role == null) {
            throw new ApiException(403, "NoRole", "function " + function + " has no execution role, and a function "
                    + "without one can call nothing; give it a role that allows " + action);
        }
        authorize(new Principal(Principal.Kind.ROLE, role, project), action, resource,
                new Facts(InetAddress.getLoopbackAddress(), Instant.now()));
    }
}
