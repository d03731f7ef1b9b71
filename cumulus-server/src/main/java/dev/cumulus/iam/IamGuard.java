package dev.cumulus.iam;

import dev.cumulus.auth.AccessKeys;
import dev.cumulus.auth.RootToken;
import dev.cumulus.errors.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The guard of issue 11: credentials become principals, and {@link #authorize} runs the one
 * {@link Evaluator} over the principal's policies. The root principal may do anything; every other
 * principal is confined to its own project whatever its policies say, and may do there only what
 * they allow.
 *
 * <p>Audit: every denial, and every allowed control-plane change (an action whose name starts
 * with a mutating verb, see {@link #isControlPlaneChange}), is written to the {@link AuditLog}
 * here, so no handler can forget to. Reads and data-plane actions (invocations, object
 * reads and writes) that are allowed are not audited: they are what metering and logs record.
 *
 * <p>What the guard reads per request (keys, sessions, roles, projects) is cached for
 * {@link TtlCache#TTL} by the stores, so a request costs no database read in the common case.
 */
public final class IamGuard implements Guard {
    private static final Pattern MUTATING = Pattern.compile(
            "(Create|Delete|Update|Put|Revoke|Set|Attach|Detach|Rotate|Tag|Untag|Add|Remove|Grant|Publish[A-Z]).*");

    private final RootToken rootToken;
    private final AccessKeys accessKeys;
    private final Iam iam;
    private final Function<String, Optional<Principal>> executionTokens;
    private final Clock clock;

    /**
     * @param executionTokens verifies a function's per-invocation execution token (the functions
     *     capability owns them): a {@link Principal.Kind#ROLE} principal for a valid, unexpired
     *     token, empty otherwise
     */
    public IamGuard(RootToken rootToken, AccessKeys accessKeys, Iam iam,
            Function<String, Optional<Principal>> executionTokens, Clock clock) {
        this.clock = clock;
        this.rootToken = rootToken;
        this.accessKeys = accessKeys;
        this.iam = iam;
        this.executionTokens = executionTokens;
    }

    @Override
    public Optional<Principal> bearer(String authorization, Facts facts) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = authorization.substring(7).strip();
        if (rootToken.accepts(authorization)) {
            return Optional.of(Principal.ROOT);
        }
        if (token.startsWith(ApiKeys.TOKEN_PREFIX)) {
            return iam.apiKeys().byToken(token).filter(k -> k.usableAt(now(facts)))
                    .map(k -> new Principal(Principal.Kind.API_KEY, k.id(), k.project()));
        }
        if (token.startsWith(AdminUsers.SESSION_PREFIX)) {
            return iam.users().session(token).map(u -> new Principal(Principal.Kind.USER, u.name(), u.project()));
        }
        if (token.isEmpty()) {
            return Optional.empty();
        }
        Optional<Principal> role = executionTokens.apply(token).filter(p -> p.kind() == Principal.Kind.ROLE);
        if (role.isEmpty()) {
            // an execution token refused (expired, tampered, another node's): audited under what
            // it claimed, in that project; other strangers' tokens are only a 401
            ExecutionTokens.claimed(token).ifPresent(claimed -> iam.audit().record(claimed,
                    "iam:UseExecutionToken", Crn.of("iam", claimed.project(), "execution-token"),
                    AuditLog.Outcome.DENY, source(facts), "refused: expired, tampered or not signed by this node"));
        }
        return role;
    }

    @Override
    public Optional<Principal> accessKey(String accessKeyId, Facts facts) {
        return accessKeys.key(accessKeyId).map(k -> new Principal(Principal.Kind.ACCESS_KEY, k.accessKeyId(), k.project()));
    }

    @Override
    public String project(Principal who, String requested) {
        if (requested == null || requested.isEmpty()) {
            String own = who.isRoot() ? Projects.DEFAULT : who.project();
            return requireExists(own);
        }
        Projects.validName(requested);
        if (!who.isRoot() && !requested.equals(who.project())) {
            Crn project = Crn.of("iam", requested, "project");
            iam.audit().record(who, "iam:UseProject", project, AuditLog.Outcome.DENY, null,
                    who + " belongs to project " + who.project());
            throw accessDenied(who + " may not act in project " + requested);
        }
        return requireExists(requested);
    }

    private String requireExists(String project) {
        if (iam.projects().get(project).isEmpty()) {
            throw ApiException.notFound("project " + project + " does not exist");
        }
        return project;
    }

    @Override
    public void authorize(Principal who, String action, Crn resource, Facts facts) {
        Decision decision = decide(who, action, resource, facts);
        if (!decision.allowed()) {
            iam.audit().record(who, action, resource, AuditLog.Outcome.DENY, source(facts), decision.explain());
            throw accessDenied(who + " may not " + action + " on " + resource);
        }
        if (isControlPlaneChange(action)) {
            iam.audit().record(who, action, resource, AuditLog.Outcome.ALLOW, source(facts), decision.explain());
        }
    }

    /**
     * What {@link #authorize} would decide, without auditing or throwing: for the simulate API.
     * A resource outside a non-root principal's project is denied before any policy is read.
     */
    public Decision decide(Principal who, String action, Crn resource, Facts facts) {
        if (who.isRoot()) {
            return new Decision(true, "root", "root");
        }
        if (who.kind() == Principal.Kind.END_USER) {
            // end users are judged by the rules of the routes that take them, never by IAM
            return new Decision(false, "end-user", who.project());
        }
        if (!resource.project().equals(who.project())) {
            return new Decision(false, "project-boundary", who.project());
        }
        return Evaluator.evaluate(policies(who, facts), action, resource, facts);
    }

    /** The policies attached to a principal now; none for a revoked or expired credential. */
    public List<Policy> policies(Principal who, Facts facts) {
        return switch (who.kind()) {
            case ROOT -> List.of();
            case API_KEY -> iam.apiKeys().byId(who.id())
                    .filter(k -> k.project().equals(who.project()) && k.usableAt(now(facts)))
                    .map(ApiKeys.ApiKey::policies).orElse(List.of());
            case USER -> iam.users().get(who.project(), who.id()).map(AdminUsers.User::policies).orElse(List.of());
            case ROLE -> iam.roles().get(who.project(), who.id()).map(Roles.Role::policies).orElse(List.of());
            case END_USER -> List.of();
            case ACCESS_KEY -> accessKeys.key(who.id()).filter(k -> k.project().equals(who.project()))
                    .map(k -> Policies.fromJson(k.policies())).orElse(List.of());
        };
    }

    private static java.net.InetAddress source(Facts facts) {
        return facts == null ? null : facts.source();
    }

    private Instant now(Facts facts) {
        return facts != null && facts.time() != null ? facts.time() : clock.instant();
    }

    /** True for actions whose allowed use is audited: a mutating verb, not an object's data. */
    static boolean isControlPlaneChange(String action) {
        int colon = action.indexOf(':');
        String name = colon < 0 ? action : action.substring(colon + 1);
        return MUTATING.matcher(name).matches() && !name.toLowerCase(Locale.ROOT).endsWith("object");
    }

    public static ApiException accessDenied(String message) {
        return new ApiException(403, "AccessDenied", message);
    }

    /**
     * Parses a principal as {@link Principal#toString()} writes it: {@code root},
     * {@code api-key:key-1@shop}, {@code role:orders@shop}, {@code user:alice@shop},
     * {@code access-key:AKCM...@shop}.
     */
    public static Principal parsePrincipal(String text) {
        if (text == null) {
            throw ApiException.badRequest("InvalidParameter", "principal is required");
        }
        if (text.equals("root") || text.equals("root:root")) {
            return Principal.ROOT;
        }
        int colon = text.indexOf(':');
        int at = text.lastIndexOf('@');
        if (colon <= 0 || at < colon + 2 || at == text.length() - 1) {
            throw ApiException.badRequest("InvalidParameter",
                    "a principal is root or <kind>:<id>@<project> (kind: api-key, user, role, access-key): '" + text + "'");
        }
        Principal.Kind kind;
        try {
            kind = Principal.Kind.valueOf(text.substring(0, colon).toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("InvalidParameter", "unknown principal kind '" + text.substring(0, colon)
                    + "' (api-key, user, role, access-key)");
        }
        if (kind == Principal.Kind.ROOT) {
            return Principal.ROOT;
        }
        return new Principal(kind, text.substring(colon + 1, at), Projects.validName(text.substring(at + 1)));
    }
}
