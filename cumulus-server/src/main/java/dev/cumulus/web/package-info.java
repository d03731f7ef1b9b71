/**
 * The HTTP plumbing of the node: servers on virtual threads, blocking helpers to read a request
 * body and write a response, and the one way APIs are served: {@link dev.cumulus.web.Route}s
 * matched by a {@link dev.cumulus.web.Router}, authenticated and authorised by an
 * {@link dev.cumulus.web.Api} through the IAM guard before any handler runs, and every failure
 * answered in the API's {@link dev.cumulus.web.ErrorDialect}.
 */
package dev.cumulus.web;
