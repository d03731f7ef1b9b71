package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A query's {@code where} evaluated on one document in memory, with the meaning {@link SqlQuery}
 * gives it in SQL (types never mix, {@code !=} needs the field, strings compare by code point),
 * so that a realtime subscription to a query sees the changes of exactly the documents the query
 * would return. {@code DocumentsContract} holds the two to the same cases on both engines.
 */
final class QueryMatch {
    private QueryMatch() {}

    /** @param data a document's data, or null for no document (matches nothing) */
    static boolean matches(Query.Condition where, JsonNode data) {
        if (data == null) {
            return false;
        }
        return switch (where) {
            case Query.And and -> and.all().stream().allMatch(c -> matches(c, data));
            case Query.Or or -> or.any().stream().anyMatch(c -> matches(c, data));
            case Query.Compare cmp -> compare(cmp, field(data, cmp.field()));
        };
    }

    private static JsonNode field(JsonNode data, FieldPath path) {
        JsonNode node = data;
        for (String segment : path.segments()) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(segment);
        }
        return node;
    }

    private static boolean compare(Query.Compare c, JsonNode f) {
        JsonNode v = c.value();
        if (f == null) {
            return false;
        }
        return switch (c.op()) {
            case EQ -> equal(f, v);
            case NE -> !equal(f, v);
            case LT, LE, GT, GE -> {
                int order;
                if (v.isNumber() && f.isNumber()) {
                    order = f.decimalValue().compareTo(v.decimalValue());
                } else if (v.isTextual() && f.isTextual()) {
                    order = codePoints(f.asText(), v.asText());
                } else {
                    yield false;
                }
                yield switch (c.op()) {
                    case LT -> order < 0;
                    case LE -> order <= 0;
                    case GT -> order > 0;
                    default -> order >= 0;
                };
            }
            case IN -> {
                for (JsonNode one : v) {
                    if (equal(f, one)) {
                        yield true;
                    }
                }
                yield false;
            }
            case CONTAINS -> {
                if (!f.isArray()) {
                    yield false;
                }
                for (JsonNode element : f) {
                    if (equal(element, v)) {
                        yield true;
                    }
                }
                yield false;
            }
            case PREFIX -> f.isTextual() && f.asText().startsWith(v.asText());
        };
    }

    /** Equality of a stored value and a query's scalar: numbers by value (1 == 1.0), else same kind and value. */
    private static boolean equal(JsonNode f, JsonNode v) {
        if (v.isNumber()) {
            return f.isNumber() && f.decimalValue().compareTo(v.decimalValue()) == 0;
        }
        if (v.isTextual()) {
            return f.isTextual() && f.asText().equals(v.asText());
        }
        if (v.isBoolean()) {
            return f.isBoolean() && f.asBoolean() == v.asBoolean();
        }
        return v.isNull() && f.isNull();
    }

    private static int codePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
