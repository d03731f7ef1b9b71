package dev.cumulus.iam;

import dev.cumulus.store.Database;
import java.time.Clock;

/**
 * The IAM capability's Store side, opened once by the Platform: projects, API keys, admin users
 * and their sessions, roles and the audit log (code signing is dev.cumulus.codesigning's).
 */
public final class Iam {
    private final Projects projects;
    private final ApiKeys apiKeys;
    private final AdminUsers users;
    private final Roles roles;
    private final AuditLog audit;

    private Iam(Database db, Clock clock) {
        this.projects = new Projects(db, clock);
        this.apiKeys = new ApiKeys(db, clock);
        this.users = new AdminUsers(db, clock);
        this.roles = new Roles(db, clock);
        this.audit = new AuditLog(db, clock);
    }

    public static Iam open(Database db, Clock clock) {
        return new Iam(db, clock);
    }

    public Projects projects() {
        return projects;
    }

    public ApiKeys apiKeys() {
        return apiKeys;
    }

    public AdminUsers users() {
        return users;
    }

    public Roles roles() {
        return roles;
    }

    public AuditLog audit() {
        return audit;
    }

    /**
     * For what only the node's operator does, whatever a project's policies say (a project's
     * admins hold {@code *} in their project): returns for the root principal, and otherwise
     * answers 403 AccessDenied; both are audited.
     */
    public void requireRoot(Principal who, String action, Crn resource, java.net.InetAddress source, String why) {
        java.util.Objects.requireNonNull(who, "requireRoot is for authenticated routes");
        if (!who.isRoot()) {
            audit.record(who, action, resource, AuditLog.Outcome.DENY, source, why);
            throw IamGuard.accessDenied(who + " may not " + action + ": " + why);
        }
        audit.record(who, action, resource, AuditLog.Outcome.ALLOW, source, "root");
    }
}
