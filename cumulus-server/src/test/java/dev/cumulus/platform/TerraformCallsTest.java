package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ApplicationLogLevel;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionUrlAuthType;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.LogFormat;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.SystemLogLevel;
import software.amazon.awssdk.services.lambda.model.TracingMode;

/**
 * The calls the Terraform AWS provider makes for each Lambda resource, in its order (create,
 * wait, read, update, refresh, delete), through the AWS SDK for Java v2 against a real node:
 * the provider is driven by the same service model, so what the SDK accepts here is what the
 * provider gets. The sequences follow the provider's internal/service/lambda code (function.go,
 * alias.go, function_url.go, permission.go, provisioned_concurrency_config.go,
 * event_source_mapping.go) as far as it is known here; the waiters are the SDK's own.
 */
class TerraformCallsTest {
    static final String HELLO = LambdaApiTest.HELLO;
    static final String ROLE = "arn:aws:iam::123456789012:role/lambda-exec";

    @TempDir
    static Path dir;

    static TestNode node;
    static LambdaClient lambda;
    static byte[] helloZip;
    static byte[] hiZip;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dir.resolve("node"), c -> c);
        JsonNode key = TestNode.json(node.send("POST", "/v1/keys", "{\"description\":\"terraform\"}"));
        lambda = LambdaApiTest.client(node, key.get("accessKeyId").asText(), key.get("secretAccessKey").asText());
        helloZip = LambdaApiTest.zipOfTestFunctions(null);
        hiZip = LambdaApiTest.zipOfTestFunctions(LambdaApiTest.compileHi(dir.resolve("hi")));
    }

    @AfterAll
    static void stop() {
        if (lambda != null) {
            lambda.close();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void awsLambdaFunction() throws Exception {
        // create: CreateFunction with every kept field, the FunctionActiveV2 waiter, then reserved concurrency
        var created = lambda.createFunction(r -> r.functionName("tf-fn").runtime("java21").handler(HELLO).role(ROLE)
                .description("made by terraform").memorySize(512).timeout(15).publish(false)
                .architectures(Architecture.X86_64).ephemeralStorage(e -> e.size(1024))
                .loggingConfig(l -> l.logFormat(LogFormat.JSON).applicationLogLevel(ApplicationLogLevel.INFO)
                        .systemLogLevel(SystemLogLevel.WARN))
                .tracingConfig(t -> t.mode(TracingMode.ACTIVE)).tags(Map.of("team", "core", "env", "test"))
                .environment(e -> e.variables(Map.of("A", "1")))
                .code(c -> c.zipFile(SdkBytes.fromByteArray(helloZip))));
        assertThat(lambda.waiter().waitUntilFunctionActiveV2(r -> r.functionName("tf-fn")).matched().response())
                .isPresent();
        assertThat(lambda.putFunctionConcurrency(r -> r.functionName("tf-fn").reservedConcurrentExecutions(5))
                .reservedConcurrentExecutions()).isEqualTo(5);

        // read: GetFunction (Code, Tags, Concurrency), the code signing config, the latest version
        GetFunctionResponse read = lambda.getFunction(r -> r.functionName("tf-fn"));
        FunctionConfiguration config = read.configuration();
        assertThat(config.runtimeAsString()).isEqualTo("java21");
        assertThat(config.role()).isEqualTo(ROLE);
        assertThat(config.description()).isEqualTo("made by terraform");
        assertThat(config.architectures()).containsExactly(Architecture.X86_64);
        assertThat(config.ephemeralStorage().size()).isEqualTo(1024);
        assertThat(config.loggingConfig().logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(config.loggingConfig().applicationLogLevel()).isEqualTo(ApplicationLogLevel.INFO);
        assertThat(config.loggingConfig().systemLogLevel()).isEqualTo(SystemLogLevel.WARN);
        assertThat(config.loggingConfig().logGroup()).isEqualTo("/aws/lambda/tf-fn");
        assertThat(config.tracingConfig().mode()).isEqualTo(TracingMode.ACTIVE);
        assertThat(config.functionArn()).isEqualTo(arn("tf-fn"));
        assertThat(read.tags()).isEqualTo(Map.of("team", "core", "env", "test"));
        assertThat(read.concurrency().reservedConcurrentExecutions()).isEqualTo(5);
        assertThat(read.code().repositoryType()).isEqualTo("S3");
        HttpResponse<byte[]> download = node.http.send(HttpRequest.newBuilder(java.net.URI.create(read.code().location()))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(helloZip);
        HttpResponse<byte[]> forged = node.http.send(HttpRequest.newBuilder(java.net.URI.create(
                read.code().location().replaceAll("Signature=[0-9a-f]{4}", "Signature=0000"))).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(lambda.getFunctionCodeSigningConfig(r -> r.functionName("tf-fn")).codeSigningConfigArn()).isEmpty();
        assertThat(lambda.listVersionsByFunction(r -> r.functionName("tf-fn")).versions())
                .extracting(FunctionConfiguration::version).containsExactly("$LATEST");

        // update: configuration (FunctionUpdatedV2 waiter), code with publish, tags, concurrency
        String revision = config.revisionId();
        var reconfigured = lambda.updateFunctionConfiguration(r -> r.functionName("tf-fn").description("changed")
                .runtime("java17").revisionId(revision));
        assertThat(reconfigured.description()).isEqualTo("changed");
        assertThat(reconfigured.revisionId()).isNotEqualTo(revision);
        assertThatThrownBy(() -> lambda.updateFunctionConfiguration(r -> r.functionName("tf-fn").description("stale")
                .revisionId(revision))).isInstanceOfSatisfying(LambdaException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("PreconditionFailedException"));
        lambda.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName("tf-fn"));
        var published = lambda.updateFunctionCode(r -> r.functionName("tf-fn").zipFile(SdkBytes.fromByteArray(hiZip))
                .publish(true));
        assertThat(published.version()).isEqualTo("1");
        lambda.waiter().waitUntilPublishedVersionActive(r -> r.functionName("tf-fn").qualifier("1"));
        // nothing changed since version 1: Lambda answers with it rather than making version 2
        assertThat(lambda.publishVersion(r -> r.functionName("tf-fn")).version()).isEqualTo("1");
        lambda.tagResource(r -> r.resource(arn("tf-fn")).tags(Map.of("owner", "ada")));
        lambda.untagResource(r -> r.resource(arn("tf-fn")).tagKeys("env"));
        lambda.deleteFunctionConcurrency(r -> r.functionName("tf-fn"));

        // refresh
        GetFunctionResponse refreshed = lambda.getFunction(r -> r.functionName("tf-fn"));
        assertThat(refreshed.configuration().runtimeAsString()).isEqualTo("java17");
        assertThat(refreshed.configuration().description()).isEqualTo("changed");
        assertThat(refreshed.configuration().role()).isEqualTo(ROLE);
        assertThat(refreshed.tags()).isEqualTo(Map.of("team", "core", "owner", "ada"));
        assertThat(refreshed.concurrency()).isNull();
        assertThat(lambda.listTags(r -> r.resource(arn("tf-fn"))).tags()).isEqualTo(refreshed.tags());
        assertThat(lambda.getFunction(r -> r.functionName("tf-fn").qualifier("1")).configuration().description())
                .isEqualTo("changed");

        // delete, then the provider's "gone" check
        lambda.deleteFunction(r -> r.functionName("tf-fn"));
        assertThatThrownBy(() -> lambda.getFunction(r -> r.functionName("tf-fn")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> lambda.listTags(r -> r.resource(arn("tf-fn"))))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void awsLambdaAliasAndVersionDeletion() {
        deploy("tf-alias");
        lambda.publishVersion(r -> r.functionName("tf-alias"));
        var alias = lambda.createAlias(r -> r.functionName("tf-alias").name("live").functionVersion("1")
                .description("d"));
        assertThat(lambda.getAlias(r -> r.functionName("tf-alias").name("live")).aliasArn())
                .isEqualTo(arn("tf-alias") + ":live");
        lambda.updateAlias(r -> r.functionName("tf-alias").name("live").functionVersion("$LATEST")
                .revisionId(alias.revisionId()));
        assertThat(lambda.getAlias(r -> r.functionName("tf-alias").name("live")).functionVersion()).isEqualTo("$LATEST");

        lambda.updateAlias(r -> r.functionName("tf-alias").name("live").functionVersion("1"));
        assertThatThrownBy(() -> lambda.deleteFunction(r -> r.functionName("tf-alias").qualifier("1")))
                .isInstanceOf(ResourceConflictException.class);
        lambda.deleteAlias(r -> r.functionName("tf-alias").name("live"));
        assertThatThrownBy(() -> lambda.getAlias(r -> r.functionName("tf-alias").name("live")))
                .isInstanceOf(ResourceNotFoundException.class);
        lambda.deleteFunction(r -> r.functionName("tf-alias").qualifier("1"));
        assertThat(lambda.listVersionsByFunction(r -> r.functionName("tf-alias")).versions())
                .extracting(FunctionConfiguration::version).containsExactly("$LATEST");
        assertThatThrownBy(() -> lambda.deleteFunction(r -> r.functionName("tf-alias").qualifier("1")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(lambda.getFunction(r -> r.functionName("tf-alias")).configuration().version()).isEqualTo("$LATEST");
    }

    @Test
    void awsLambdaFunctionUrl() {
        deploy("tf-url");
        var created = lambda.createFunctionUrlConfig(r -> r.functionName("tf-url").authType(FunctionUrlAuthType.NONE)
                .cors(c -> c.allowOrigins("https://example.com").allowMethods("GET").maxAge(60)));
        assertThat(created.functionUrl()).isEqualTo(node.url("/fn/tf-url/").toString());
        var read = lambda.getFunctionUrlConfig(r -> r.functionName("tf-url"));
        assertThat(read.authType()).isEqualTo(FunctionUrlAuthType.NONE);
        assertThat(read.cors().allowOrigins()).containsExactly("https://example.com");
        assertThat(read.cors().maxAge()).isEqualTo(60);
        // NONE: the node's URL answers without a token
        await().atMost(Duration.ofSeconds(60)).until(() -> node.send("GET", "/fn/tf-url/", null, null).statusCode() == 200);
        assertThatThrownBy(() -> lambda.createFunctionUrlConfig(r -> r.functionName("tf-url")
                .authType(FunctionUrlAuthType.NONE))).isInstanceOf(ResourceConflictException.class);

        lambda.updateFunctionUrlConfig(r -> r.functionName("tf-url").authType(FunctionUrlAuthType.AWS_IAM));
        assertThat(lambda.getFunctionUrlConfig(r -> r.functionName("tf-url")).authType())
                .isEqualTo(FunctionUrlAuthType.AWS_IAM);
        assertThat(node.send("GET", "/fn/tf-url/", null, null).statusCode()).isEqualTo(401);

        lambda.deleteFunctionUrlConfig(r -> r.functionName("tf-url"));
        assertThatThrownBy(() -> lambda.getFunctionUrlConfig(r -> r.functionName("tf-url")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> lambda.createFunctionUrlConfig(r -> r.functionName("tf-url").qualifier("live")
                .authType(FunctionUrlAuthType.NONE))).isInstanceOf(InvalidParameterValueException.class);
    }

    @Test
    void awsLambdaPermission() throws Exception {
        deploy("tf-perm");
        String statement = lambda.addPermission(r -> r.functionName("tf-perm").statementId("AllowS3")
                .action("lambda:InvokeFunction").principal("s3.amazonaws.com").sourceArn("arn:aws:s3:::photos")
                .sourceAccount("123456789012")).statement();
        assertThat(TestNode.JSON.readTree(statement).at("/Principal/Service").asText()).isEqualTo("s3.amazonaws.com");

        JsonNode policy = TestNode.JSON.readTree(lambda.getPolicy(r -> r.functionName("tf-perm")).policy());
        JsonNode only = policy.get("Statement").get(0);
        assertThat(policy.get("Statement")).hasSize(1);
        assertThat(only.get("Sid").asText()).isEqualTo("AllowS3");
        assertThat(only.get("Effect").asText()).isEqualTo("Allow");
        assertThat(only.get("Action").asText()).isEqualTo("lambda:InvokeFunction");
        assertThat(only.get("Resource").asText()).isEqualTo(arn("tf-perm"));
        assertThat(only.at("/Condition/ArnLike/AWS:SourceArn").asText()).isEqualTo("arn:aws:s3:::photos");
        assertThat(only.at("/Condition/StringEquals/AWS:SourceAccount").asText()).isEqualTo("123456789012");
        assertThatThrownBy(() -> lambda.addPermission(r -> r.functionName("tf-perm").statementId("AllowS3")
                .action("lambda:InvokeFunction").principal("sns.amazonaws.com")))
                .isInstanceOf(ResourceConflictException.class);

        lambda.removePermission(r -> r.functionName("tf-perm").statementId("AllowS3"));
        assertThatThrownBy(() -> lambda.getPolicy(r -> r.functionName("tf-perm")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> lambda.removePermission(r -> r.functionName("tf-perm").statementId("AllowS3")))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void awsLambdaProvisionedConcurrencyConfig() {
        deploy("tf-pc");
        lambda.publishVersion(r -> r.functionName("tf-pc"));
        lambda.createAlias(r -> r.functionName("tf-pc").name("live").functionVersion("1"));
        assertThatThrownBy(() -> lambda.getProvisionedConcurrencyConfig(r -> r.functionName("tf-pc").qualifier("live")))
                .isInstanceOf(ProvisionedConcurrencyConfigNotFoundException.class);

        lambda.putProvisionedConcurrencyConfig(r -> r.functionName("tf-pc").qualifier("live")
                .provisionedConcurrentExecutions(1));
        await().atMost(Duration.ofSeconds(60)).until(() -> lambda.getProvisionedConcurrencyConfig(
                r -> r.functionName("tf-pc").qualifier("live")).status() == ProvisionedConcurrencyStatusEnum.READY);
        var read = lambda.getProvisionedConcurrencyConfig(r -> r.functionName("tf-pc").qualifier("live"));
        assertThat(read.requestedProvisionedConcurrentExecutions()).isEqualTo(1);
        assertThat(read.allocatedProvisionedConcurrentExecutions()).isEqualTo(1);
        assertThat(TestNode.json(node.send("GET", "/v1/functions/tf-pc", null)).get("provisionedConcurrency").asInt())
                .isEqualTo(1);
        assertThat(lambda.listProvisionedConcurrencyConfigs(r -> r.functionName("tf-pc")).provisionedConcurrencyConfigs())
                .extracting(c -> c.functionArn()).containsExactly(arn("tf-pc") + ":live");

        lambda.deleteProvisionedConcurrencyConfig(r -> r.functionName("tf-pc").qualifier("live"));
        assertThatThrownBy(() -> lambda.getProvisionedConcurrencyConfig(r -> r.functionName("tf-pc").qualifier("live")))
                .isInstanceOf(ProvisionedConcurrencyConfigNotFoundException.class);
        assertThat(TestNode.json(node.send("GET", "/v1/functions/tf-pc", null)).get("provisionedConcurrency").asInt())
                .isZero();
        assertThatThrownBy(() -> lambda.putProvisionedConcurrencyConfig(r -> r.functionName("tf-pc")
                .provisionedConcurrentExecutions(1))).isInstanceOf(InvalidParameterValueException.class);
    }

    @Test
    void awsLambdaEventSourceMappingIsAClearRefusal() {
        deploy("tf-esm");
        assertThatThrownBy(() -> lambda.createEventSourceMapping(r -> r.functionName("tf-esm")
                .eventSourceArn("arn:aws:sqs:us-east-1:123456789012:orders").batchSize(10)))
                .isInstanceOfSatisfying(InvalidParameterValueException.class,
                        e -> assertThat(e.getMessage()).contains("arn:aws:sqs:us-east-1:123456789012:orders")
                                .contains("/v1/sources"));
        assertThatThrownBy(() -> lambda.getEventSourceMapping(r -> r.uuid("14e0db71-5d35-4eb5-b481-8945cf9d10c2")))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(lambda.listEventSourceMappings(r -> r.functionName("tf-esm")).eventSourceMappings()).isEmpty();
    }

    @Test
    void unknownOperationsGetLambdasErrorShape() {
        deploy("tf-unknown");
        assertThatThrownBy(() -> lambda.getFunctionEventInvokeConfig(r -> r.functionName("tf-unknown")))
                .isInstanceOfSatisfying(LambdaException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnknownOperationException");
                });
        assertThatThrownBy(() -> lambda.listLayers()).isInstanceOfSatisfying(LambdaException.class,
                e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnknownOperationException"));
        assertThatThrownBy(() -> lambda.getRuntimeManagementConfig(r -> r.functionName("tf-unknown")))
                .isInstanceOfSatisfying(LambdaException.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("UnknownOperationException"));
        assertThat(lambda.getAccountSettings().accountUsage().functionCount()).isPositive();
    }

    @Test
    void tailLogsCarryStartEndAndReportLines() {
        deploy("tf-logs");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            InvokeResponse answer = lambda.invoke(r -> r.functionName("tf-logs").logType(LogType.TAIL)
                    .payload(SdkBytes.fromUtf8String("{\"name\":\"Ada\"}")));
            String requestId = answer.responseMetadata().requestId();
            String tail = new String(Base64.getDecoder().decode(answer.logResult()), StandardCharsets.UTF_8);
            assertThat(tail).startsWith("START RequestId: " + requestId + " Version: $LATEST\n")
                    .contains("greeting Ada")
                    .contains("END RequestId: " + requestId + "\n")
                    .containsPattern("REPORT RequestId: " + requestId
                            + "\tDuration: [0-9]+\\.[0-9]{2} ms\tBilled Duration: [0-9]+ ms\tMemory Size: 256 MB");
            assertThat(node.send("GET", "/v1/functions/tf-logs/logs?limit=100", null).body())
                    .contains("REPORT RequestId: " + requestId);
        });
    }

    private static String arn(String name) {
        return "arn:aws:lambda:us-east-1:" + LambdaApiTest.ACCOUNT + ":function:" + name;
    }

    private static void deploy(String name) {
        lambda.createFunction(r -> r.functionName(name).runtime("java25").handler(HELLO).role(ROLE)
                .code(c -> c.zipFile(SdkBytes.fromByteArray(helloZip))));
    }
}
