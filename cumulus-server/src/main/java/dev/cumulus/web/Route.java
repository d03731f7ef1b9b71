package dev.cumulus.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One endpoint of an HTTP API: a method and a path template, the IAM action it is, the resource
 * that action is on, and the handler. Templates are literal segments and {@code {name}}
 * parameters, with an optional greedy last parameter {@code {name+}} that takes the rest of the
 * path (one segment or more). Every route declares its action, so that the {@link Api} can ask
 * the guard before the handler runs; a {@linkplain Builder#publicAccess public} route declares
 * one too (the docs list it) but is served without a principal.
 */
public final class Route {
    /** Matches every method: for routes that pass requests on as they are (function URLs). */
    public static final String ANY = "*";

    /** The work behind a route; runs on a virtual thread and may block. */
    @FunctionalInterface
    public interface Handler {
        void handle(Call call) throws Exception;
    }

    final String method;
    final String template;
    final List<String> segments;
    final boolean greedy;
    final String action;
    final String service;
    final Function<Call, String> resourcePath;
    final String resourcePattern;
    final boolean isPublic;
    final String requiredQuery;
    final EndUserTokens endUsers;
    final AllowedOrigins cors;
    final Handler handler;

    private Route(Builder b, Handler handler) {
        this.method = b.method;
        this.template = b.template;
        this.segments = b.segments;
        this.greedy = b.greedy;
        this.action = b.action;
        this.service = b.service;
        this.resourcePath = b.resourcePath;
        this.resourcePattern = b.resourcePattern;
        this.isPublic = b.isPublic;
        this.requiredQuery = b.requiredQuery;
        this.endUsers = b.endUsers;
        this.cors = b.cors;
        this.handler = handler;
    }

    public static Builder get(String template) {
        return new Builder("GET", template);
    }

    public static Builder post(String template) {
        return new Builder("POST", template);
    }

    public static Builder put(String template) {
        return new Builder("PUT", template);
    }

    public static Builder delete(String template) {
        return new Builder("DELETE", template);
    }

    public static Builder any(String template) {
        return new Builder(ANY, template);
    }

    public static Builder of(String method, String template) {
        return new Builder(method, template);
    }

    public String method() {
        return method;
    }

    public String template() {
        return template;
    }

    /** The IAM action, such as {@code functions:Invoke}. */
    public String action() {
        return action;
    }

    /** The resource as the docs show it: {@code crn:cumulus:functions:<project>:{name}}. */
    public String resource() {
        return "crn:cumulus:" + service + ":<project>:" + resourcePattern;
    }

    /** True when the route is served without a principal (function URLs marked public, user routes, health). */
    public boolean isPublic() {
        return isPublic;
    }

    /** True when an end user's access token is a principal here ({@link Builder#endUsers}). */
    public boolean takesEndUsers() {
        return endUsers != null;
    }

    /** True when pages of a project's allowed origins may call this route ({@link Builder#cors}). */
    public boolean servesBrowsers() {
        return cors != null;
    }

    /** A query parameter that must be present for this route to match, or null. */
    public String requiredQuery() {
        return requiredQuery;
    }

    /** {@code GET /v1/functions/{name}}, as docs and messages show it. */
    @Override
    public String toString() {
        return method + " " + template + (requiredQuery == null ? "" : "?" + requiredQuery);
    }

    /** Declares a route step by step; {@link #handle} ends it. */
    public static final class Builder {
        private final String method;
        private final String template;
        private final List<String> segments;
        private final boolean greedy;
        private String action;
        private String service;
        private Function<Call, String> resourcePath;
        private String resourcePattern;
        private boolean isPublic;
        private String requiredQuery;
        private EndUserTokens endUsers;
        private AllowedOrigins cors;

        private Builder(String method, String template) {
            this.method = Objects.requireNonNull(method, "method");
            this.template = Objects.requireNonNull(template, "template");
            if (!template.startsWith("/")) {
                throw new IllegalArgumentException("a route template starts with /: " + template);
            }
            List<String> parts = new ArrayList<>(List.of(template.substring(1).split("/", -1)));
            boolean tail = false;
            for (int i = 0; i < parts.size(); i++) {
                String part = parts.get(i);
                if (part.startsWith("{") != part.endsWith("}") || part.isEmpty() && template.length() > 1) {
                    throw new IllegalArgumentException("bad segment '" + part + "' in " + template);
                }
                if (part.endsWith("+}")) {
                    if (i != parts.size() - 1) {
                        throw new IllegalArgumentException("only the last segment may be greedy: " + template);
                    }
                    tail = true;
                }
            }
            this.segments = template.equals("/") ? List.of() : List.copyOf(parts);
            this.greedy = tail;
        }

        /**
         * The route's action on {@code crn:cumulus:<service>:<project>:<path>}, where
         * {@code resourcePath} may name path parameters ({@code {name}}) or be {@code *} for the
         * service as a whole (listing, creating).
         */
        public Builder authorize(String action, String service, String resourcePath) {
            return authorize(action, service, resourcePath, call -> Templates.fill(resourcePath, call));
        }

        /** As above, with the path computed from the call (e.g. a function named by an ARN). */
        public Builder authorize(String action, String service, String shownAs, Function<Call, String> resourcePath) {
            this.action = Objects.requireNonNull(action, "action");
            this.service = Objects.requireNonNull(service, "service");
            this.resourcePattern = Objects.requireNonNull(shownAs, "shownAs");
            this.resourcePath = Objects.requireNonNull(resourcePath, "resourcePath");
            return this;
        }

        /**
         * Served without a principal; the handler may still demand one for some requests
         * ({@link Call#authorize()}), e.g. a function URL that is not public.
         */
        public Builder publicAccess() {
            this.isPublic = true;
            return this;
        }

        /**
         * Also takes an end user's access token of the request's project as a principal of its own
         * kind ({@link dev.cumulus.iam.Principal.Kind#END_USER}), when the bearer is no IAM
         * credential. The guard is not asked for it (IAM grants end users nothing): the handler
         * must judge it by its own rules, as the document database's routes do. Implies nothing
         * else: browsers on other origins need {@link #cors} too.
         */
        public Builder endUsers(EndUserTokens tokens) {
            this.endUsers = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /** Lets pages of the project's {@linkplain AllowedOrigins allowed origins} call this route (CORS). */
        public Builder cors(AllowedOrigins origins) {
            this.cors = Objects.requireNonNull(origins, "origins");
            return this;
        }

        /** Matches only when the query has this parameter (Lambda tells some operations apart so). */
        public Builder whenQuery(String parameter) {
            this.requiredQuery = parameter;
            return this;
        }

        public Route handle(Handler handler) {
            if (action == null) {
                throw new IllegalStateException("route " + method + " " + template + " declares no IAM action");
            }
            return new Route(this, Objects.requireNonNull(handler, "handler"));
        }
    }

    /** Fills {@code {name}} placeholders from a call's path parameters. */
    static final class Templates {
        private Templates() {}

        static String fill(String pattern, Call call) {
            if (pattern.indexOf('{') < 0) {
                return pattern;
            }
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < pattern.length()) {
                int open = pattern.indexOf('{', i);
                if (open < 0) {
                    out.append(pattern, i, pattern.length());
                    break;
                }
                int close = pattern.indexOf('}', open);
                out.append(pattern, i, open).append(call.param(pattern.substring(open + 1, close)));
                i = close + 1;
            }
            return out.toString();
        }
    }
}
