package dev.cumulus.lambdaapi;

import dev.cumulus.web.Call;
import static dev.cumulus.lambdaapi.Fields.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.registry.FunctionVersion;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Lambda's function URL configs on the node's function URLs ({@code /fn/NAME/}), which every
 * function has: a config records that the caller asked for one, its CORS settings as given, and
 * its auth type, which is the function's {@code publicUrl} setting ({@code NONE}: public;
 * {@code AWS_IAM}: the node's bearer token). Cumulus's own {@code urlAuth: user} (end users'
 * access tokens) has no AuthType: {@code AWS_IAM} leaves it as it is, {@code NONE} replaces it.
 * The node serves $LATEST's URL only, so configs take no qualifier.
 */
final class FunctionUrls {
    private static final Set<String> AUTH_TYPES = Set.of("NONE", "AWS_IAM");

    private final Scope scope;

    FunctionUrls(Scope scope) {
        this.scope = scope;
    }

    void create(Call call, String functionName) throws IOException {
        FunctionRef ref = unqualified(call, functionName);
        JsonNode body = Fields.body(call);
        Fields.only(body, "AuthType", "Cors", "InvokeMode");
        FunctionInfo info = scope.requireFunction(ref.name());
        ObjectNode config = merged(Json.MAPPER.createObjectNode().put("InvokeMode", "BUFFERED"), body);
        if (!config.has("AuthType")) {
            throw LambdaError.invalid("AuthType is required (NONE or AWS_IAM)");
        }
        if (!scope.store().createUrlConfig(ref.name(), LambdaStore.UNQUALIFIED, config)) {
            throw LambdaError.user(409, "ResourceConflictException", "Failed to create function url config for"
                    + " [functionArn = " + scope.arn(ref.name(), null) + "]. Error message: FunctionUrlConfig exists"
                    + " for this Lambda function");
        }
        applyAuth(call, info, config);
        write(call, 201, shape(call, ref.name(), require(ref)));
    }

    void get(Call call, String functionName) throws IOException {
        FunctionRef ref = unqualified(call, functionName);
        scope.requireFunction(ref.name());
        write(call, 200, shape(call, ref.name(), require(ref)));
    }

    void update(Call call, String functionName) throws IOException {
        FunctionRef ref = unqualified(call, functionName);
        JsonNode body = Fields.body(call);
        Fields.only(body, "AuthType", "Cors", "InvokeMode");
        FunctionInfo info = scope.requireFunction(ref.name());
        ObjectNode config = merged(require(ref).config(), body);
        scope.store().updateUrlConfig(ref.name(), LambdaStore.UNQUALIFIED, config);
        applyAuth(call, info, config);
        write(call, 200, shape(call, ref.name(), require(ref)));
    }

    void delete(Call call, String functionName) throws IOException {
        FunctionRef ref = unqualified(call, functionName);
        FunctionInfo info = scope.requireFunction(ref.name());
        require(ref);
        scope.store().deleteUrlConfig(ref.name(), LambdaStore.UNQUALIFIED);
        // without a config the URL is no longer public: it answers the node's token only
        if (info.config().publicUrl()) {
            scope.put(call, info.config().withPublicUrl(false), null);
        }
        Fields.noContent(call);
    }

    void list(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName).unqualified();
        scope.requireFunction(ref.name());
        List<ObjectNode> all = new ArrayList<>();
        scope.store().urlConfig(ref.name(), LambdaStore.UNQUALIFIED)
                .ifPresent(config -> all.add(shape(call, ref.name(), config)));
        write(call, 200, Fields.page(call, "FunctionUrlConfigs", all));
    }

    private FunctionRef unqualified(Call call, String functionName) {
        FunctionRef ref = scope.ref(call, functionName);
        if (ref.qualifier() != null && !ref.qualifier().equals(FunctionVersion.LATEST)) {
            throw LambdaError.invalid("Cumulus serves the function URL of $LATEST only (/fn/" + ref.name()
                    + "/); drop the qualifier '" + ref.qualifier() + "'");
        }
        return new FunctionRef(ref.name(), null);
    }

    private LambdaStore.UrlConfig require(FunctionRef ref) {
        return scope.store().urlConfig(ref.name(), LambdaStore.UNQUALIFIED).orElseThrow(() -> LambdaError.notFound(
                "The resource you requested does not exist. (no function URL config for " + scope.arn(ref.name(), null)
                        + ")"));
    }

    /** {@code current} with the fields {@code body} sets, checked. */
    private static ObjectNode merged(ObjectNode current, JsonNode body) {
        ObjectNode out = current.deepCopy();
        String auth = Fields.text(body, "AuthType", false);
        if (auth != null) {
            if (!AUTH_TYPES.contains(auth)) {
                throw LambdaError.invalid("AuthType must be NONE or AWS_IAM, got " + auth);
            }
            out.put("AuthType", auth);
        }
        String mode = Fields.text(body, "InvokeMode", false);
        if (mode != null) {
            if (!mode.equals("BUFFERED")) {
                throw LambdaError.invalid("Cumulus function URLs answer buffered: InvokeMode must be BUFFERED, got " + mode);
            }
            out.put("InvokeMode", mode);
        }
        JsonNode cors = body.get("Cors");
        if (cors != null && !cors.isNull()) {
            if (!cors.isObject()) {
                throw LambdaError.invalid("Cors must be an object");
            }
            Fields.only(cors, "AllowCredentials", "AllowHeaders", "AllowMethods", "AllowOrigins", "ExposeHeaders", "MaxAge");
            out.set("Cors", cors);
        }
        return out;
    }

    private void applyAuth(Call call, FunctionInfo info, ObjectNode config) {
        boolean wantPublic = config.get("AuthType").asText().equals("NONE");
        if (info.config().publicUrl() != wantPublic) {
            scope.put(call, info.config().withPublicUrl(wantPublic), null);
        }
    }

    private ObjectNode shape(Call call, String name, LambdaStore.UrlConfig stored) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("FunctionUrl", call.baseUrl() + "/fn/" + name + "/");
        out.put("FunctionArn", scope.arn(name, null));
        out.put("AuthType", stored.config().get("AuthType").asText());
        if (stored.config().has("Cors")) {
            out.set("Cors", stored.config().get("Cors"));
        }
        out.put("CreationTime", stored.createdAt().toString());
        out.put("LastModifiedTime", stored.updatedAt().toString());
        out.put("InvokeMode", stored.config().get("InvokeMode").asText());
        return out;
    }
}
