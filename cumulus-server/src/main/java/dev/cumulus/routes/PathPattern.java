package dev.cumulus.routes;

import dev.cumulus.errors.ApiException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A route path split into segments: literals, {@code {name}} parameters (one segment) and a
 * trailing greedy {@code {name+}} (one or more segments).
 */
record PathPattern(String text, List<Segment> segments) {
    static final int MAX_LENGTH = 1024;
    static final int MAX_SEGMENTS = 32;
    private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~!$&'()*,;=:@-]+");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    sealed interface Segment {
        record Literal(String value) implements Segment {}

        record Param(String name) implements Segment {}

        record Greedy(String name) implements Segment {}
    }

    /** @throws ApiException 400 {@code InvalidPath} saying what is wrong */
    static PathPattern parse(String path) {
        if (path == null || path.isEmpty()) {
            throw invalid("the path is required");
        }
        if (path.length() > MAX_LENGTH) {
            throw invalid("the path is longer than " + MAX_LENGTH + " characters");
        }
        if (!path.startsWith("/")) {
            throw invalid("the path must start with '/': " + path);
        }
        List<Segment> segments = new ArrayList<>();
        if (path.equals("/")) {
            return new PathPattern(path, List.of());
        }
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length > MAX_SEGMENTS) {
            throw invalid("the path has more than " + MAX_SEGMENTS + " segments");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty()) {
                throw invalid("the path has an empty segment (a double or trailing '/'): " + path);
            }
            if (part.equals(".") || part.equals("..")) {
                throw invalid("the path has a dot segment ('" + part + "'): clients and proxies collapse those "
                        + "before a request arrives, so no request could ever match " + path);
            }
            if (part.contains("%")) {
                throw invalid("segment '" + part + "' is percent-encoded: write the path decoded (an encoded '.' or "
                        + "'/' would make a route that matches something other than it says)");
            }
            if (part.startsWith("{") && part.endsWith("}")) {
                boolean greedy = part.endsWith("+}");
                String name = part.substring(1, part.length() - (greedy ? 2 : 1));
                if (!NAME.matcher(name).matches()) {
                    throw invalid("parameter '" + part + "' must be {name} or {name+} with a name of letters, digits and '_'");
                }
                if (!names.add(name)) {
                    throw invalid("parameter '" + name + "' appears twice in " + path);
                }
                if (greedy && i != parts.length - 1) {
                    throw invalid("the greedy parameter '" + part + "' must be the last segment");
                }
                segments.add(greedy ? new Segment.Greedy(name) : new Segment.Param(name));
            } else if (LITERAL.matcher(part).matches()) {
                segments.add(new Segment.Literal(part));
            } else {
                throw invalid("segment '" + part + "' may hold only letters, digits and ._~!$&'()*,;=:@- "
                        + "(a parameter is the whole segment: {name})");
            }
        }
        return new PathPattern(path, List.copyOf(segments));
    }

    /** The pattern with parameter names left out: two routes with one key and method collide. */
    String key() {
        StringBuilder key = new StringBuilder();
        for (Segment segment : segments) {
            key.append('/').append(switch (segment) {
                case Segment.Literal l -> l.value();
                case Segment.Param p -> "{}";
                case Segment.Greedy g -> "{+}";
            });
        }
        return key.isEmpty() ? "/" : key.toString();
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest("InvalidPath", message);
    }
}
