package dev.cumulus.documents;

/**
 * The SQL that differs between the two engines. Every expression is over a {@link FieldPath},
 * which is a validated identifier path and so safe as a literal (expression indexes only match a
 * literal path); values are always bound parameters.
 *
 * <p>Both engines see a field through the same three expressions, so they filter and order alike:
 * its {@link #kind} ('null', 'true', 'false', 'number', 'string', 'array', 'object', or SQL NULL
 * when absent), its number value ({@link #num}, NULL unless a number) and its string value
 * ({@link #str}, NULL unless a string, compared by code point on both).
 */
enum Dialect {
    SQLITE {
        @Override
        String kind(FieldPath p) {
            String t = "json_type(data, '" + p.jsonPath() + "')";
            return "(CASE " + t + " WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' WHEN 'text' THEN 'string' ELSE "
                    + t + " END)";
        }

        @Override
        String num(FieldPath p) {
            return "(CASE WHEN json_type(data, '" + p.jsonPath() + "') IN ('integer', 'real') THEN json_extract(data, '"
                    + p.jsonPath() + "') END)";
        }

        @Override
        String str(FieldPath p) {
            return "(CASE WHEN json_type(data, '" + p.jsonPath() + "') = 'text' THEN json_extract(data, '" + p.jsonPath()
                    + "') END)";
        }

        @Override
        String contains(FieldPath p, String elementKind) {
            String check = switch (elementKind) {
                case "number" -> "e.type IN ('integer', 'real') AND e.value = ?";
                case "string" -> "e.type = 'text' AND e.value = ?";
                default -> "e.type = '" + elementKind + "'";
            };
            return "(json_type(data, '" + p.jsonPath() + "') = 'array' AND EXISTS (SELECT 1 FROM json_each(data, '"
                    + p.jsonPath() + "') AS e WHERE " + check + "))";
        }

        @Override
        String jsonParam() {
            return "?";
        }
    },
    POSTGRES {
        @Override
        String kind(FieldPath p) {
            String t = "jsonb_typeof(data #> '" + p.pgPath() + "')";
            return "(CASE " + t + " WHEN 'boolean' THEN (data #>> '" + p.pgPath() + "') ELSE " + t + " END)";
        }

        @Override
        String num(FieldPath p) {
            return "(CASE WHEN jsonb_typeof(data #> '" + p.pgPath() + "') = 'number' THEN (data #>> '" + p.pgPath()
                    + "')::numeric END)";
        }

        @Override
        String str(FieldPath p) {
            return "((CASE WHEN jsonb_typeof(data #> '" + p.pgPath() + "') = 'string' THEN (data #>> '" + p.pgPath()
                    + "') END) COLLATE \"C\")";
        }

        @Override
        String contains(FieldPath p, String elementKind) {
            // containment of a one-element array: numbers compare as numbers, strings exactly
            return "(jsonb_typeof(data #> '" + p.pgPath() + "') = 'array' AND (data #> '" + p.pgPath()
                    + "') @> CAST(? AS jsonb))";
        }

        @Override
        String jsonParam() {
            return "CAST(? AS jsonb)";
        }
    };

    abstract String kind(FieldPath p);

    abstract String num(FieldPath p);

    abstract String str(FieldPath p);

    /**
     * True when the field is an array holding the bound value. SQLite binds the scalar (none for
     * booleans and null); PostgreSQL binds a one-element JSON array.
     */
    abstract String contains(FieldPath p, String elementKind);

    /** Where a JSON document is bound as text. */
    abstract String jsonParam();

    /** A field's type as a rank for ordering: absent, null, false, true, numbers, strings, arrays, objects. */
    String rank(FieldPath p) {
        return "(CASE " + kind(p) + " WHEN 'null' THEN 1 WHEN 'false' THEN 2 WHEN 'true' THEN 3 WHEN 'number' THEN 4"
                + " WHEN 'string' THEN 5 WHEN 'array' THEN 6 WHEN 'object' THEN 7 ELSE 0 END)";
    }

    /** The expression indexes that serve a declared field: its number and its string value. */
    java.util.List<String> indexDdl(FieldPath p) {
        String name = "db_ix_" + Integer.toHexString(p.dotted().hashCode() & 0x7fffffff) + "_"
                + p.dotted().replace('.', '_').toLowerCase(java.util.Locale.ROOT);
        if (name.length() > 55) {
            name = name.substring(0, 55);
        }
        // id last: an equality filter then reads its rows already in the default order (by id)
        return java.util.List.of(
                "CREATE INDEX IF NOT EXISTS " + name + "_n ON db_documents (project, collection, " + num(p) + ", id)",
                "CREATE INDEX IF NOT EXISTS " + name + "_s ON db_documents (project, collection, " + str(p) + ", id)");
    }
}
