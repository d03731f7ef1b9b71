package dev.cumulus.documents;

import dev.cumulus.web.Call;

/**
 * The seam to end-user auth (issue 15): tells whether a request acts for an end user, and who.
 * Until that issue lands the node has {@link #NONE}: every request is an IAM principal's, which
 * the rules do not judge; tests plug in a fixed user.
 */
@FunctionalInterface
public interface EndUsers {
    /** No end users: every request is an IAM principal's. */
    EndUsers NONE = call -> null;

    /**
     * The access a request has: {@link Access#ADMIN} for an IAM principal the guard authorised,
     * {@link Access.EndUser} when the request acts for an end user; null means "not an end user".
     */
    Access of(Call call);
}
