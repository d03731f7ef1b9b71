/** Who may call the node: the root token today; API keys and IAM policies build on this. */
package dev.cumulus.auth;
