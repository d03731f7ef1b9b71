package dev.cumulus.iam;

import java.util.List;
import java.util.Locale;

/**
 * The one policy evaluator (docs/iam.md): an explicit Deny in any policy wins, then an Allow,
 * and anything no statement allows is denied. Pure: no Store, no clock; the caller passes the
 * facts conditions look at.
 *
 * <p>Actions match case-insensitively (as AWS's), resources case-sensitively. A resource
 * pattern matches part by part (service, project, path), so a {@code *} never reaches from one
 * part into the next: {@code crn:cumulus:functions:shop*:x} cannot match project {@code shop2}'s
 * {@code x} through a colon, and only a pattern whose project part is itself a wildcard names
 * several projects. (The guard refuses a resource outside the principal's project before asking,
 * whatever the policy says.)
 */
public final class Evaluator {
    private Evaluator() {}

    public static Decision evaluate(List<Policy> policies, String action, Crn resource, Guard.Facts facts) {
        Decision allow = null;
        for (Policy policy : policies) {
            for (Policy.Statement statement : policy.statements()) {
                if (!applies(statement, action, resource, facts)) {
                    continue;
                }
                if (statement.effect() == Policy.Effect.DENY) {
                    return new Decision(false, policy.name(), statement.label());
                }
                if (allow == null) {
                    allow = new Decision(true, policy.name(), statement.label());
                }
            }
        }
        return allow != null ? allow : Decision.defaultDeny();
    }

    private static boolean applies(Policy.Statement statement, String action, Crn resource, Guard.Facts facts) {
        return statement.actions().stream().anyMatch(p -> actionMatches(p, action))
                && statement.resources().stream().anyMatch(p -> resourceMatches(p, resource))
                && statement.conditions().stream().allMatch(c -> c.holds(facts));
    }

    static boolean actionMatches(String pattern, String action) {
        if (pattern.equals("*")) {
            return true;
        }
        int colon = action.indexOf(':');
        int patternColon = pattern.indexOf(':');
        if (colon < 0 || patternColon < 0) {
            return false;
        }
        return Glob.matches(pattern.substring(0, patternColon).toLowerCase(Locale.ROOT),
                        action.substring(0, colon).toLowerCase(Locale.ROOT), true)
                && Glob.matches(pattern.substring(patternColon + 1), action.substring(colon + 1), true);
    }

    static boolean resourceMatches(String pattern, Crn resource) {
        String[] parts = Policy.resourcePattern(pattern, "Resource");
        if (parts == null) {
            return true;
        }
        return Glob.matches(parts[0], resource.service(), false)
                && Glob.matches(parts[1], resource.project(), false)
                && Glob.matches(parts[2], resource.path(), false);
    }
}
