package dev.cumulus.lambdaapi;

import dev.cumulus.web.Call;
import static dev.cumulus.lambdaapi.Fields.text;
import static dev.cumulus.lambdaapi.Fields.write;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cumulus.registry.FunctionInfo;
import dev.cumulus.web.Json;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A function's resource-based policy (AddPermission, GetPolicy, RemovePermission), stored as
 * the statements Lambda would write, one policy per qualifier. Stored, not evaluated: the node
 * does not yet act on who may invoke a function; the IAM work will evaluate these (ADR 0016).
 */
final class Permissions {
    private static final Pattern SID = Pattern.compile("[a-zA-Z0-9-_.]{1,100}");
    private static final Pattern ACTION = Pattern.compile("(lambda:[*]|lambda:[a-zA-Z]+|[*])");
    private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");

    private final Scope scope;

    Permissions(Scope scope) {
        this.scope = scope;
    }

    void add(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName);
        JsonNode body = Fields.body(call);
        Fields.only(body, "StatementId", "Action", "Principal", "SourceArn", "SourceAccount", "EventSourceToken",
                "RevisionId", "PrincipalOrgID", "FunctionUrlAuthType");
        FunctionInfo info = requireTarget(ref);
        String revision = text(body, "RevisionId", false);
        if (revision != null && !revision.equals(scope.revisionId(info))) {
            throw LambdaError.user(412, "PreconditionFailedException", "The Revision Id provided does not match the latest"
                    + " Revision Id. Call the GetPolicy API to retrieve the latest Revision Id");
        }
        String sid = text(body, "StatementId", true);
        if (!SID.matcher(sid).matches()) {
            throw LambdaError.invalid("StatementId must be 1-100 characters of [a-zA-Z0-9-_.], got '" + sid + "'");
        }
        String action = text(body, "Action", true);
        if (!ACTION.matcher(action).matches()) {
            throw LambdaError.invalid("Action must be lambda:<Operation>, lambda:* or *, got '" + action + "'");
        }
        ObjectNode statement = Json.MAPPER.createObjectNode();
        statement.put("Sid", sid);
        statement.put("Effect", "Allow");
        String principal = text(body, "Principal", true);
        if (principal.equals("*")) {
            statement.put("Principal", "*");
        } else if (ACCOUNT.matcher(principal).matches()) {
            statement.putObject("Principal").put("AWS", "arn:aws:iam::" + principal + ":root");
        } else if (principal.startsWith("arn:")) {
            statement.putObject("Principal").put("AWS", principal);
        } else {
            statement.putObject("Principal").put("Service", principal);
        }
        statement.put("Action", action);
        statement.put("Resource", scope.arn(ref.name(), ref.qualifier()));
        ObjectNode condition = Json.MAPPER.createObjectNode();
        condition(condition, "ArnLike", "AWS:SourceArn", text(body, "SourceArn", false));
        condition(condition, "StringEquals", "AWS:SourceAccount", text(body, "SourceAccount", false));
        condition(condition, "StringEquals", "aws:PrincipalOrgID", text(body, "PrincipalOrgID", false));
        condition(condition, "StringEquals", "lambda:EventSourceToken", text(body, "EventSourceToken", false));
        condition(condition, "StringEquals", "lambda:FunctionUrlAuthType", text(body, "FunctionUrlAuthType", false));
        if (!condition.isEmpty()) {
            statement.set("Condition", condition);
        }
        if (!scope.store().addStatement(ref.name(), qualifier(ref), sid, statement)) {
            throw LambdaError.user(409, "ResourceConflictException", "The statement id (" + sid + ") provided already"
                    + " exists. Please provide a new statement id, or remove the existing statement.");
        }
        write(call, 201, Json.MAPPER.createObjectNode().put("Statement", statement.toString()));
    }

    void get(Call call, String functionName) throws IOException {
        FunctionRef ref = scope.ref(call, functionName);
        FunctionInfo info = requireTarget(ref);
        List<ObjectNode> statements = scope.store().statements(ref.name(), qualifier(ref));
        if (statements.isEmpty()) {
            throw LambdaError.notFound("The resource you requested does not exist. (no policy on "
                    + scope.arn(ref.name(), ref.qualifier()) + ")");
        }
        ObjectNode policy = Json.MAPPER.createObjectNode().put("Version", "2012-10-17").put("Id", "default");
        policy.putArray("Statement").addAll(statements);
        write(call, 200, Json.MAPPER.createObjectNode().put("Policy", policy.toString())
                .put("RevisionId", scope.revisionId(info)));
    }

    void remove(Call call, String functionName, String sid) throws IOException {
        FunctionRef ref = scope.ref(call, functionName);
        FunctionInfo info = requireTarget(ref);
        String revision = call.query("RevisionId");
        if (revision != null && !revision.equals(scope.revisionId(info))) {
            throw LambdaError.user(412, "PreconditionFailedException", "The Revision Id provided does not match the latest"
                    + " Revision Id. Call the GetPolicy API to retrieve the latest Revision Id");
        }
        if (!scope.store().removeStatement(ref.name(), qualifier(ref), sid)) {
            throw LambdaError.notFound("Statement " + sid + " is not found in resource policy.");
        }
        Fields.noContent(call);
    }

    /** The function, and the version or alias the qualifier names, must exist. */
    private FunctionInfo requireTarget(FunctionRef ref) {
        FunctionInfo info = scope.requireFunction(ref.name());
        if (ref.qualifier() != null) {
            scope.registry().resolve(ref.name(), ref.qualifier());
        }
        return info;
    }

    private static String qualifier(FunctionRef ref) {
        return ref.qualifier() == null ? LambdaStore.UNQUALIFIED : ref.qualifier();
    }

    private static void condition(ObjectNode conditions, String operator, String key, String value) {
        if (value != null) {
            ObjectNode block = conditions.has(operator) ? (ObjectNode) conditions.get(operator) : conditions.putObject(operator);
            block.put(key, value);
        }
    }
}
