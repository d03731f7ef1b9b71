package dev.cumulus.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** A real node on a free port with a fresh data dir, and a small HTTP client for its API. */
final class TestNode implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path TEST_FUNCTIONS = Path.of(System.getProperty("cumulus.testfn.jar"));
    /** One runtime AOT cache for every test node: trained once per build, not once per test class. */
    static final Path SHARED_AOT_DIR = Path.of("target", "test-aot").toAbsolutePath();

    final Path dataDir;
    final Platform platform;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String codeSha;

    TestNode(Path dataDir, UnaryOperator<PlatformConfig> tweak) throws IOException {
        this(dataDir, tweak, null);
    }

    /** A node whose APIs authorise through the guard {@code guards} makes. */
    TestNode(Path dataDir, UnaryOperator<PlatformConfig> tweak, Platform.Guards guards) throws IOException {
        this.dataDir = dataDir;
        this.platform = Platform.start(tweak.apply(
                PlatformConfig.defaults().withPort(0).withDataDir(dataDir).withAotDir(SHARED_AOT_DIR)), guards);
    }

    URI url(String path) {
        return platform.url().resolve(path);
    }

    HttpResponse<String> send(String method, String path, String body, String token) {
        return send(method, path, body, token, null);
    }

    /** As a principal's bearer {@code token} (none when null), naming {@code project} in the CLI's header (when not null). */
    HttpResponse<String> send(String method, String path, String body, String token, String project) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (project != null) {
            request.header("X-Cumulus-Project", project);
        }
        return exchange(request.build());
    }

    HttpResponse<String> send(String method, String path, String body) {
        return send(method, path, body, platform.rootToken());
    }

    HttpResponse<String> uploadBytes(byte[] bytes) {
        return exchange(HttpRequest.newBuilder(url("/v1/code"))
                .header("Authorization", "Bearer " + platform.rootToken())
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
    }

    /** Uploads the test functions jar once and returns its sha256. */
    synchronized String testFunctionsCode() {
        if (codeSha == null) {
            codeSha = upload(TEST_FUNCTIONS);
        }
        return codeSha;
    }

    /** Uploads a code package (a jar or zip) and returns its sha256. */
    String upload(Path codePackage) {
        try {
            HttpResponse<String> response = uploadBytes(Files.readAllBytes(codePackage));
            if (response.statusCode() != 201) {
                throw new IllegalStateException("upload failed: " + response.body());
            }
            return json(response).get("sha256").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deploys a handler of the test functions jar under {@code name} with extra settings. */
    JsonNode deploy(String name, String handler, Map<String, Object> settings) {
        return deploy(name, handler, settings, testFunctionsCode());
    }

    /** Deploys a handler of already uploaded code under {@code name} with extra settings. */
    JsonNode deploy(String name, String handler, Map<String, Object> settings, String codeSha256) {
        Map<String, Object> body = new java.util.HashMap<>(settings);
        body.put("handler", handler);
        body.put("codeSha256", codeSha256);
        HttpResponse<String> response = send("PUT", "/v1/functions/" + name, write(body));
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("deploy failed: " + response.statusCode() + " " + response.body());
        }
        return json(response);
    }

    HttpResponse<String> invoke(String name, Object event) {
        return send("POST", "/v1/functions/" + name + "/invoke", write(event));
    }

    HttpResponse<String> exchange(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The host processes of a function's live instances, as the node reports them, with every
     * descendant (bwrap's own children and the JVM): what must be gone once the instances are.
     */
    List<ProcessHandle> processTree(String functionName) {
        List<ProcessHandle> all = new java.util.ArrayList<>();
        for (long pid : instancePids(functionName)) {
            ProcessHandle.of(pid).ifPresent(root -> {
                all.add(root);
                root.descendants().forEach(all::add);
            });
        }
        return all;
    }

    /** The pids of the function's instances, as the instances API gives them (the roots of {@link #processTree}). */
    List<Long> instancePids(String functionName) {
        List<Long> pids = new java.util.ArrayList<>();
        for (JsonNode instance : json(send("GET", "/v1/functions/" + functionName + "/instances", null)).get("instances")) {
            pids.add(instance.get("pid").asLong());
        }
        return pids;
    }

    /**
     * Live instance processes of a function on this host, found by the environment Cumulus gave
     * them at exec: that finds instances started from nothing, not specialised stem cells (their
     * exec-time environment is the cell's), so tests using it turn stem cells off.
     */
    static List<Long> runtimeProcesses(String functionName) {
        byte[] marker = ("AWS_LAMBDA_FUNCTION_NAME=" + functionName + "\0").getBytes(StandardCharsets.UTF_8);
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains("dev.cumulus.runtime.Main"))
                        .orElse(false))
                .filter(p -> {
                    try {
                        byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "environ"));
                        return indexOf(env, marker) >= 0;
                    } catch (IOException gone) {
                        return false;
                    }
                })
                .map(ProcessHandle::pid)
                .toList();
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }

    /**
     * The AWS SDK's Lambda client, unchanged, signed with a new access key of this node
     * ({@code POST /v1/keys}) and never retrying, so every answer is the node's own.
     */
    LambdaClient lambdaClient() {
        JsonNode key = json(send("POST", "/v1/keys", "{}"));
        var credentials = AwsBasicCredentials.create(key.get("accessKeyId").asText(), key.get("secretAccessKey").asText());
        return LambdaClient.builder()
                .endpointOverride(url("/"))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(credentials))
                .overrideConfiguration(o -> o.retryStrategy(DefaultRetryStrategy.doNotRetry()))
                .build();
    }

    @Override
    public void close() {
        platform.close();
    }
}
