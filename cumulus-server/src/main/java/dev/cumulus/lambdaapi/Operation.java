package dev.cumulus.lambdaapi;

import java.util.Arrays;
import java.util.List;

/**
 * Every Lambda operation the node serves, with the REST route Lambda's service model gives it
 * (API version, method, path): {@link LambdaApi} makes each a route of the edge's router, with the
 * IAM action {@link #action()}. Constants carry Lambda's own operation names, so the route table,
 * the dispatcher and docs/lambda-compatibility.md (checked against this list by a test) say the
 * same thing. A request no constant matches is an {@code UnknownOperationException}.
 */
enum Operation {
    ListFunctions("GET", "2015-03-31", "functions"),
    CreateFunction("POST", "2015-03-31", "functions"),
    GetFunction("GET", "2015-03-31", "functions/{FunctionName}"),
    DeleteFunction("DELETE", "2015-03-31", "functions/{FunctionName}"),
    GetFunctionConfiguration("GET", "2015-03-31", "functions/{FunctionName}/configuration"),
    UpdateFunctionConfiguration("PUT", "2015-03-31", "functions/{FunctionName}/configuration"),
    UpdateFunctionCode("PUT", "2015-03-31", "functions/{FunctionName}/code"),
    ListVersionsByFunction("GET", "2015-03-31", "functions/{FunctionName}/versions"),
    PublishVersion("POST", "2015-03-31", "functions/{FunctionName}/versions"),
    ListAliases("GET", "2015-03-31", "functions/{FunctionName}/aliases"),
    CreateAlias("POST", "2015-03-31", "functions/{FunctionName}/aliases"),
    GetAlias("GET", "2015-03-31", "functions/{FunctionName}/aliases/{Name}"),
    UpdateAlias("PUT", "2015-03-31", "functions/{FunctionName}/aliases/{Name}"),
    DeleteAlias("DELETE", "2015-03-31", "functions/{FunctionName}/aliases/{Name}"),
    Invoke("POST", "2015-03-31", "functions/{FunctionName}/invocations"),
    AddPermission("POST", "2015-03-31", "functions/{FunctionName}/policy"),
    GetPolicy("GET", "2015-03-31", "functions/{FunctionName}/policy"),
    RemovePermission("DELETE", "2015-03-31", "functions/{FunctionName}/policy/{StatementId}"),
    ListEventSourceMappings("GET", "2015-03-31", "event-source-mappings"),
    CreateEventSourceMapping("POST", "2015-03-31", "event-source-mappings"),
    GetEventSourceMapping("GET", "2015-03-31", "event-source-mappings/{UUID}"),
    UpdateEventSourceMapping("PUT", "2015-03-31", "event-source-mappings/{UUID}"),
    DeleteEventSourceMapping("DELETE", "2015-03-31", "event-source-mappings/{UUID}"),
    GetAccountSettings("GET", "2016-08-19", "account-settings"),
    ListTags("GET", "2017-03-31", "tags/{Resource}"),
    TagResource("POST", "2017-03-31", "tags/{Resource}"),
    UntagResource("DELETE", "2017-03-31", "tags/{Resource}"),
    PutFunctionConcurrency("PUT", "2017-10-31", "functions/{FunctionName}/concurrency"),
    DeleteFunctionConcurrency("DELETE", "2017-10-31", "functions/{FunctionName}/concurrency"),
    GetFunctionConcurrency("GET", "2019-09-30", "functions/{FunctionName}/concurrency"),
    // the list and the single config share a path; Lambda tells them apart by ?List=ALL
    ListProvisionedConcurrencyConfigs("GET", "2019-09-30", "functions/{FunctionName}/provisioned-concurrency", "List"),
    GetProvisionedConcurrencyConfig("GET", "2019-09-30", "functions/{FunctionName}/provisioned-concurrency"),
    PutProvisionedConcurrencyConfig("PUT", "2019-09-30", "functions/{FunctionName}/provisioned-concurrency"),
    DeleteProvisionedConcurrencyConfig("DELETE", "2019-09-30", "functions/{FunctionName}/provisioned-concurrency"),
    GetFunctionCodeSigningConfig("GET", "2020-06-30", "functions/{FunctionName}/code-signing-config"),
    CreateFunctionUrlConfig("POST", "2021-10-31", "functions/{FunctionName}/url"),
    GetFunctionUrlConfig("GET", "2021-10-31", "functions/{FunctionName}/url"),
    UpdateFunctionUrlConfig("PUT", "2021-10-31", "functions/{FunctionName}/url"),
    DeleteFunctionUrlConfig("DELETE", "2021-10-31", "functions/{FunctionName}/url"),
    ListFunctionUrlConfigs("GET", "2021-10-31", "functions/{FunctionName}/urls");

    /**
     * Every API version in Lambda's service model, served or not: a request under any of them
     * reaches the Lambda API and gets Lambda's error shape, never the node's own 404.
     */
    static final List<String> API_VERSIONS = List.of("2014-11-13", "2015-03-31", "2016-08-19", "2017-03-31",
            "2017-10-31", "2018-10-31", "2019-09-25", "2019-09-30", "2020-04-22", "2020-06-30", "2021-07-20",
            "2021-10-31", "2021-11-15", "2023-10-31", "2024-08-31", "2025-11-30", "2025-12-01");

    final String method;
    final String apiVersion;
    final String path;
    /** a query parameter that must be present to match (null: none) */
    final String requiredQuery;

    Operation(String method, String apiVersion, String path) {
        this(method, apiVersion, path, null);
    }

    Operation(String method, String apiVersion, String path, String requiredQuery) {
        this.method = method;
        this.apiVersion = apiVersion;
        this.path = path;
        this.requiredQuery = requiredQuery;
    }

    /** The route template: {@code /2015-03-31/functions/{FunctionName}}. */
    String template() {
        return "/" + apiVersion + "/" + path;
    }

    /** {@code GET /2015-03-31/functions/{FunctionName}}, as the docs show it. */
    String route() {
        return method + " " + template();
    }

    /** The IAM action of the operation: {@code lambda:InvokeFunction} for Invoke, else {@code lambda:<name>}. */
    String action() {
        return "lambda:" + (this == Invoke ? "InvokeFunction" : name());
    }

    static List<Operation> all() {
        return Arrays.asList(values());
    }
}
