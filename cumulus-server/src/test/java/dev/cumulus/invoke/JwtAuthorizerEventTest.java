package dev.cumulus.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The end user a route verified, in an event as API Gateway's JWT authorizers put it. */
class JwtAuthorizerEventTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final byte[] EVENT = "{\"version\":\"2.0\",\"requestContext\":{\"requestId\":\"r-1\"}}".getBytes(StandardCharsets.UTF_8);

    @Test
    void claimsBecomeStringsAndTheScopeClaimBecomesScopes() throws Exception {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", "u-1");
        claims.put("email_verified", true);
        claims.put("exp", 1_800_000_000L);
        claims.put("roles", List.of("editor", "viewer"));
        claims.put("scope", "orders:read  orders:write");
        JsonNode event = JSON.readTree(FunctionUrlEvents.withJwtAuthorizer(EVENT, claims));
        JsonNode jwt = event.path("requestContext").path("authorizer").path("jwt");
        assertThat(jwt.path("claims").path("sub").asText()).isEqualTo("u-1");
        assertThat(jwt.path("claims").path("email_verified").isTextual()).isTrue();
        assertThat(jwt.path("claims").path("email_verified").asText()).isEqualTo("true");
        assertThat(jwt.path("claims").path("exp").asText()).isEqualTo("1800000000");
        assertThat(jwt.path("claims").path("roles").asText()).isEqualTo("[\"editor\",\"viewer\"]");
        assertThat(jwt.path("scopes")).extracting(JsonNode::asText).containsExactly("orders:read", "orders:write");
        assertThat(event.path("requestContext").path("requestId").asText()).isEqualTo("r-1");
    }

    @Test
    void anEventWithoutAVerifiedUserIsLeftAsItIs() {
        assertThat(FunctionUrlEvents.withJwtAuthorizer(EVENT, null)).isSameAs(EVENT);
    }
}
