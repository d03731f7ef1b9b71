/**
 * End users of a project (issue 15, docs/auth.md, ADR 0027): sign-up, verification, login,
 * rotating refresh tokens, password reset, anonymous sessions, admin operations and custom
 * claims, served under {@code /v1/projects/{project}/auth/} (public routes that check their own
 * tokens) and {@code /v1/projects/{project}/users} (IAM-authorised). Access tokens are ES256 JWTs
 * signed with a key per project ({@link dev.cumulus.users.UserTokens}); anyone verifies them
 * offline with the project's JWKS. End users are not IAM's principals: they never reach the
 * node's own APIs.
 */
package dev.cumulus.users;
