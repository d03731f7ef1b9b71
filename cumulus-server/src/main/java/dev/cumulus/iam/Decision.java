package dev.cumulus.iam;

/**
 * What the {@link Evaluator} answered and why.
 *
 * @param allowed true only when a statement allowed and none denied
 * @param policy the policy holding the deciding statement; null for the default deny
 * @param statement the deciding statement's Sid (or {@code #index}); null for the default deny
 */
public record Decision(boolean allowed, String policy, String statement) {

    static Decision defaultDeny() {
        return new Decision(false, null, null);
    }

    /** For messages and audit details: {@code allowed by orders/AllowInvoke}, {@code denied: no statement allows}. */
    public String explain() {
        if (policy == null) {
            return allowed ? "allowed" : "denied: no statement allows it";
        }
        return (allowed ? "allowed by " : "denied by ") + policy + "/" + statement;
    }
}
