package dev.cumulus.web;

import java.io.IOException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * How one API says "error": the status, headers and body a {@link Failure} becomes. Each
 * {@link Api} has one: Cumulus JSON for the node's own API and function URLs
 * ({@link CumulusErrors}), Lambda's shape for the Lambda API, S3's XML for a storage API. The
 * {@link Api} has already reset the response, kept the node's own headers and closed the
 * connection where the body was left unread: a dialect writes only its shape.
 */
public interface ErrorDialect {
    void write(Failure failure, Request request, Response response) throws IOException;
}
