/**
 * Functions as the APIs change them: {@link dev.cumulus.functions.Functions} deploys, publishes
 * and deletes for both the REST API and the Lambda API, so neither writes to the registry for
 * these itself.
 */
package dev.cumulus.functions;
