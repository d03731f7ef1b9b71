package dev.cumulus.web;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * A part of the public HTTP API that another capability owns (the Lambda API, async
 * invocations, topics, routes...), mounted on the edge under a path prefix. The edge stays one
 * listener with one error policy while each capability keeps its endpoints next to its code.
 *
 * <p>The handler runs on a virtual thread and may block. Refusals are
 * {@link dev.cumulus.errors.ApiException}s, which the edge answers as its JSON error body; a mount
 * with another error shape (the Lambda API) catches its own.
 */
public interface Mount {

    /** Who may call the mount's endpoints before it sees the request. */
    enum Access {
        /** the edge demands the root token ({@code Authorization: Bearer ...}) first */
        ADMIN,
        /** the mount authenticates callers itself (signatures) */
        OWN,
        /**
         * anyone may call it (routes): the mount authenticates where it must, and the edge
         * admits its requests as public traffic, with a share per client address
         */
        PUBLIC
    }

    /**
     * The path prefix it owns, such as {@code /v1/topics} or {@code /2015-03-31/}: a request
     * matches when its path equals the prefix or continues it with {@code /} (or the prefix ends
     * in {@code /}). The longest matching prefix wins.
     */
    String prefix();

    Access access();

    /**
     * Whether the mount takes {@code path}, which falls under its {@link #prefix()}: all of it by
     * default; a mount that owns only some paths below a prefix the edge also serves says which.
     */
    default boolean owns(String path) {
        return true;
    }

    void handle(Request request, Response response) throws Exception;

    /** True when {@code path} falls under {@code prefix} as described at {@link #prefix()}. */
    static boolean matches(String prefix, String path) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        return prefix.endsWith("/") || path.length() == prefix.length() || path.charAt(prefix.length()) == '/';
    }
}
