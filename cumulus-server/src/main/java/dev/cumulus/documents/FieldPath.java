package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A dotted path into a document's data ({@code address.city}). Segments are identifiers, so a
 * path can be written into SQL as a JSON path literal (it is how expression indexes match) while
 * every value stays a bound parameter.
 */
record FieldPath(String dotted, List<String> segments) {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
    static final int MAX_DEPTH = 10;

    static FieldPath parse(String dotted, String where) {
        if (dotted == null || dotted.isEmpty()) {
            throw ApiException.badRequest("InvalidFieldPath", where + ": a field path is required");
        }
        List<String> segments = List.of(dotted.split("\\.", -1));
        if (segments.size() > MAX_DEPTH) {
            throw ApiException.badRequest("InvalidFieldPath", where + ": field path '" + dotted + "' is deeper than "
                    + MAX_DEPTH);
        }
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches()) {
                throw ApiException.badRequest("InvalidFieldPath", where + ": field path '" + dotted
                        + "' must be dot-separated names of [A-Za-z_][A-Za-z0-9_]*, at most 64 characters each");
            }
        }
        return new FieldPath(dotted, segments);
    }

    /** SQLite's JSON path: {@code $.address.city}. */
    String jsonPath() {
        return "$." + dotted;
    }

    /** PostgreSQL's text-array path: {@code {address,city}}. */
    String pgPath() {
        return "{" + String.join(",", segments) + "}";
    }

    /** The value at this path in {@code data}, or null when absent. */
    JsonNode in(JsonNode data) {
        JsonNode node = data;
        for (String s : segments) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(s);
        }
        return node;
    }

    @Override
    public String toString() {
        return dotted;
    }
}
