package dev.cumulus.iam;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The evaluator against the table in {@code iam/evaluator-cases.json}: one test per row. */
class EvaluatorTableTest {
    private static final String DEFAULT_SOURCE = "192.0.2.10";
    private static final String DEFAULT_TIME = "2026-12-15T12:00:00Z";

    static Stream<Arguments> cases() throws IOException {
        JsonNode table;
        try (InputStream in = EvaluatorTableTest.class.getResourceAsStream("/iam/evaluator-cases.json")) {
            table = new ObjectMapper().readTree(in);
        }
        Map<String, Policy> policies = new HashMap<>();
        table.get("policies").properties().forEach(e -> policies.put(e.getKey(), Policy.parse(e.getKey(), e.getValue())));
        List<Arguments> rows = new ArrayList<>();
        for (JsonNode row : table.get("cases")) {
            List<Policy> attached = new ArrayList<>();
            row.get("policies").forEach(name -> attached.add(policies.get(name.asText())));
            rows.add(Arguments.of(row.get("name").asText(), attached, row));
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, List<Policy> policies, JsonNode row) throws IOException {
        assertThat(policies).doesNotContainNull();
        String source = row.path("source").asText(DEFAULT_SOURCE);
        Guard.Facts facts = new Guard.Facts(source.equals("none") ? null : InetAddress.ofLiteral(source),
                Instant.parse(row.path("time").asText(DEFAULT_TIME)));

        Decision decision = Evaluator.evaluate(policies, row.get("action").asText(), Crn.parse(row.get("resource").asText()),
                facts);

        assertThat(decision.allowed()).as(decision.explain()).isEqualTo(row.get("expect").asText().equals("allow"));
        String by = decision.policy() == null ? "-" : decision.policy() + "/" + decision.statement();
        assertThat(by).isEqualTo(row.get("by").asText());
    }
}
