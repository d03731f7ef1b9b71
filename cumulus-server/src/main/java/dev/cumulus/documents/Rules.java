package dev.cumulus.documents;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.common.values.NullValue;
import dev.cumulus.errors.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A collection's access rules: one CEL expression (Common Expression Language, the language of
 * Firebase and Kubernetes policies) per operation, compiled once when the collection's settings
 * are written and evaluated for every end-user request. An operation without a rule is denied:
 * secure by default. An expression that fails at run time (a missing field, a type error) denies.
 *
 * <p>What an expression sees:
 * <ul>
 *   <li>{@code request.auth}: {@code {uid, claims}} of the end user, or null;</li>
 *   <li>{@code request.data}: the incoming document (create, update), else null;</li>
 *   <li>{@code request.time}: the time of the request (a CEL timestamp);</li>
 *   <li>{@code resource}: {@code {id, data, version}} of the stored document (read, update,
 *       delete), null on create; for list, {@code resource.data} holds only the fields the query
 *       pins with {@code ==}.</li>
 * </ul>
 */
final class Rules {
    enum Operation {
        READ, LIST, CREATE, UPDATE, DELETE;

        String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static final int MAX_EXPRESSION_CHARS = 4096;
    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .build();
    private static final CelCompiler COMPILER = compiler(SimpleType.BOOL);
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    static final Rules NONE = new Rules(Map.of(), new EnumMap<>(Operation.class));

    /** For the value side of a list rule's {@code resource.data.x == <value>} ({@link ListFilter}). */
    private static final CelCompiler VALUE_COMPILER = compiler(SimpleType.DYN);

    private static CelCompiler compiler(dev.cel.common.types.CelType result) {
        return CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addVar("request", SimpleType.DYN)
                .addVar("resource", SimpleType.DYN)
                .setResultType(result)
                .build();
    }

    private final Map<String, String> source;
    private final EnumMap<Operation, CelRuntime.Program> programs;
    /** The list rule as a query filter, or null when it is not one (then lists must prove it, see {@link Documents#query}). */
    private final ListFilter listFilter;

    private Rules(Map<String, String> source, EnumMap<Operation, CelRuntime.Program> programs) {
        this.source = source;
        this.programs = programs;
        this.listFilter = source.containsKey("list") ? ListFilter.of(source.get("list")) : null;
    }

    ListFilter listFilter() {
        return listFilter;
    }

    /**
     * A list rule that is an AND of terms each of which either does not look at {@code resource}
     * (judged once per request: {@code request.auth != null}) or is
     * {@code resource.data.<path> == <expression of the request>}: PocketBase-style, such a rule
     * becomes {@code path == value} conditions ANDed to the query's SQL, so a list shows what the
     * user may see instead of being refused. Anything else about {@code resource} (an OR, {@code !=},
     * a function) makes the rule no filter. The rule is still checked on every returned document.
     */
    static final class ListFilter {
        private final List<CelRuntime.Program> requestTerms = new ArrayList<>();
        private final List<String> requestSources = new ArrayList<>();
        private final List<FieldPath> fields = new ArrayList<>();
        private final List<CelRuntime.Program> values = new ArrayList<>();

        private ListFilter() {}

        static ListFilter of(String expression) {
            try {
                var ast = COMPILER.compile(expression).getAst();
                ListFilter f = new ListFilter();
                List<dev.cel.common.ast.CelExpr> terms = new ArrayList<>();
                conjuncts(ast.getExpr(), terms);
                var unparser = dev.cel.parser.CelUnparserFactory.newUnparser();
                for (dev.cel.common.ast.CelExpr term : terms) {
                    String text = unparser.unparse(dev.cel.common.CelAbstractSyntaxTree.newParsedAst(term, ast.getSource()));
                    if (!mentionsResource(text)) {
                        f.requestTerms.add(RUNTIME.createProgram(COMPILER.compile(text).getAst()));
                        f.requestSources.add(text);
                        continue;
                    }
                    if (term.getKind() != dev.cel.common.ast.CelExpr.ExprKind.Kind.CALL
                            || !term.call().function().equals("_==_") || term.call().args().size() != 2) {
                        return null;
                    }
                    var a = term.call().args().get(0);
                    var b = term.call().args().get(1);
                    FieldPath path = dataPath(a);
                    var other = b;
                    if (path == null) {
                        path = dataPath(b);
                        other = a;
                    }
                    String value = unparser.unparse(dev.cel.common.CelAbstractSyntaxTree.newParsedAst(other, ast.getSource()));
                    if (path == null || mentionsResource(value)) {
                        return null;
                    }
                    f.fields.add(path);
                    f.values.add(RUNTIME.createProgram(VALUE_COMPILER.compile(value).getAst()));
                }
                return f.fields.isEmpty() ? null : f;
            } catch (CelValidationException | CelEvaluationException | RuntimeException e) {
                return null; // not a filter: lists must then prove the rule
            }
        }

        private static void conjuncts(dev.cel.common.ast.CelExpr e, List<dev.cel.common.ast.CelExpr> into) {
            if (e.getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.CALL && e.call().function().equals("_&&_")) {
                e.call().args().forEach(x -> conjuncts(x, into));
            } else {
                into.add(e);
            }
        }

        /** Conservative: a term naming "resource" anywhere, even in a string, is about the resource. */
        private static boolean mentionsResource(String text) {
            return java.util.regex.Pattern.compile("\\bresource\\b").matcher(text).find();
        }

        /** {@code resource.data.a.b} → {@code a.b}; anything else → null. */
        private static FieldPath dataPath(dev.cel.common.ast.CelExpr e) {
            java.util.LinkedList<String> segments = new java.util.LinkedList<>();
            while (e.getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.SELECT && !e.select().testOnly()) {
                segments.addFirst(e.select().field());
                e = e.select().operand();
            }
            if (e.getKind() != dev.cel.common.ast.CelExpr.ExprKind.Kind.IDENT || !e.ident().name().equals("resource")
                    || segments.size() < 2 || !segments.getFirst().equals("data")) {
                return null;
            }
            try {
                return FieldPath.parse(String.join(".", segments.subList(1, segments.size())), "rules.list");
            } catch (ApiException notAPath) {
                return null;
            }
        }

        /**
         * The conditions the rule adds to a list by this user, or an ApiException (403) when the
         * rule cannot hold for any document: a request term is false, or a value is not a scalar.
         */
        List<Query.Condition> conditions(RequestAuth auth, Instant now, String collection) {
            for (int i = 0; i < requestTerms.size(); i++) {
                if (!evaluate(requestTerms.get(i), auth, null, null, now)) {
                    throw new ApiException(403, "AccessDenied", "the list rule of collection " + collection
                            + " cannot hold for this request (" + requestSources.get(i) + " is false)");
                }
            }
            List<Query.Condition> conditions = new ArrayList<>();
            for (int i = 0; i < fields.size(); i++) {
                Object value;
                try {
                    value = values.get(i).eval(vars(auth, null, null, now));
                } catch (CelEvaluationException | RuntimeException e) {
                    value = null;
                }
                com.fasterxml.jackson.databind.JsonNode scalar = switch (value) {
                    case String str -> com.fasterxml.jackson.databind.node.TextNode.valueOf(str);
                    case Long l -> com.fasterxml.jackson.databind.node.LongNode.valueOf(l);
                    case Double d -> com.fasterxml.jackson.databind.node.DoubleNode.valueOf(d);
                    case Boolean b -> com.fasterxml.jackson.databind.node.BooleanNode.valueOf(b);
                    case null, default -> null;
                };
                if (scalar == null) {
                    throw new ApiException(403, "AccessDenied", "the list rule of collection " + collection
                            + " cannot hold for this request (resource.data." + fields.get(i) + " would have to equal a"
                            + " value the request does not have)");
                }
                conditions.add(new Query.Compare(fields.get(i), Query.Op.EQ, scalar));
            }
            return conditions;
        }
    }

    /** Compiles {@code {"read": "...", ...}}; a bad expression is a 400 naming the operation and CEL's message. */
    static Rules compile(JsonNode node) {
        if (node == null || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("InvalidRules", "rules must be an object of operation -> CEL expression");
        }
        Map<String, String> source = new LinkedHashMap<>();
        EnumMap<Operation, CelRuntime.Program> programs = new EnumMap<>(Operation.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            var e = it.next();
            Operation op = null;
            for (Operation o : Operation.values()) {
                if (o.key().equals(e.getKey())) {
                    op = o;
                }
            }
            if (op == null) {
                throw ApiException.badRequest("InvalidRules", "unknown rule '" + e.getKey()
                        + "'; rules are read, list, create, update and delete");
            }
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()
                    || e.getValue().asText().length() > MAX_EXPRESSION_CHARS) {
                throw ApiException.badRequest("InvalidRules", "rules." + e.getKey() + " must be a CEL expression of at most "
                        + MAX_EXPRESSION_CHARS + " characters");
            }
            programs.put(op, program(e.getKey(), e.getValue().asText()));
            source.put(e.getKey(), e.getValue().asText());
        }
        return new Rules(Map.copyOf(source), programs);
    }

    static CelRuntime.Program program(String name, String expression) {
        try {
            var ast = COMPILER.compile(expression).getAst();
            return RUNTIME.createProgram(ast);
        } catch (CelValidationException e) {
            throw ApiException.badRequest("InvalidRules", "rules." + name + ": " + e.getMessage());
        } catch (CelEvaluationException e) {
            throw ApiException.badRequest("InvalidRules", "rules." + name + ": " + e.getMessage());
        }
    }

    Map<String, String> source() {
        return source;
    }

    boolean has(Operation op) {
        return programs.containsKey(op);
    }

    /**
     * Whether the rule for {@code op} allows the request. No rule, an error or a non-true result
     * is a no.
     *
     * @param resource the stored document's {@code {id, data, version}}, or null
     * @param incoming the document being written, or null
     */
    boolean allows(Operation op, RequestAuth auth, Map<String, Object> resource, JsonNode incoming, Instant now) {
        CelRuntime.Program program = programs.get(op);
        if (program == null) {
            return false;
        }
        return evaluate(program, auth, resource, incoming, now);
    }

    static boolean evaluate(CelRuntime.Program program, RequestAuth auth, Map<String, Object> resource,
            JsonNode incoming, Instant now) {
        try {
            return Boolean.TRUE.equals(program.eval(vars(auth, resource, incoming, now)));
        } catch (CelEvaluationException | RuntimeException e) {
            return false;
        }
    }

    private static Map<String, Object> vars(RequestAuth auth, Map<String, Object> resource, JsonNode incoming,
            Instant now) {
        Map<String, Object> request = new LinkedHashMap<>();
        if (auth == null) {
            request.put("auth", NullValue.NULL_VALUE);
        } else {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("uid", auth.uid());
            a.put("claims", cel(auth.claims()));
            request.put("auth", a);
        }
        request.put("data", incoming == null ? NullValue.NULL_VALUE : cel(incoming));
        request.put("time", com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond())
                .setNanos(now.getNano()).build());
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("request", request);
        vars.put("resource", resource == null ? NullValue.NULL_VALUE : cel(resource));
        return vars;
    }

    /** The resource map a rule sees for a stored document. */
    static Map<String, Object> resource(String id, JsonNode data, long version) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("data", data);
        r.put("version", version);
        return r;
    }

    /** JSON and plain Java values as CEL values: maps, lists, Long, Double, String, Boolean, null. */
    static Object cel(Object value) {
        return switch (value) {
            case null -> NullValue.NULL_VALUE;
            case JsonNode n when n.isObject() -> {
                Map<String, Object> m = new LinkedHashMap<>();
                n.properties().forEach(e -> m.put(e.getKey(), cel(e.getValue())));
                yield m;
            }
            case JsonNode n when n.isArray() -> {
                List<Object> l = new ArrayList<>();
                n.forEach(x -> l.add(cel(x)));
                yield l;
            }
            case JsonNode n when n.isIntegralNumber() && n.canConvertToLong() -> n.asLong();
            case JsonNode n when n.isNumber() -> n.asDouble();
            case JsonNode n when n.isTextual() -> n.asText();
            case JsonNode n when n.isBoolean() -> n.asBoolean();
            case JsonNode n -> NullValue.NULL_VALUE;
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put(String.valueOf(k), cel(v)));
                yield out;
            }
            case List<?> l -> l.stream().map(Rules::cel).toList();
            case Integer i -> i.longValue();
            case Float f -> f.doubleValue();
            default -> value;
        };
    }
}
