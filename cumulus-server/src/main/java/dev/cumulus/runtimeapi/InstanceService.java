package dev.cumulus.runtimeapi;

import org.eclipse.jetty.server.Request;

/**
 * A node service that functions reach from inside their instance, on its Runtime API socket
 * (instances have no network), under {@code /cumulus/v1/...}: publishing to topics now, mail and
 * the like later. The socket tells which function calls, so a service acts with the function's
 * own identity and never trusts one the request claims.
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
}
