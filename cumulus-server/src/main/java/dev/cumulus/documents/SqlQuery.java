package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * SQL for one {@link Query} on one {@link Dialect}: text made only of the dialect's expressions
 * over validated field paths, and a list of parameters bound in order.
 *
 * <p>Ordering is by each orderBy field's sort keys (type rank, number value, string value) and
 * then by id, so the order is total and a cursor (the last row's keys, opaque to clients) picks
 * up exactly after the last row it saw, whatever was written since.
 */
final class SqlQuery {
    /** The columns after id/data/version/created/updated: three sort keys per orderBy field. */
    static final int KEYS_PER_FIELD = 3;

    private final Dialect dialect;
    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    private SqlQuery(Dialect dialect) {
        this.dialect = dialect;
    }

    String sql() {
        return sql.toString();
    }

    List<Object> params() {
        return params;
    }

    void bind(PreparedStatement statement) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            statement.setObject(i + 1, params.get(i));
        }
    }

    /** The page's SELECT: limit + 1 rows, so the caller knows whether there is another page. */
    static SqlQuery select(Dialect dialect, String project, String collection, Query query) {
        SqlQuery q = new SqlQuery(dialect);
        q.sql.append("SELECT id, data, version, created_at, updated_at");
        for (Query.Order o : query.orderBy()) {
            for (String key : q.sortKeys(o.field())) {
                q.sql.append(", ").append(key);
            }
        }
        q.sql.append(" FROM db_documents WHERE ");
        q.scope(project, collection, query.where());
        if (query.cursor() != null) {
            q.sql.append(" AND ");
            q.after(query, Cursor.decode(query.cursor(), fingerprint(query)));
        }
        q.sql.append(" ORDER BY ");
        for (Query.Order o : query.orderBy()) {
            for (String key : q.sortKeys(o.field())) {
                q.sql.append(key).append(o.descending() ? " DESC, " : " ASC, ");
            }
        }
        q.sql.append("id ASC LIMIT ?");
        q.params.add(query.limit() + 1);
        return q;
    }

    static SqlQuery count(Dialect dialect, String project, String collection, Query query) {
        SqlQuery q = new SqlQuery(dialect);
        q.sql.append("SELECT COUNT(*) FROM db_documents WHERE ");
        q.scope(project, collection, query.where());
        return q;
    }

    private void scope(String project, String collection, Query.Condition where) {
        sql.append("project = ? AND collection = ?");
        params.add(project);
        params.add(collection);
        if (where != null) {
            sql.append(" AND ");
            condition(where);
        }
    }

    private List<String> sortKeys(FieldPath p) {
        return List.of(dialect.rank(p), "COALESCE(" + dialect.num(p) + ", 0)", "COALESCE(" + dialect.str(p) + ", '')");
    }

    private void condition(Query.Condition c) {
        switch (c) {
            case Query.And and -> join(and.all(), " AND ");
            case Query.Or or -> join(or.any(), " OR ");
            case Query.Compare cmp -> compare(cmp);
        }
    }

    private void join(List<Query.Condition> parts, String with) {
        sql.append('(');
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                sql.append(with);
            }
            condition(parts.get(i));
        }
        sql.append(')');
    }

    private void compare(Query.Compare c) {
        FieldPath f = c.field();
        JsonNode v = c.value();
        switch (c.op()) {
            case EQ -> equal(f, v);
            case NE -> {
                // Firestore's rule: != matches documents that have the field with another value
                sql.append("(").append(dialect.kind(f)).append(" IS NOT NULL AND NOT ");
                equalOrFalse(f, v);
                sql.append(")");
            }
            case LT, LE, GT, GE -> {
                sql.append(v.isNumber() ? dialect.num(f) : dialect.str(f)).append(' ').append(c.op().symbol).append(" ?");
                params.add(value(v));
            }
            case IN -> {
                sql.append('(');
                for (int i = 0; i < v.size(); i++) {
                    if (i > 0) {
                        sql.append(" OR ");
                    }
                    equal(f, v.get(i));
                }
                sql.append(')');
            }
            case CONTAINS -> {
                String kind = kindOf(v);
                sql.append(dialect.contains(f, kind));
                if (dialect == Dialect.POSTGRES) {
                    ArrayNode one = JsonNodeFactory.instance.arrayNode().add(v);
                    params.add(one.toString());
                } else if (kind.equals("number") || kind.equals("string")) {
                    params.add(value(v));
                }
            }
            case PREFIX -> {
                String prefix = v.asText();
                String str = dialect.str(f);
                sql.append("(").append(str).append(" >= ? AND substr(").append(str).append(", 1, ?) = ?)");
                params.add(prefix);
                params.add(prefix.codePointCount(0, prefix.length()));
                params.add(prefix);
            }
        }
    }

    /** Equality that is never SQL NULL, so that NOT of it is exact. */
    private void equalOrFalse(FieldPath f, JsonNode v) {
        sql.append("COALESCE(");
        equal(f, v);
        sql.append(dialect == Dialect.POSTGRES ? ", FALSE)" : ", 0)");
    }

    private void equal(FieldPath f, JsonNode v) {
        String kind = kindOf(v);
        switch (kind) {
            case "number" -> {
                sql.append(dialect.num(f)).append(" = ?");
                params.add(value(v));
            }
            case "string" -> {
                sql.append(dialect.str(f)).append(" = ?");
                params.add(v.asText());
            }
            default -> sql.append(dialect.kind(f)).append(" = '").append(kind).append("'");
        }
    }

    /** The kind a scalar is, as {@link Dialect#kind} names it; only our own constants reach SQL. */
    static String kindOf(JsonNode v) {
        if (v.isNumber()) return "number";
        if (v.isTextual()) return "string";
        if (v.isBoolean()) return v.asBoolean() ? "true" : "false";
        if (v.isNull()) return "null";
        throw new IllegalArgumentException("not a scalar: " + v);
    }

    private Object value(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        if (dialect == Dialect.POSTGRES) {
            return v.decimalValue();
        }
        return v.isIntegralNumber() && v.canConvertToLong() ? (Object) v.asLong() : (Object) v.asDouble();
    }

    private Object number(JsonNode v) {
        return value(v);
    }

    /** Rows strictly after the cursor's keys in the query's order. */
    private void after(Query query, Cursor cursor) {
        List<String> keys = new ArrayList<>();
        List<Boolean> descending = new ArrayList<>();
        for (Query.Order o : query.orderBy()) {
            for (String key : sortKeys(o.field())) {
                keys.add(key);
                descending.add(o.descending());
            }
        }
        keys.add("id");
        descending.add(false);
        List<JsonNode> values = new ArrayList<>();
        cursor.keys().forEach(values::add);
        values.add(JsonNodeFactory.instance.textNode(cursor.id()));
        if (values.size() != keys.size()) {
            throw ApiException.badRequest("InvalidCursor", "the cursor does not belong to this query");
        }
        sql.append('(');
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                sql.append(" OR ");
            }
            sql.append('(');
            for (int j = 0; j < i; j++) {
                sql.append(keys.get(j)).append(" = ? AND ");
                params.add(number(values.get(j)));
            }
            sql.append(keys.get(i)).append(descending.get(i) ? " < ?" : " > ?").append(')');
            params.add(number(values.get(i)));
        }
        sql.append(')');
    }

    /** What a cursor is bound to: the filter and the order (not the limit, which may change per page). */
    static String fingerprint(Query query) {
        ObjectNode shape = JsonNodeFactory.instance.objectNode();
        shape.put("where", String.valueOf(query.where()));
        shape.put("orderBy", String.valueOf(query.orderBy()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Json.write(shape));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The position after a row: its sort keys and id, for the query with this fingerprint. */
    record Cursor(String fingerprint, ArrayNode keys, String id) {
        String encode() {
            ObjectNode node = JsonNodeFactory.instance.objectNode();
            node.put("q", fingerprint);
            node.set("k", keys);
            node.put("id", id);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.write(node));
        }

        static Cursor decode(String text, String fingerprint) {
            try {
                JsonNode node = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
                if (!node.path("q").asText().equals(fingerprint)) {
                    throw ApiException.badRequest("InvalidCursor", "the cursor belongs to another query (where and orderBy"
                            + " must stay the same from page to page)");
                }
                if (!node.path("k").isArray() || !node.path("id").isTextual()) {
                    throw new IllegalArgumentException("cursor shape");
                }
                for (JsonNode k : node.get("k")) {
                    if (!k.isNumber() && !k.isTextual()) {
                        throw new IllegalArgumentException("cursor key");
                    }
                }
                return new Cursor(fingerprint, (ArrayNode) node.get("k"), node.get("id").asText());
            } catch (ApiException e) {
                throw e;
            } catch (Exception e) {
                throw ApiException.badRequest("InvalidCursor", "the cursor is not one this node returned");
            }
        }
    }

    /** Reads a row's sort keys (after the five document columns) into cursor form. */
    static ArrayNode keysOf(java.sql.ResultSet rs, int fields) throws SQLException {
        ArrayNode keys = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < fields * KEYS_PER_FIELD; i++) {
            Object o = rs.getObject(6 + i);
            switch (o) {
                case String s -> keys.add(s);
                case BigDecimal d -> keys.add(d);
                case Double d -> keys.add(d);
                case Float d -> keys.add(d.doubleValue());
                case Long l -> keys.add(l);
                case Integer n -> keys.add(n.longValue());
                case null -> keys.add(0);
                default -> keys.add(o.toString());
            }
        }
        return keys;
    }
}
