/**
 * The Cumulus Java runtime: the process inside every Java function instance.
 *
 * <p>{@link dev.cumulus.runtime.Main} is a client of the Lambda Runtime API (2018-06-01). It
 * loads the function's code in an isolated class loader, initialises the handler once, then
 * loops over {@code invocation/next}. Everything else in this package is package-private: the
 * function must never see or depend on it, and the runtime has no dependencies but the
 * function API, because it runs on every cold start.
 */
package dev.cumulus.runtime;
