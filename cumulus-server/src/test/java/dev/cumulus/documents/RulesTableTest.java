package dev.cumulus.documents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.errors.ApiException;
import dev.cumulus.web.Json;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The one rule evaluator, as a table: every variable a rule sees, each kind of JSON value, absent
 * and null, operators and macros, and the ways a rule fails closed (no rule, a runtime error, a
 * non-boolean).
 */
class RulesTableTest {
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    static final RequestAuth ALICE = new RequestAuth("alice", Map.of("role", "admin", "level", 3, "groups", List.of("a", "b")));
    static final JsonNode STORED = json("{\"owner\":\"alice\",\"n\":2,\"x\":1.5,\"ok\":true,\"tags\":[\"red\"],"
            + "\"addr\":{\"city\":\"Oslo\"},\"gone\":null}");
    static final JsonNode INCOMING = json("{\"owner\":\"alice\",\"n\":3}");

    static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** expression, auth, resource present, incoming present, expected. */
    static Stream<Arguments> table() {
        return Stream.of(
                // request.auth
                Arguments.of("request.auth != null", ALICE, true, true, true),
                Arguments.of("request.auth != null", null, true, true, false),
                Arguments.of("request.auth == null", null, true, true, true),
                Arguments.of("request.auth.uid == 'alice'", ALICE, true, true, true),
                Arguments.of("request.auth.uid == 'bob'", ALICE, true, true, false),
                Arguments.of("request.auth.uid == 'alice'", null, true, true, false), // error on null: denied
                Arguments.of("request.auth.claims.role == 'admin'", ALICE, true, true, true),
                Arguments.of("request.auth.claims.level >= 3", ALICE, true, true, true),
                Arguments.of("'b' in request.auth.claims.groups", ALICE, true, true, true),
                Arguments.of("request.auth.claims.missing == 1", ALICE, true, true, false), // no such key: denied
                Arguments.of("has(request.auth.claims.role)", ALICE, true, true, true),
                Arguments.of("has(request.auth.claims.missing)", ALICE, true, true, false),
                // resource: the stored document
                Arguments.of("resource.data.owner == request.auth.uid", ALICE, true, true, true),
                Arguments.of("resource.data.owner == request.auth.uid", ALICE, false, true, false), // no resource
                Arguments.of("resource == null", ALICE, false, true, true),
                Arguments.of("resource.id == 'd1' && resource.version == 4", ALICE, true, true, true),
                Arguments.of("resource.data.n == 2", ALICE, true, true, true),
                Arguments.of("resource.data.n < 2.5", ALICE, true, true, true), // int vs double compare
                Arguments.of("resource.data.x > 1", ALICE, true, true, true),
                Arguments.of("resource.data.ok", ALICE, true, true, true),
                Arguments.of("!resource.data.ok", ALICE, true, true, false),
                Arguments.of("'red' in resource.data.tags", ALICE, true, true, true),
                Arguments.of("resource.data.tags.size() == 1", ALICE, true, true, true),
                Arguments.of("resource.data.addr.city.startsWith('Os')", ALICE, true, true, true),
                Arguments.of("resource.data.addr.city.matches('^O.*o$')", ALICE, true, true, true),
                Arguments.of("resource.data.gone == null", ALICE, true, true, true),
                Arguments.of("has(resource.data.nothere)", ALICE, true, true, false),
                Arguments.of("resource.data.tags.exists(t, t == 'red')", ALICE, true, true, true),
                Arguments.of("resource.data.tags.all(t, t == 'blue')", ALICE, true, true, false),
                // request.data: the incoming document
                Arguments.of("request.data.owner == request.auth.uid", ALICE, true, true, true),
                Arguments.of("request.data.n == resource.data.n + 1", ALICE, true, true, true),
                Arguments.of("request.data.owner == 'alice'", ALICE, true, false, false), // no incoming
                Arguments.of("request.data == null", ALICE, true, false, true),
                // request.time
                Arguments.of("request.time == timestamp('2026-12-05T10:00:00Z')", ALICE, true, true, true),
                Arguments.of("request.time < timestamp('2026-01-01T00:00:00Z')", ALICE, true, true, false),
                // logic, and failing closed
                Arguments.of("true || resource.data.nope == 1", ALICE, true, true, true),
                Arguments.of("resource.data.nope == 1 || true", ALICE, true, true, true), // CEL's commutative ||
                Arguments.of("false && resource.data.nope == 1", ALICE, true, true, false),
                Arguments.of("resource.data.owner == 1", ALICE, true, true, false), // string vs int: not equal
                Arguments.of("1 / (resource.data.n - 2) == 1", ALICE, true, true, false)); // division by zero
    }

    @ParameterizedTest(name = "{0} with auth={1}, resource={2}, incoming={3} -> {4}")
    @MethodSource("table")
    void eachRuleEvaluatesAsTheTableSays(String expression, RequestAuth auth, boolean withResource, boolean withIncoming,
            boolean expected) {
        var program = Rules.program("read", expression);
        boolean allowed = Rules.evaluate(program, auth, withResource ? Rules.resource("d1", STORED, 4) : null,
                withIncoming ? INCOMING : null, NOW);
        assertThat(allowed).isEqualTo(expected);
    }

    @Test
    void anOperationWithoutARuleIsDenied() {
        Rules rules = Rules.compile(json("{\"read\":\"true\"}"));
        for (Rules.Operation op : Rules.Operation.values()) {
            assertThat(rules.allows(op, ALICE, null, null, NOW)).as(op.key()).isEqualTo(op == Rules.Operation.READ);
        }
        assertThat(Rules.NONE.allows(Rules.Operation.READ, ALICE, null, null, NOW)).isFalse();
    }

    @Test
    void badRulesAreRefusedWhenTheCollectionIsWritten() {
        for (String bad : List.of("{\"read\":\"request.auth.uid ==\"}", "{\"read\":\"1 + 1\"}", "{\"read\":\"nope.x\"}",
                "{\"write\":\"true\"}", "{\"read\":5}", "[]")) {
            assertThatThrownBy(() -> Rules.compile(json(bad))).as(bad).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.code()).isEqualTo("InvalidRules"));
        }
    }
}
