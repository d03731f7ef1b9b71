package dev.cumulus.testlambda;

import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Answers who called, as a handler written for API Gateway's JWT authorizers reads it: the
 * claims and scopes of {@code requestContext.authorizer.jwt}, and the Cognito identity of the
 * Lambda Context. Without an authorizer it says so ({@code "signedIn": false}).
 */
public class WhoAmI implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        var authorizer = event.getRequestContext().getAuthorizer();
        StringBuilder body = new StringBuilder("{");
        if (authorizer == null || authorizer.getJwt() == null) {
            body.append("\"signedIn\":false");
        } else {
            Map<String, String> claims = new TreeMap<>(authorizer.getJwt().getClaims());
            List<String> scopes = authorizer.getJwt().getScopes();
            body.append("\"signedIn\":true,\"sub\":").append(quote(claims.get("sub")))
                    .append(",\"email\":").append(quote(claims.get("email")))
                    .append(",\"tier\":").append(quote(claims.get("tier")))
                    .append(",\"scopes\":").append(scopes == null ? "null" : Integer.toString(scopes.size()));
        }
        CognitoIdentity identity = context.getIdentity();
        body.append(",\"identityId\":").append(quote(identity == null ? null : identity.getIdentityId()))
                .append(",\"identityPoolId\":").append(quote(identity == null ? null : identity.getIdentityPoolId()))
                .append('}');
        return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                .withHeaders(Map.of("Content-Type", "application/json")).withBody(body.toString()).build();
    }

    private static String quote(String value) {
        return value == null || value.isEmpty() ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
