/**
 * The runtime's side of aws-lambda-java-core, compiled ahead: Lambda's {@code Context} and
 * {@code LambdaLogger} implemented as plain classes, and a {@code RequestHandler} called through its
 * interface. They ship inside the runtime jar but are never loaded from it (the runtime's loader has
 * no aws-lambda-java-core): {@code LambdaBridge} defines them anew for each Lambda handler, in a
 * loader whose parent is the function's, so that they implement the function's own copies of the
 * interfaces, whichever version it bundles. This replaces generating {@link java.lang.reflect.Proxy}
 * classes and calling the handler through reflection, which cost a Lambda handler's cold start
 * about ten milliseconds (ADR 0046).
 *
 * <p>Only {@link dev.cumulus.runtime.lambda.Bridge} is instantiated by the runtime; everything here
 * reaches back to it only through JDK and function API types, which the function's loader shows.
 */
package dev.cumulus.runtime.lambda;
