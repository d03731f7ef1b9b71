package dev.cumulus.documents;

/**
 * On whose behalf a request reads or writes: an IAM principal allowed {@code db:*} actions (an
 * operator, a function's execution role), which is not subject to the collection's rules, as
 * Firebase's admin SDK is not; or an end user (or an anonymous one), whom the rules judge.
 */
public sealed interface Access {
    /** An IAM principal that the guard already authorised: the rules do not apply. */
    record Admin() implements Access {}

    /** An end user, or nobody ({@code auth} null): the collection's rules decide. */
    record EndUser(RequestAuth auth) implements Access {}

    Access ADMIN = new Admin();

    static Access user(RequestAuth auth) {
        return new EndUser(auth);
    }

    static Access anonymous() {
        return new EndUser(null);
    }
}
