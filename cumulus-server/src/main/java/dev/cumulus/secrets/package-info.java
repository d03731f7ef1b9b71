/**
 * Per-function secrets (issue 11): sealed at rest under the node's master key, injected into the
 * environment of the function's new instances, never returned by an API, redacted from its logs.
 */
package dev.cumulus.secrets;
