package dev.cumulus.iam;

import java.util.Objects;

/**
 * Who makes a request, as the {@link Guard} established it from a credential.
 *
 * @param kind what sort of credential it presented
 * @param id the principal's stable identifier (a user name, key id, access key id, or the
 *     function whose execution role a token carries); never a secret
 * @param project the one project the principal belongs to, or null for the root principal,
 *     which administers every project
 */
public record Principal(Kind kind, String id, String project) {

    public enum Kind {
        /** the node's root token: administers projects; may do anything */
        ROOT,
        /** an admin user of a project, logged in with a password */
        USER,
        /** a project API key (bearer token) */
        API_KEY,
        /** an access-key pair, signing with AWS Signature Version 4 */
        ACCESS_KEY,
        /** a function's execution role, through the short-lived token of one invocation */
        ROLE,
        /**
         * an end user of the project (docs/auth.md), through its access token: accepted only on
         * routes that take end users (the document database's), judged there by the collection's
         * rules; IAM allows it nothing
         */
        END_USER
    }

    public static final Principal ROOT = new Principal(Kind.ROOT, "root", null);

    public Principal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
        if ((kind == Kind.ROOT) != (project == null)) {
            throw new IllegalArgumentException("only the root principal is outside every project");
        }
    }

    public boolean isRoot() {
        return kind == Kind.ROOT;
    }

    /** For audit lines and messages: {@code api-key:k-123@orders}. */
    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ":" + id
                + (project == null ? "" : "@" + project);
    }
}
