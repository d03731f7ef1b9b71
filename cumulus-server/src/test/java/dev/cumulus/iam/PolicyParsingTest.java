package dev.cumulus.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every malformed policy is a 400 MalformedPolicy naming the field that is wrong. */
class PolicyParsingTest {
    private static final String OK_STATEMENT =
            "{\"Effect\":\"Allow\",\"Action\":\"functions:Invoke\",\"Resource\":\"crn:cumulus:functions:p:f\"}";

    static String doc(String statement) {
        return "{\"Version\":\"2026-12-01\",\"Statement\":[" + statement + "]}";
    }

    static String withCondition(String condition) {
        return doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":" + condition + "}");
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("not JSON", "{\"Version\":", "not valid JSON"),
                Arguments.of("not an object", "[]", "a JSON object"),
                Arguments.of("no version", "{\"Statement\":[" + OK_STATEMENT + "]}", "Version must be \"2026-12-01\""),
                Arguments.of("another version", "{\"Version\":\"2012-10-17\",\"Statement\":[]}", "Version must be"),
                Arguments.of("unknown top field", "{\"Version\":\"2026-12-01\",\"Statement\":[],\"Id\":\"x\"}",
                        "Id is not a policy field"),
                Arguments.of("no statement", "{\"Version\":\"2026-12-01\"}", "Statement must be"),
                Arguments.of("statement a string", doc("\"x\""), "Statement[0] must be an object"),
                Arguments.of("missing effect", doc("{\"Action\":\"*\",\"Resource\":\"*\"}"), "Statement[0].Effect is required"),
                Arguments.of("unknown effect", doc("{\"Effect\":\"Maybe\",\"Action\":\"*\",\"Resource\":\"*\"}"),
                        "Statement[0].Effect must be Allow or Deny, not 'Maybe'"),
                Arguments.of("effect in lower case", doc("{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}"),
                        "Statement[0].Effect must be Allow or Deny"),
                Arguments.of("typo in a field", doc("{\"Efect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"),
                        "Statement[0].Efect is not a policy field"),
                Arguments.of("NotAction unsupported", doc("{\"Effect\":\"Allow\",\"NotAction\":\"*\",\"Resource\":\"*\"}"),
                        "Statement[0].NotAction is not a policy field"),
                Arguments.of("missing action", doc("{\"Effect\":\"Allow\",\"Resource\":\"*\"}"), "Statement[0].Action is required"),
                Arguments.of("empty action list", doc("{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}"),
                        "Statement[0].Action must be a string or a non-empty array"),
                Arguments.of("action without service", doc(OK_STATEMENT + ",{\"Effect\":\"Allow\",\"Action\":[\"functions:Invoke\",\"Invoke\"],\"Resource\":\"*\"}"),
                        "Statement[1].Action[1] is '*' or service:Name"),
                Arguments.of("action a number", doc("{\"Effect\":\"Allow\",\"Action\":[7],\"Resource\":\"*\"}"),
                        "Statement[0].Action[0] must be a non-empty string"),
                Arguments.of("missing resource", doc("{\"Effect\":\"Allow\",\"Action\":\"*\"}"), "Statement[0].Resource is required"),
                Arguments.of("resource not a CRN", doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"arn:aws:lambda:x\"}"),
                        "Statement[0].Resource[0] is '*' or crn:cumulus:<service>:<project>:<path>"),
                Arguments.of("resource without path", doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"crn:cumulus:functions:p:\"}"),
                        "Statement[0].Resource[0] is '*' or crn:cumulus"),
                Arguments.of("resource with only a star after the prefix", doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"crn:cumulus:*\"}"),
                        "Statement[0].Resource[0] is '*' or crn:cumulus"),
                Arguments.of("resource with a bad project", doc("{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"crn:cumulus:functions:Shop:f\"}"),
                        "Statement[0].Resource[0]: 'Shop' is not a project"),
                Arguments.of("bad sid", doc("{\"Sid\":\"a b\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}"),
                        "Statement[0].Sid must be"),
                Arguments.of("unknown operator", withCondition("{\"StringEquals\":{\"cumulus:SourceIp\":\"1.2.3.4\"}}"),
                        "Statement[0].Condition: unknown condition operator 'StringEquals'"),
                Arguments.of("unknown condition key", withCondition("{\"IpAddress\":{\"aws:SourceIp\":\"1.2.3.4\"}}"),
                        "Statement[0].Condition.IpAddress takes exactly one key, cumulus:SourceIp"),
                Arguments.of("bad CIDR", withCondition("{\"IpAddress\":{\"cumulus:SourceIp\":[\"10.0.0.0/8\",\"10.0.0.300/8\"]}}"),
                        "Statement[0].Condition.IpAddress.cumulus:SourceIp[1] is not an IPv4 or IPv6 range"),
                Arguments.of("host name as CIDR", withCondition("{\"NotIpAddress\":{\"cumulus:SourceIp\":\"example.com\"}}"),
                        "Statement[0].Condition.NotIpAddress.cumulus:SourceIp[0] is not an IPv4 or IPv6 range"),
                Arguments.of("IPv4 prefix too long", withCondition("{\"IpAddress\":{\"cumulus:SourceIp\":\"10.0.0.0/33\"}}"),
                        "the prefix length must be 0 to 32"),
                Arguments.of("IPv6 prefix too long", withCondition("{\"IpAddress\":{\"cumulus:SourceIp\":\"2001:db8::/129\"}}"),
                        "the prefix length must be 0 to 128"),
                Arguments.of("bad IPv6", withCondition("{\"IpAddress\":{\"cumulus:SourceIp\":\"2001:db8:::1/64\"}}"),
                        "is not an IPv4 or IPv6 range"),
                Arguments.of("bad time", withCondition("{\"DateLessThan\":{\"cumulus:CurrentTime\":\"tomorrow\"}}"),
                        "Statement[0].Condition.DateLessThan.cumulus:CurrentTime[0] is not an ISO-8601 instant"),
                Arguments.of("time key on an IP operator", withCondition("{\"IpAddress\":{\"cumulus:CurrentTime\":\"2026-12-01T00:00:00Z\"}}"),
                        "takes exactly one key, cumulus:SourceIp"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesWithTheFieldNamed(String name, String json, String message) {
        assertThatThrownBy(() -> Policy.parse("p", json))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("MalformedPolicy");
                })
                .hasMessageContaining(message);
    }

    @Test
    void acceptsASingleStatementObjectAndEveryOperator() {
        Policy policy = Policy.parse("p", """
                {"Version":"2026-12-01","Statement":{"Sid":"All","Effect":"Deny","Action":["functions:*","storage:Get?bject"],
                 "Resource":["*","crn:cumulus:storage:p:photos/uploads/*"],
                 "Condition":{"IpAddress":{"cumulus:SourceIp":["10.0.0.0/8","2001:db8::/32","192.0.2.7"]},
                              "NotIpAddress":{"cumulus:SourceIp":"10.1.0.0/16"},
                              "DateGreaterThan":{"cumulus:CurrentTime":"2026-12-01T00:00:00Z"},
                              "DateLessThan":{"cumulus:CurrentTime":["2027-01-01T00:00:00Z"]}}}}""");

        assertThat(policy.statements()).hasSize(1);
        assertThat(policy.statements().getFirst().label()).isEqualTo("All");
        assertThat(policy.statements().getFirst().conditions()).hasSize(4);
    }

    @Test
    void theAdminPolicyCoversItsProjectOnly() {
        Policy admin = Policy.admin("shop");
        Guard.Facts facts = new Guard.Facts(null, null);

        assertThat(Evaluator.evaluate(java.util.List.of(admin), "functions:Delete", Crn.of("functions", "shop", "f"), facts)
                .allowed()).isTrue();
        assertThat(Evaluator.evaluate(java.util.List.of(admin), "functions:Delete", Crn.of("functions", "shop2", "f"), facts)
                .allowed()).isFalse();
    }
}
