/**
 * Who may call the node: the root bearer token, and access keys (issued here, kept sealed) that
 * sign requests with AWS Signature Version 4 for the Lambda-compatible API. IAM policies build
 * on this.
 */
package dev.cumulus.auth;
