package dev.cumulus.web;

import dev.cumulus.errors.ApiException;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds the {@link Route} for a method and a raw path by walking each route's segments: no
 * regular expression per request, and the path is percent-decoded here, segment by segment, so
 * no handler splits or decodes paths itself ({@code %2F} inside a segment stays in that
 * segment; {@code +} stays a plus, as it is in a path).
 *
 * <p>With a {@linkplain #projectPrefix project prefix} {@code /v1}, a path
 * {@code /v1/projects/P/rest} matches the routes as {@code /v1/rest} and names project P.
 */
public final class Router {
    private final List<Route> routes;
    private final String projectBase;
    /**
     * The routes a path can match, indexed by the literal segments at the start of their
     * templates. The edge has a few hundred routes; trying them all was 7.6 % of the node's CPU on
     * the function-URL path, and indexing by the first segment alone still left every {@code /v1}
     * route to try for each invoke-API request (14 % of the node's CPU samples, JFR 2026-12-06).
     */
    private final Candidates candidates;

    private Router(List<Route> routes, String projectBase, Candidates candidates) {
        this.routes = routes;
        this.projectBase = projectBase;
        this.candidates = candidates;
    }

    /**
     * The routes that can match a path whose first {@code depth} segments led here, in the table's
     * order (which decides between routes that match): by the literal at segment {@code depth},
     * each list holding the routes with that literal there and those with a parameter there or no
     * segment at all (a greedy parameter before it, or a trailing slash); {@code wildcard} holds
     * those alone, for a segment no template has. Down to {@link #DEPTH} segments.
     */
    private record Candidates(List<Route> routes, Map<String, Candidates> byLiteral, Candidates wildcard) {
        static final int DEPTH = 4;

        static Candidates of(List<Route> routes, int depth) {
            if (depth == DEPTH) {
                return new Candidates(routes, Map.of(), null);
            }
            Set<String> literals = new LinkedHashSet<>();
            for (Route route : routes) {
                String literal = literalAt(route, depth);
                if (literal != null) {
                    literals.add(literal);
                }
            }
            if (literals.isEmpty()) {
                return new Candidates(routes, Map.of(), null); // nothing left to tell them apart by
            }
            Map<String, Candidates> byLiteral = new HashMap<>();
            for (String literal : literals) {
                List<Route> these = new ArrayList<>();
                for (Route route : routes) {
                    String at = literalAt(route, depth);
                    if (at == null || at.equals(literal)) {
                        these.add(route);
                    }
                }
                byLiteral.put(literal, of(these, depth + 1));
            }
            List<Route> wildcards = new ArrayList<>();
            for (Route route : routes) {
                if (literalAt(route, depth) == null) {
                    wildcards.add(route);
                }
            }
            return new Candidates(routes, byLiteral, of(wildcards, depth + 1));
        }

        private static String literalAt(Route route, int depth) {
            if (route.segments.size() <= depth) {
                return null;
            }
            String segment = route.segments.get(depth);
            return segment.startsWith("{") ? null : segment;
        }

        List<Route> lookUp(String[] decoded) {
            Candidates at = this;
            for (int depth = 0; depth < decoded.length && at.wildcard != null; depth++) {
                at = at.byLiteral.getOrDefault(decoded[depth], at.wildcard);
            }
            return at.routes;
        }
    }

    public static Router of(List<Route> routes) {
        List<Route> table = List.copyOf(routes);
        Set<String> seen = new java.util.HashSet<>();
        for (Route route : table) {
            if (!seen.add(route.toString())) {
                throw new IllegalArgumentException("two routes for " + route);
            }
        }
        return new Router(table, null, Candidates.of(table, 0));
    }

    /** Also serves every route under {@code <base>/projects/{project}}, e.g. {@code /v1}. */
    public Router projectPrefix(String base) {
        return new Router(routes, base, candidates);
    }

    public List<Route> routes() {
        return routes;
    }

    /** What a request is: a route with its parameters, a path no route has, or a path with other methods. */
    public sealed interface Match {
        /** @param project the project the path names, or null */
        record Found(Route route, Map<String, String> params, String rawTail, String project) implements Match {}

        record NotFound() implements Match {}

        /** @param allowed the methods the path takes, for the {@code Allow} header */
        record WrongMethod(List<String> allowed) implements Match {}
    }

    /**
     * @param rawPath the path as it came on the wire (still percent-encoded)
     * @param hasQuery whether the request's query has a parameter
     * @throws ApiException 400 when a segment is not properly percent-encoded
     */
    public Match match(String method, String rawPath, Predicate<String> hasQuery) {
        String project = null;
        String path = rawPath;
        if (projectBase != null && rawPath.startsWith(projectBase + "/projects/")) {
            int start = projectBase.length() + "/projects/".length();
            int end = rawPath.indexOf('/', start);
            if (end > start && end < rawPath.length() - 1) {
                project = decode(rawPath.substring(start, end));
                path = projectBase + rawPath.substring(end);
            }
        }
        String[] raw = path.length() <= 1 ? new String[0] : path.substring(1).split("/", -1);
        String[] decoded = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            decoded[i] = decode(raw[i]);
        }
        Route found = null;
        Map<String, String> params = null;
        String rawTail = null;
        Set<String> allowed = null;
        // one scratch map for every route tried (most fail on their first segment), copied only
        // for the route chosen: not a map per route per request
        Map<String, String> p = new HashMap<>();
        for (Route route : candidates.lookUp(decoded)) {
            if (!p.isEmpty()) {
                p.clear();
            }
            int tailAt = matchSegments(route, raw, decoded, p);
            if (tailAt == NO) {
                continue;
            }
            if (!route.method.equals(Route.ANY) && !route.method.equals(method)) {
                if (allowed == null) {
                    allowed = new LinkedHashSet<>();
                }
                allowed.add(route.method);
                continue;
            }
            if (route.requiredQuery != null && !hasQuery.test(route.requiredQuery)) {
                continue;
            }
            // a route that asks for a query parameter beats one that does not (Lambda's ?List=ALL)
            if (found == null || (found.requiredQuery == null && route.requiredQuery != null)) {
                found = route;
                params = Map.copyOf(p);
                rawTail = tailAt < 0 ? null : "/" + String.join("/", List.of(raw).subList(tailAt, raw.length));
            }
        }
        if (found != null) {
            return new Match.Found(found, params, rawTail, project);
        }
        return allowed == null ? new Match.NotFound() : new Match.WrongMethod(new ArrayList<>(allowed));
    }

    private static final int NO = -2;
    private static final int NO_TAIL = -1;

    /** @return {@link #NO}, {@link #NO_TAIL} on a match without a greedy tail, else where the tail starts */
    private static int matchSegments(Route route, String[] raw, String[] decoded, Map<String, String> params) {
        List<String> template = route.segments;
        int length = decoded.length;
        if (!route.greedy && length == template.size() + 1 && length > 0 && decoded[length - 1].isEmpty()) {
            length--; // "/v1/keys/" is "/v1/keys"
        }
        if (route.greedy ? length < template.size() : length != template.size()) {
            return NO;
        }
        for (int i = 0; i < template.size(); i++) {
            String segment = template.get(i);
            if (segment.startsWith("{")) {
                if (segment.endsWith("+}")) {
                    params.put(segment.substring(1, segment.length() - 2),
                            String.join("/", List.of(decoded).subList(i, length)));
                    return i;
                }
                if (decoded[i].isEmpty()) {
                    return NO;
                }
                params.put(segment.substring(1, segment.length() - 1), decoded[i]);
            } else if (!segment.equals(decoded[i])) {
                return NO;
            }
        }
        return NO_TAIL;
    }

    /** Percent-decodes one segment as UTF-8; {@code +} is a plus in a path. */
    static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%') {
                if (i + 2 >= segment.length()) {
                    throw badEncoding(segment);
                }
                int high = Character.digit(segment.charAt(i + 1), 16);
                int low = Character.digit(segment.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw badEncoding(segment);
                }
                out.write(high * 16 + low);
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ApiException badEncoding(String segment) {
        return ApiException.badRequest("InvalidPath", "the path segment '" + segment + "' is not properly percent-encoded");
    }
}
