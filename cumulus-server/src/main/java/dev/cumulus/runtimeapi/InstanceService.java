package dev.cumulus.runtimeapi;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * A node service that functions reach from inside their instance, on its Runtime API socket
 * (instances have no network), under {@code /cumulus/v1/...}: publishing to topics now, mail and
 * the like later. The socket tells which function calls, so a service acts with the function's
 * own identity and never trusts one the request claims: its function's execution role (a function
 * without one can call nothing, issue 11).
 *
 * <p>Refusals are {@link dev.cumulus.errors.ApiException}s, answered as the Runtime API answers
 * errors: {@code {"errorType": code, "errorMessage": ...}} with the exception's status.
 */
public interface InstanceService {

    /** The path prefix it owns, e.g. {@code /cumulus/v1/topics}; never under the Runtime API's own {@code /2018-06-01/runtime/}. */
    String prefix();

    /** @param body written as JSON */
    record Answer(int status, Object body) {}

    /**
     * @param project the project of the function whose instance calls: the service acts in it
     * @param functionName the function whose instance calls, without qualifier
     */
    Answer handle(String project, String functionName, Request request) throws Exception;

    /**
     * Who calls: the function of the instance the socket belongs to, its project and its execution
     * role (null when it has none), and the session credentials the node minted for this very
     * instance (null when it has none; ADR 0039), and the ids of the invocations it is running
     * (what it writes continues their storage-trigger chains).
     */
    record Caller(String project, String functionName, String role, dev.cumulus.auth.SessionCredentials session,
            java.util.Set<String> running) {
        public Caller(String project, String functionName, String role) {
            this(project, functionName, role, null, java.util.Set.of());
        }
    }

    /** As {@link #handle(String, String, Request)}, knowing the caller's role; by default that. */
    default Answer handle(Caller caller, Request request) throws Exception {
        return handle(caller.project(), caller.functionName(), request);
    }

    /**
     * For a service that writes its own response (a relay into the node's APIs): serves the
     * request and returns true; false (the default) when it answers through {@code handle}.
     */
    default boolean serve(Caller caller, Request request, Response response) throws Exception {
        return false;
    }
}
