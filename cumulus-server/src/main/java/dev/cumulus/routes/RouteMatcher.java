package dev.cumulus.routes;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A route table compiled into a segment trie. At every segment a literal child is tried before a
 * parameter child before a greedy one, so the first path that matches is the most specific; the
 * first such path with a route for the method (or {@code ANY}) wins.
 */
final class RouteMatcher {
    static final String ANY = "ANY";

    /** The outcome of matching one request. */
    sealed interface Match {
        record Found(Route route, Map<String, String> pathParameters) implements Match {}

        /** The path is known but no route takes the method; {@code allowed} goes into {@code Allow}. */
        record MethodNotAllowed(Set<String> allowed) implements Match {}

        record NotFound() implements Match {}
    }

    private static final class Node {
        final Map<String, Node> literals = new HashMap<>();
        Node param;
        Node greedy;
        /** method (or ANY) to route and its parsed pattern, for the routes ending here */
        final Map<String, Compiled> routes = new LinkedHashMap<>();
    }

    private record Compiled(Route route, PathPattern pattern) {}

    private final Node root = new Node();

    private RouteMatcher() {}

    /** Compiles {@code routes}; patterns are assumed valid (they were checked when stored). */
    static RouteMatcher compile(List<Route> routes) {
        RouteMatcher matcher = new RouteMatcher();
        for (Route route : routes) {
            PathPattern pattern = PathPattern.parse(route.path());
            Node node = matcher.root;
            for (PathPattern.Segment segment : pattern.segments()) {
                node = switch (segment) {
                    case PathPattern.Segment.Literal l -> node.literals.computeIfAbsent(l.value(), k -> new Node());
                    case PathPattern.Segment.Param p -> node.param == null ? (node.param = new Node()) : node.param;
                    case PathPattern.Segment.Greedy g -> node.greedy == null ? (node.greedy = new Node()) : node.greedy;
                };
            }
            node.routes.putIfAbsent(route.method(), new Compiled(route, pattern));
        }
        return matcher;
    }

    /** @param path the request path relative to the gateway, starting with {@code /}, still percent-encoded */
    Match match(String method, String path) {
        List<String> segments = split(path);
        if (segments == null) {
            return new Match.NotFound();
        }
        List<Node> candidates = new ArrayList<>(2);
        collect(root, segments, 0, candidates);
        if (candidates.isEmpty()) {
            return new Match.NotFound();
        }
        for (Node node : candidates) {
            Compiled hit = node.routes.get(method);
            if (hit == null) {
                hit = node.routes.get(ANY);
            }
            if (hit != null) {
                return new Match.Found(hit.route(), parameters(hit.pattern(), segments));
            }
        }
        Set<String> allowed = new TreeSet<>();
        candidates.forEach(node -> allowed.addAll(node.routes.keySet()));
        return new Match.MethodNotAllowed(allowed);
    }

    /** Every node whose path matches, most specific first. */
    private static void collect(Node node, List<String> segments, int index, List<Node> out) {
        if (index == segments.size()) {
            if (!node.routes.isEmpty()) {
                out.add(node);
            }
            return;
        }
        String segment = segments.get(index);
        Node literal = node.literals.get(segment);
        if (literal != null) {
            collect(literal, segments, index + 1, out);
        }
        if (node.param != null && !segment.isEmpty()) {
            collect(node.param, segments, index + 1, out);
        }
        if (node.greedy != null && !node.greedy.routes.isEmpty() && !String.join("", segments.subList(index, segments.size())).isEmpty()) {
            out.add(node.greedy);
        }
    }

    private static Map<String, String> parameters(PathPattern pattern, List<String> segments) {
        Map<String, String> parameters = new LinkedHashMap<>();
        List<PathPattern.Segment> parts = pattern.segments();
        for (int i = 0; i < parts.size(); i++) {
            switch (parts.get(i)) {
                case PathPattern.Segment.Param p -> parameters.put(p.name(), segments.get(i));
                case PathPattern.Segment.Greedy g ->
                        parameters.put(g.name(), String.join("/", segments.subList(i, segments.size())));
                case PathPattern.Segment.Literal l -> {}
            }
        }
        return parameters;
    }

    /** Decoded segments of {@code path}; {@code /} is none. Null for a path that cannot be a route's. */
    static List<String> split(String path) {
        if (path.isEmpty() || path.equals("/")) {
            return List.of();
        }
        if (path.charAt(0) != '/') {
            return null;
        }
        String[] raw = path.substring(1).split("/", -1);
        List<String> segments = new ArrayList<>(raw.length);
        for (String segment : raw) {
            segments.add(decode(segment));
        }
        return segments;
    }

    /** Percent-decoding for path segments ({@code +} stays a plus); a malformed escape stays as it is. */
    static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        int plain = 0;
        for (int i = 0; i < segment.length(); i++) {
            if (segment.charAt(i) == '%' && i + 2 < segment.length()
                    && hex(segment.charAt(i + 1)) >= 0 && hex(segment.charAt(i + 2)) >= 0) {
                out.writeBytes(segment.substring(plain, i).getBytes(StandardCharsets.UTF_8));
                out.write(hex(segment.charAt(i + 1)) * 16 + hex(segment.charAt(i + 2)));
                i += 2;
                plain = i + 1;
            }
        }
        out.writeBytes(segment.substring(plain).getBytes(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
