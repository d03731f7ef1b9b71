package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated query: the JSON a client posts ({@code where}, {@code orderBy}, {@code limit},
 * {@code cursor}, {@code count}) turned into a tree whose every part is known. SQL is built from
 * this tree only ({@link SqlQuery}), never from the client's text.
 */
record Query(Condition where, List<Order> orderBy, int limit, String cursor, boolean count) {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int MAX_IN_VALUES = 30;
    static final int MAX_CONDITIONS = 50;
    private static final Set<String> FIELDS = Set.of("where", "orderBy", "limit", "cursor", "count");

    /** A filter: a comparison or an AND/OR of filters. */
    sealed interface Condition permits Compare, And, Or {}

    enum Op {
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), IN("in"), CONTAINS("contains"), PREFIX("prefix");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        static Op of(String symbol) {
            for (Op op : values()) {
                if (op.symbol.equals(symbol)) {
                    return op;
                }
            }
            return null;
        }

        boolean ordering() {
            return this == LT || this == LE || this == GT || this == GE;
        }
    }

    /** {@code field op value}; {@code value} is a JSON scalar, or an array of them for {@code in}. */
    record Compare(FieldPath field, Op op, JsonNode value) implements Condition {}

    record And(List<Condition> all) implements Condition {}

    record Or(List<Condition> any) implements Condition {}

    record Order(FieldPath field, boolean descending) {}

    /** This query with {@code more} conditions ANDed to its filter (a list rule's, never widening it). */
    Query and(List<Condition> more) {
        if (more.isEmpty()) {
            return this;
        }
        List<Condition> all = new ArrayList<>(more);
        if (where != null) {
            all.add(where);
        }
        return new Query(all.size() == 1 ? all.getFirst() : new And(List.copyOf(all)), orderBy, limit, cursor, count);
    }

    /** Every field the query filters or orders on, for the index check. */
    Set<String> fields() {
        Set<String> fields = new LinkedHashSet<>();
        collect(where, fields);
        orderBy.forEach(o -> fields.add(o.field().dotted()));
        return fields;
    }

    private static void collect(Condition c, Set<String> into) {
        switch (c) {
            case null -> {}
            case Compare cmp -> into.add(cmp.field().dotted());
            case And and -> and.all().forEach(x -> collect(x, into));
            case Or or -> or.any().forEach(x -> collect(x, into));
        }
    }

    /**
     * The values the query pins with {@code ==} on the top-level AND: what a list rule may rely
     * on ({@code resource.data.owner == request.auth.uid} holds for every result of a query with
     * {@code owner == uid}).
     */
    Map<FieldPath, JsonNode> pinned() {
        Map<FieldPath, JsonNode> pinned = new java.util.LinkedHashMap<>();
        List<Condition> top = where instanceof And and ? and.all() : where == null ? List.of() : List.of(where);
        for (Condition c : top) {
            if (c instanceof Compare cmp && cmp.op() == Op.EQ) {
                pinned.put(cmp.field(), cmp.value());
            }
        }
        return pinned;
    }

    static Query parse(JsonNode body) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw bad("InvalidQuery", "unknown query field '" + name + "'; a query has where, orderBy, limit, cursor, count");
            }
        }
        int[] budget = {MAX_CONDITIONS};
        Condition where = body.hasNonNull("where") ? condition(body.get("where"), "where", budget) : null;
        List<Order> orderBy = new ArrayList<>();
        JsonNode order = body.get("orderBy");
        if (order != null && !order.isNull()) {
            if (!order.isArray()) {
                throw bad("InvalidOrderBy", "orderBy must be an array of {\"field\", \"direction\"}");
            }
            Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < order.size(); i++) {
                JsonNode o = order.get(i);
                String at = "orderBy[" + i + "]";
                if (o.isTextual()) {
                    o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("field", o.asText());
                }
                if (!o.isObject() || !o.path("field").isTextual()) {
                    throw bad("InvalidOrderBy", at + " must be {\"field\": \"a.b\", \"direction\": \"asc\"|\"desc\"}");
                }
                for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
                    String name = names.next();
                    if (!name.equals("field") && !name.equals("direction")) {
                        throw bad("InvalidOrderBy", at + ": unknown field '" + name + "'");
                    }
                }
                String direction = o.path("direction").asText("asc");
                if (!direction.equals("asc") && !direction.equals("desc")) {
                    throw bad("InvalidOrderBy", at + ".direction must be asc or desc, not '" + direction + "'");
                }
                FieldPath field = FieldPath.parse(o.get("field").asText(), at + ".field");
                if (!seen.add(field.dotted())) {
                    throw bad("InvalidOrderBy", at + ": field '" + field + "' is ordered on twice");
                }
                orderBy.add(new Order(field, direction.equals("desc")));
            }
            if (orderBy.size() > 8) {
                throw bad("InvalidOrderBy", "orderBy takes at most 8 fields");
            }
        }
        int limit = DEFAULT_LIMIT;
        JsonNode l = body.get("limit");
        if (l != null && !l.isNull()) {
            if (!l.canConvertToInt() || !l.isIntegralNumber() || l.asInt() < 1 || l.asInt() > MAX_LIMIT) {
                throw bad("InvalidLimit", "limit must be an integer from 1 to " + MAX_LIMIT);
            }
            limit = l.asInt();
        }
        String cursor = null;
        JsonNode c = body.get("cursor");
        if (c != null && !c.isNull()) {
            if (!c.isTextual()) {
                throw bad("InvalidCursor", "cursor must be the string a previous page returned as nextCursor");
            }
            cursor = c.asText();
        }
        JsonNode count = body.get("count");
        if (count != null && !count.isNull() && !count.isBoolean()) {
            throw bad("InvalidQuery", "count must be true or false");
        }
        return new Query(where, List.copyOf(orderBy), limit, cursor, count != null && count.asBoolean());
    }

    private static Condition condition(JsonNode node, String at, int[] budget) {
        if (--budget[0] < 0) {
            throw bad("InvalidQuery", "a query has at most " + MAX_CONDITIONS + " conditions");
        }
        if (!node.isObject()) {
            throw bad("InvalidWhere", at + " must be an object: {\"field\", \"op\", \"value\"}, {\"and\": [...]} or {\"or\": [...]}");
        }
        if (node.has("and") || node.has("or")) {
            String kind = node.has("and") ? "and" : "or";
            if (node.size() != 1) {
                throw bad("InvalidWhere", at + ": an '" + kind + "' condition has no other fields");
            }
            JsonNode list = node.get(kind);
            if (!list.isArray() || list.isEmpty()) {
                throw bad("InvalidWhere", at + "." + kind + " must be a non-empty array of conditions");
            }
            List<Condition> parts = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                parts.add(condition(list.get(i), at + "." + kind + "[" + i + "]", budget));
            }
            return kind.equals("and") ? new And(List.copyOf(parts)) : new Or(List.copyOf(parts));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("field") && !name.equals("op") && !name.equals("value")) {
                throw bad("InvalidWhere", at + ": unknown field '" + name + "'; a comparison has field, op and value");
            }
        }
        if (!node.path("field").isTextual()) {
            throw bad("InvalidWhere", at + ".field is required, a dotted field path");
        }
        FieldPath field = FieldPath.parse(node.get("field").asText(), at + ".field");
        if (!node.path("op").isTextual()) {
            throw bad("InvalidOperator", at + ".op is required: one of ==, !=, <, <=, >, >=, in, contains, prefix");
        }
        Op op = Op.of(node.get("op").asText());
        if (op == null) {
            throw bad("InvalidOperator", at + ": unknown operator '" + node.get("op").asText()
                    + "'; use ==, !=, <, <=, >, >=, in, contains or prefix");
        }
        JsonNode value = node.get("value");
        if (value == null) {
            throw bad("InvalidValue", at + ".value is required (field '" + field + "')");
        }
        String what = at + " (field '" + field + "', " + op.symbol + ")";
        switch (op) {
            case EQ, NE, CONTAINS -> requireScalar(value, what);
            case LT, LE, GT, GE -> {
                if (!value.isNumber() && !value.isTextual()) {
                    throw bad("TypeMismatch", what + ": an ordering comparison takes a number or a string, not "
                            + value.getNodeType().name().toLowerCase());
                }
            }
            case IN -> {
                if (!value.isArray() || value.isEmpty() || value.size() > MAX_IN_VALUES) {
                    throw bad("InvalidValue", what + ": value must be an array of 1 to " + MAX_IN_VALUES + " scalars");
                }
                value.forEach(v -> requireScalar(v, what));
            }
            case PREFIX -> {
                if (!value.isTextual() || value.asText().isEmpty()) {
                    throw bad("TypeMismatch", what + ": prefix takes a non-empty string");
                }
            }
        }
        return new Compare(field, op, value);
    }

    private static void requireScalar(JsonNode value, String what) {
        if (!value.isValueNode()) {
            throw bad("TypeMismatch", what + ": value must be a string, number, boolean or null, not "
                    + value.getNodeType().name().toLowerCase());
        }
    }

    private static ApiException bad(String code, String message) {
        return ApiException.badRequest(code, message);
    }
}
