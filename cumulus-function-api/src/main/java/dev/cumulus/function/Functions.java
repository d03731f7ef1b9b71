package dev.cumulus.function;

/**
 * Invoking the node's other functions from inside a function, with the rights of the calling
 * function's execution role (a function without a role can call nothing). Reached through
 * {@link Context#functions()}; each call is one synchronous invocation through the node.
 */
public interface Functions {

    /**
     * Invokes {@code name} ({@code NAME} or {@code NAME:QUALIFIER}) of this function's project with
     * {@code jsonPayload} and waits for its answer.
     *
     * @return the invoked function's answer (JSON); also when it failed, as its error document
     * @throws ServiceException e.g. status 403 when the role does not allow {@code functions:Invoke}
     *     on that function, 404 when it does not exist, 429 when it is throttled
     */
    String invoke(String name, String jsonPayload);
}
