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
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("request", SimpleType.DYN)
            .addVar("resource", SimpleType.DYN)
            .setResultType(SimpleType.BOOL)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    static final Rules NONE = new Rules(Map.of(), new EnumMap<>(Operation.class));

    private final Map<String, String> source;
    private final EnumMap<Operation, CelRuntime.Program> programs;

    private Rules(Map<String, String> source, EnumMap<Operation, CelRuntime.Program> programs) {
        this.source = source;
        this.programs = programs;
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
        try {
            return Boolean.TRUE.equals(program.eval(vars));
        } catch (CelEvaluationException | RuntimeException e) {
            return false;
        }
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
