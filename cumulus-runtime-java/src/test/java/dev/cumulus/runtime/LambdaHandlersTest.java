package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handlers written for AWS Lambda, compiled against aws-lambda-java-core and run with that jar in
 * the function's {@code lib/}, as a Lambda user ships them: the runtime finds the Lambda
 * interfaces by name and answers Lambda's Context through its precompiled bridge classes, defined
 * against the function's own copies (proxies where those do not fit).
 */
@ExtendWith(ContextLoaderRestored.class)
class LambdaHandlersTest {
    private static final String CLIENT_CONTEXT = """
            {"client":{"installation_id":"inst-1","app_title":"Shop","app_version_name":"2.1",\
            "app_version_code":"21","app_package_name":"com.example.shop"},\
            "custom":{"tenant":"acme","n":3},"env":{"platform":"Android","locale":"en_GB"}}""";
    private static final String COGNITO = "{\"cognitoIdentityId\":\"us-east-1:abc\",\"cognitoIdentityPoolId\":\"us-east-1:pool\"}";

    static final Map<String, String> SOURCES = Map.of(
            "lam.Describe", """
                    package lam;
                    import com.amazonaws.services.lambda.runtime.*;
                    import java.util.*;
                    public class Describe implements RequestHandler<Map<String, Object>, Map<String, Object>> {
                        @Override
                        public Map<String, Object> handleRequest(Map<String, Object> event, Context c) {
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("event", event);
                            out.put("awsRequestId", c.getAwsRequestId());
                            out.put("logGroupName", c.getLogGroupName());
                            out.put("logStreamName", c.getLogStreamName());
                            out.put("functionName", c.getFunctionName());
                            out.put("functionVersion", c.getFunctionVersion());
                            out.put("invokedFunctionArn", c.getInvokedFunctionArn());
                            out.put("remainingTimeInMillis", c.getRemainingTimeInMillis());
                            out.put("memoryLimitInMB", c.getMemoryLimitInMB());
                            out.put("xrayTraceId", c.getXrayTraceId());
                            out.put("tenantId", c.getTenantId());
                            CognitoIdentity id = c.getIdentity();
                            out.put("identity", id == null ? null : id.getIdentityId() + "|" + id.getIdentityPoolId());
                            ClientContext cc = c.getClientContext();
                            if (cc != null) {
                                Client cl = cc.getClient();
                                out.put("client", cl.getInstallationId() + "|" + cl.getAppTitle() + "|" + cl.getAppVersionName()
                                        + "|" + cl.getAppVersionCode() + "|" + cl.getAppPackageName());
                                out.put("custom", cc.getCustom());
                                out.put("env", cc.getEnvironment());
                            }
                            out.put("sameContext", c.equals(c) && c.hashCode() == c.hashCode() && c.toString().contains(c.getAwsRequestId()));
                            c.getLogger().log("text line");
                            c.getLogger().log("bytes line".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            c.getLogger().log("leveled line", com.amazonaws.services.lambda.runtime.logging.LogLevel.WARN);
                            out.put("contextLoader", Context.class.getClassLoader().getName());
                            out.put("contextClass", c.getClass().getName());
                            out.put("contextClassLoader", c.getClass().getClassLoader().getName());
                            out.put("contextClassLoaderParent", c.getClass().getClassLoader().getParent().getName());
                            out.put("loggerClass", c.getLogger().getClass().getName());
                            return out;
                        }
                    }
                    """,
            "lam.Person", """
                    package lam;
                    public class Person {
                        private String name;
                        private String nickname;
                        public String getName() { return name; }
                        public void setName(String name) { this.name = name; }
                        public String getNickname() { return nickname; }
                        public void setNickname(String nickname) { this.nickname = nickname; }
                    }
                    """,
            "lam.Rename", """
                    package lam;
                    import com.amazonaws.services.lambda.runtime.*;
                    public class Rename extends Base implements RequestHandler<Person, Person> {
                        @Override
                        public Person handleRequest(Person p, Context c) {
                            Person out = new Person();
                            out.setName(p.getName().toUpperCase());
                            return out; // nickname stays null, and Lambda leaves nulls out
                        }
                    }
                    """,
            "lam.Base", """
                    package lam;
                    public abstract class Base {}
                    """,
            "lam.Echo", """
                    package lam;
                    import com.amazonaws.services.lambda.runtime.*;
                    import java.io.*;
                    public class Echo implements RequestStreamHandler {
                        @Override
                        public void handleRequest(InputStream in, OutputStream out, Context c) throws IOException {
                            out.write(("[" + c.getAwsRequestId() + "]").getBytes());
                            in.transferTo(out);
                        }
                    }
                    """,
            "lam.Methods", """
                    package lam;
                    import com.amazonaws.services.lambda.runtime.Context;
                    import java.io.*;
                    import java.util.*;
                    public class Methods {
                        public String greet(Person p, Context c) { return "hi " + p.getName() + " from " + c.getFunctionName(); }
                        public static void copy(InputStream in, OutputStream out, Context c) throws IOException {
                            out.write(c.getFunctionVersion().getBytes());
                        }
                        public String plain(Map<String, Object> event) { return "plain"; }
                    }
                    """,
            "lam.Fails", """
                    package lam;
                    import com.amazonaws.services.lambda.runtime.*;
                    import java.util.*;
                    public class Fails implements RequestHandler<Map<String, Object>, String> {
                        @Override
                        public String handleRequest(Map<String, Object> event, Context c) {
                            throw new IllegalArgumentException("bad input " + event.get("x"));
                        }
                    }
                    """);

    @TempDir
    static Path work;

    static Path taskRoot;

    private final List<String> logged = new ArrayList<>();

    @BeforeAll
    static void compileFunctions() throws Exception {
        Path core = lambdaCoreJar();
        taskRoot = work.resolve("task");
        TestCompiler.compile(taskRoot, SOURCES, core);
        Files.createDirectories(taskRoot.resolve("lib"));
        Files.copy(core, taskRoot.resolve("lib").resolve(core.getFileName()));
    }

    private InvocationContext context(String clientContext, String cognito) {
        return new InvocationContext("req-9", "shop", "3", 512, System.currentTimeMillis() + 60_000, logged::add,
                "arn:aws:lambda:local:000000000000:function:shop:3", "Root=1-abc-def;Sampled=1", clientContext, cognito,
                "/aws/lambda/shop", null, null);
    }

    private String invoke(String handlerSpec, String event, InvocationContext context) throws Throwable {
        Handler handler = HandlerLoader.load(taskRoot.toString(), handlerSpec);
        return new String(handler.handle(event.getBytes(StandardCharsets.UTF_8), context), StandardCharsets.UTF_8);
    }

    @Test
    @SuppressWarnings("unchecked")
    void requestHandlerSeesEveryLambdaContextMethod() throws Throwable {
        Map<String, Object> out = (Map<String, Object>) JsonParser.parse(
                invoke("lam.Describe", "{\"k\":[1,2]}", context(CLIENT_CONTEXT, COGNITO)));
        assertThat(out.get("event")).isEqualTo(Map.of("k", List.of(1, 2)));
        assertThat(out).containsEntry("awsRequestId", "req-9").containsEntry("logGroupName", "/aws/lambda/shop")
                .containsEntry("functionName", "shop").containsEntry("functionVersion", "3")
                .containsEntry("invokedFunctionArn", "arn:aws:lambda:local:000000000000:function:shop:3")
                .containsEntry("memoryLimitInMB", 512).containsEntry("xrayTraceId", "Root=1-abc-def;Sampled=1")
                .containsEntry("identity", "us-east-1:abc|us-east-1:pool")
                .containsEntry("client", "inst-1|Shop|2.1|21|com.example.shop")
                .containsEntry("custom", Map.of("tenant", "acme", "n", "3"))
                .containsEntry("env", Map.of("platform", "Android", "locale", "en_GB"))
                .containsEntry("sameContext", true)
                // the interfaces are the function's own copies, from its lib/, not the runtime's
                .containsEntry("contextLoader", "cumulus-function")
                .doesNotContainKey("tenantId"); // null, and Lambda leaves null map values out
        assertThat((Integer) out.get("remainingTimeInMillis")).isBetween(1, 60_000);
        assertThat((String) out.get("logStreamName")).matches("\\d{4}/\\d{2}/\\d{2}/\\[3][0-9a-f]{32}");
        assertThat(logged).containsExactly("text line", "bytes line", "leveled line");
    }

    @Test
    @SuppressWarnings("unchecked")
    void absentOrBase64HeadersGiveNullOrTheDecodedDocument() throws Throwable {
        Map<String, Object> bare = (Map<String, Object>) JsonParser.parse(invoke("lam.Describe", "{}", context(null, null)));
        assertThat(bare).containsKey("awsRequestId").doesNotContainKeys("identity", "client"); // both null

        String encoded = Base64.getEncoder().encodeToString(CLIENT_CONTEXT.getBytes(StandardCharsets.UTF_8));
        Map<String, Object> decoded = (Map<String, Object>) JsonParser.parse(invoke("lam.Describe", "{}", context(encoded, null)));
        assertThat(decoded).containsEntry("client", "inst-1|Shop|2.1|21|com.example.shop");
    }

    @Test
    void pojoInAndOutWithNullsLeftOutAsLambdaDoes() throws Throwable {
        assertThat(invoke("lam.Rename", "{\"name\":\"ada\",\"unknown\":1}", context(null, null)))
                .isEqualTo("{\"name\":\"ADA\"}");
    }

    @Test
    void streamHandlerGetsRawBytes() throws Throwable {
        assertThat(invoke("lam.Echo", "not json at all", context(null, null))).isEqualTo("[req-9]not json at all");
    }

    @Test
    void methodHandlersMayTakeLambdasContext() throws Throwable {
        assertThat(invoke("lam.Methods::greet", "{\"name\":\"Grace\"}", context(null, null)))
                .isEqualTo("\"hi Grace from shop\"");
        assertThat(invoke("lam.Methods::copy", "{}", context(null, null))).isEqualTo("3");
    }

    @Test
    void handlersThatAreNotLambdaHandlersGetNoLambdaMachinery() throws Throwable {
        Handler plain = HandlerLoader.load(taskRoot.toString(), "lam.Methods::plain");
        assertThat(plain).isInstanceOfSatisfying(MethodHandlerAdapter.class, m -> assertThat(m.lambda()).isNull());
        Handler lambda = HandlerLoader.load(taskRoot.toString(), "lam.Describe");
        assertThat(lambda).isInstanceOfSatisfying(LambdaRequestAdapter.class, m -> assertThat(m.lambda()).isNotNull());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aLambdaRequestHandlerGetsTheBridgesContextAndLoggerNotProxies() throws Throwable {
        Map<String, Object> out = (Map<String, Object>) JsonParser.parse(
                invoke("lam.Describe", "{}", context(null, null)));
        // defined for this function in a loader of its own, which sees the function's interfaces
        assertThat(out).containsEntry("contextClass", "dev.cumulus.runtime.lambda.BridgedContext")
                .containsEntry("loggerClass", "dev.cumulus.runtime.lambda.BridgedLogger")
                .containsEntry("contextClassLoader", "cumulus-lambda-bridge")
                .containsEntry("contextClassLoaderParent", "cumulus-function");
        assertThat(invoke("lam.Echo", "x", context(null, null))).isEqualTo("[req-9]x"); // stream handlers too
    }

    @Test
    void everyFunctionGetsItsOwnBridgeAndTheRuntimesLoaderNone() throws Throwable {
        LambdaRequestAdapter first = (LambdaRequestAdapter) HandlerLoader.load(taskRoot.toString(), "lam.Describe");
        LambdaRequestAdapter second = (LambdaRequestAdapter) HandlerLoader.load(taskRoot.toString(), "lam.Describe");
        Class<?> one = first.lambda().contextFor(context(null, null)).getClass();
        Class<?> other = second.lambda().contextFor(context(null, null)).getClass();
        assertThat(one).isNotSameAs(other);
        assertThat(one.getClassLoader()).isNotSameAs(other.getClassLoader())
                .isNotSameAs(LambdaBridge.class.getClassLoader());
        assertThat(first.call().getClass().getClassLoader()).isSameAs(one.getClassLoader());
    }

    @Test
    void aCoreOlderThanTheBridgeFitsItToo() throws Throwable {
        // Context without getXrayTraceId and getTenantId, LambdaLogger without the LogLevel variants
        Path old = work.resolve("old-core");
        TestCompiler.compile(old, Map.of(
                "com.amazonaws.services.lambda.runtime.Context", """
                        package com.amazonaws.services.lambda.runtime;
                        public interface Context {
                            String getAwsRequestId(); String getLogGroupName(); String getLogStreamName();
                            String getFunctionName(); String getFunctionVersion(); String getInvokedFunctionArn();
                            CognitoIdentity getIdentity(); ClientContext getClientContext();
                            int getRemainingTimeInMillis(); int getMemoryLimitInMB(); LambdaLogger getLogger();
                        }
                        """,
                "com.amazonaws.services.lambda.runtime.LambdaLogger", """
                        package com.amazonaws.services.lambda.runtime;
                        public interface LambdaLogger { void log(String message); void log(byte[] message); }
                        """,
                "com.amazonaws.services.lambda.runtime.CognitoIdentity", """
                        package com.amazonaws.services.lambda.runtime;
                        public interface CognitoIdentity { String getIdentityId(); String getIdentityPoolId(); }
                        """,
                "com.amazonaws.services.lambda.runtime.ClientContext", """
                        package com.amazonaws.services.lambda.runtime;
                        public interface ClientContext {}
                        """,
                "com.amazonaws.services.lambda.runtime.RequestHandler", """
                        package com.amazonaws.services.lambda.runtime;
                        public interface RequestHandler<I, O> { O handleRequest(I input, Context context); }
                        """,
                "old.Hello", """
                        package old;
                        import com.amazonaws.services.lambda.runtime.*;
                        public class Hello implements RequestHandler<String, String> {
                            public String handleRequest(String name, Context c) {
                                c.getLogger().log("hello " + name);
                                return name + " in " + c.getAwsRequestId() + " of " + c.getFunctionName();
                            }
                        }
                        """));
        Handler handler = HandlerLoader.load(old.toString(), "old.Hello");
        assertThat(handler).isInstanceOf(LambdaRequestAdapter.class);
        assertThat(new String(handler.handle("\"Ada\"".getBytes(StandardCharsets.UTF_8), context(null, null)),
                StandardCharsets.UTF_8)).isEqualTo("\"Ada in req-9 of shop\"");
        assertThat(logged).containsExactly("hello Ada");
    }

    @Test
    void whatTheHandlerThrowsIsTheFunctionsError() throws Throwable {
        Handler handler = HandlerLoader.load(taskRoot.toString(), "lam.Fails");
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> handler.handle("{\"x\":7}".getBytes(StandardCharsets.UTF_8), context(null, null)));
        assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessage("bad input 7");
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) JsonParser.parse(ErrorReport.forInvocation(thrown));
        assertThat(report).containsEntry("errorMessage", "bad input 7")
                .containsEntry("errorType", "java.lang.IllegalArgumentException");
        assertThat((List<String>) report.get("stackTrace")).first().asString().startsWith("at lam.Fails.handleRequest(");
    }

    @Test
    void aClassImplementingNoHandlerInterfaceNamesLambdasToo() {
        assertThatThrownBy(() -> HandlerLoader.load(taskRoot.toString(), "lam.Person"))
                .isInstanceOf(InitException.class)
                .hasMessageContaining(LambdaContexts.REQUEST_HANDLER);
    }

    private static Path lambdaCoreJar() throws URISyntaxException {
        return Path.of(com.amazonaws.services.lambda.runtime.Context.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
    }
}
