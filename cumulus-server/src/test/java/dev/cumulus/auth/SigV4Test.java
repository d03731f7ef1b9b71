package dev.cumulus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.store.TestDatabase;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The verifier against the AWS SDK's own signer: whatever the SDK signs with a key verifies,
 * and any change to what was signed, or a wrong key, date or scope, is refused with AWS's error
 * type. Plus AWS's published "get-vanilla" test vector.
 */
class SigV4Test {
    static final Instant NOW = Instant.parse("2026-11-27T04:00:00Z");

    @TempDir
    Path dir;

    TestDatabase test;
    AccessKeys keys;
    AccessKeys.Created key;
    SigV4 verifier;

    @BeforeEach
    void open() throws Exception {
        test = TestDatabase.create(TestDatabase.Backend.SQLITE, dir.resolve("data"));
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        keys = AccessKeys.open(test.db(), Files.createDirectories(dir.resolve("node")), clock);
        key = keys.create("test");
        verifier = new SigV4(keys, "lambda", clock);
    }

    @AfterEach
    void close() {
        test.close();
    }

    @Test
    void matchesAwsPublishedTestVector() {
        // aws-sig-v4-test-suite "get-vanilla"
        SigV4.Request request = new SigV4.Request("GET", "/", "", headers(Map.of(
                "host", "example.amazonaws.com", "x-amz-date", "20150830T123600Z")));
        String canonical = SigV4.canonicalRequest(request, List.of("host", "x-amz-date"),
                HexFormat.of().formatHex(SigV4.sha256(new byte[0])));
        assertThat(SigV4.signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z",
                "20150830/us-east-1/service/aws4_request", canonical))
                .isEqualTo("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    @Test
    void acceptsWhatTheSdkSignsWithEncodedPathsQueriesAndBodies() throws Exception {
        List<Signed> requests = List.of(
                sign(SdkHttpMethod.GET, "/2015-03-31/functions/", Map.of(), Map.of(), ""),
                sign(SdkHttpMethod.GET, "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A000000000000%3Afunction%3Af/configuration",
                        Map.of("Qualifier", "live", "Marker", "a b+c/=&é~"), Map.of(), ""),
                sign(SdkHttpMethod.POST, "/2015-03-31/functions/f/invocations", Map.of(),
                        Map.of("X-Amz-Invocation-Type", "Event", "Content-Type", "application/json",
                                "X-Amz-Client-Context", "  spaced    value  "), "{\"name\":\"Ada\"}"),
                sign(SdkHttpMethod.PUT, "/2015-03-31/functions/f/code", Map.of(), Map.of(),
                        "{\"ZipFile\":\"UEsDBAoAAAAAA==\"}"));
        for (Signed signed : requests) {
            assertThat(SigV4.verify(verifier.check(signed.request()), signed.body())).isEqualTo(key.key().accessKeyId());
        }
    }

    @Test
    void headersTheClientDidNotSignMayChange() throws Exception {
        Signed signed = sign(SdkHttpMethod.POST, "/2015-03-31/functions/f/invocations", Map.of(), Map.of(), "{}");
        Signed changed = signed.withHeaders(h -> {
            h.put("user-agent", List.of("something else"));
            return h;
        });

        assertThat(SigV4.verify(verifier.check(changed.request()), changed.body())).isEqualTo(key.key().accessKeyId());
    }

    @Test
    void refusesAnyChangeToWhatWasSigned() throws Exception {
        Signed signed = sign(SdkHttpMethod.POST, "/2015-03-31/functions/f/invocations", Map.of("Qualifier", "1"),
                Map.of("X-Amz-Invocation-Type", "Event"), "{\"a\":1}");

        assertInvalid(signed.withBody("{\"a\":2}"), "InvalidSignatureException", "does not match");
        assertInvalid(signed.withPath("/2015-03-31/functions/g/invocations"), "InvalidSignatureException", "does not match");
        assertInvalid(signed.withQuery("Qualifier=2"), "InvalidSignatureException", "does not match");
        assertInvalid(signed.withMethod("PUT"), "InvalidSignatureException", "does not match");
        assertInvalid(signed.withHeaders(h -> {
            h.put("x-amz-invocation-type", List.of("RequestResponse"));
            return h;
        }), "InvalidSignatureException", "does not match");
        assertInvalid(signed.withHeaders(h -> {
            h.put("x-amz-content-sha256", List.of(HexFormat.of().formatHex(SigV4.sha256("other".getBytes()))));
            return h;
        }), "InvalidSignatureException", "x-amz-content-sha256");
    }

    @Test
    void refusesAWrongSecretAnUnknownKeyAndASessionToken() throws Exception {
        Signed wrongSecret = sign(key.key().accessKeyId(), "not-the-secret", "lambda", NOW);
        assertInvalid(wrongSecret, "InvalidSignatureException", "does not match");

        Signed unknown = sign("AKCMUNKNOWNKEY000000", key.secretAccessKey(), "lambda", NOW);
        assertInvalid(unknown, "UnrecognizedClientException", "security token");

        Signed withToken = sign(key.key().accessKeyId(), key.secretAccessKey(), "lambda", NOW).withHeaders(h -> {
            h.put("x-amz-security-token", List.of("session"));
            return h;
        });
        assertInvalid(withToken, "UnrecognizedClientException", "security token");

        keys.delete(key.key().accessKeyId());
        assertInvalid(sign(key.key().accessKeyId(), key.secretAccessKey(), "lambda", NOW), "UnrecognizedClientException", null);
    }

    @ParameterizedTest
    @ValueSource(ints = {-16, 16, -600})
    void refusesDatesMoreThanFifteenMinutesAway(int minutes) throws Exception {
        Signed signed = sign(key.key().accessKeyId(), key.secretAccessKey(), "lambda", NOW.plus(Duration.ofMinutes(minutes)));

        assertInvalid(signed, "InvalidSignatureException", minutes < 0 ? "Signature expired" : "not yet current");
    }

    @ParameterizedTest
    @ValueSource(ints = {-14, 14})
    void acceptsDatesWithinFifteenMinutes(int minutes) throws Exception {
        Signed signed = sign(key.key().accessKeyId(), key.secretAccessKey(), "lambda", NOW.plus(Duration.ofMinutes(minutes)));

        assertThat(SigV4.verify(verifier.check(signed.request()), signed.body())).isEqualTo(key.key().accessKeyId());
    }

    @Test
    void refusesAnotherServicesScope() throws Exception {
        assertInvalid(sign(key.key().accessKeyId(), key.secretAccessKey(), "s3", NOW), "InvalidSignatureException",
                "scoped to correct service");
    }

    @Test
    void refusesMissingAndMalformedAuthorization() throws Exception {
        Signed signed = sign(SdkHttpMethod.GET, "/2015-03-31/functions/", Map.of(), Map.of(), "");

        assertInvalid(signed.withHeaders(h -> {
            h.remove("authorization");
            return h;
        }), "MissingAuthenticationTokenException", "Missing Authentication Token");
        assertInvalid(signed.withHeaders(h -> {
            h.put("authorization", List.of("Bearer cmls_x"));
            return h;
        }), "IncompleteSignatureException", null);
        assertInvalid(signed.withHeaders(h -> {
            h.remove("x-amz-date");
            return h;
        }), "IncompleteSignatureException", "X-Amz-Date");
    }

    // ---- helpers

    private static java.util.function.Function<String, List<String>> headers(Map<String, String> single) {
        return name -> single.containsKey(name) ? List.of(single.get(name)) : List.of();
    }

    record Signed(SigV4.Request request, byte[] body) {
        Signed withBody(String body) {
            return new Signed(request, body.getBytes(StandardCharsets.UTF_8));
        }

        Signed withPath(String path) {
            return new Signed(new SigV4.Request(request.method(), path, request.rawQuery(), request.headers()), body);
        }

        Signed withQuery(String query) {
            return new Signed(new SigV4.Request(request.method(), request.rawPath(), query, request.headers()), body);
        }

        Signed withMethod(String method) {
            return new Signed(new SigV4.Request(method, request.rawPath(), request.rawQuery(), request.headers()), body);
        }

        Signed withHeaders(UnaryOperator<Map<String, List<String>>> change) {
            Map<String, List<String>> all = new LinkedHashMap<>();
            for (String name : List.of("authorization", "host", "x-amz-date", "x-amz-invocation-type", "content-type",
                    "x-amz-client-context", "x-amz-content-sha256", "user-agent", "x-amz-security-token")) {
                if (!request.headers().apply(name).isEmpty()) {
                    all.put(name, request.headers().apply(name));
                }
            }
            Map<String, List<String>> changed = change.apply(all);
            return new Signed(new SigV4.Request(request.method(), request.rawPath(), request.rawQuery(),
                    name -> changed.getOrDefault(name, List.of())), body);
        }
    }

    private Signed sign(String accessKeyId, String secret, String service, Instant at) {
        return sign(accessKeyId, secret, service, at, SdkHttpMethod.GET, "/2015-03-31/functions/", Map.of(), Map.of(), "");
    }

    private Signed sign(SdkHttpMethod method, String path, Map<String, String> query, Map<String, String> headers,
            String body) {
        return sign(key.key().accessKeyId(), key.secretAccessKey(), "lambda", NOW, method, path, query, headers, body);
    }

    /** Signs with the SDK's signer and hands over the request as the node would receive it. */
    private static Signed sign(String accessKeyId, String secret, String service, Instant at, SdkHttpMethod method,
            String path, Map<String, String> query, Map<String, String> headers, String body) {
        SdkHttpRequest.Builder builder = SdkHttpRequest.builder().method(method)
                .uri(URI.create("http://127.0.0.1:8080")).encodedPath(path);
        query.forEach(builder::putRawQueryParameter);
        headers.forEach(builder::putHeader);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create(accessKeyId, secret))
                .request(builder.build())
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
        Map<String, List<String>> received = new LinkedHashMap<>();
        signed.headers().forEach((name, values) -> received.put(name.toLowerCase(Locale.ROOT), new ArrayList<>(values)));
        // an HTTP client sends Host from the URI when the signer did not set it as a header
        received.putIfAbsent("host", List.of("127.0.0.1:8080"));
        String rawQuery = signed.getUri().getRawQuery();
        return new Signed(new SigV4.Request(method.name(), signed.encodedPath(), rawQuery,
                name -> received.getOrDefault(name, List.of())), bytes);
    }

    private void assertInvalid(Signed signed, String type, String messagePart) {
        assertThatThrownBy(() -> SigV4.verify(verifier.check(signed.request()), signed.body()))
                .isInstanceOfSatisfying(SigV4.SignatureException.class, e -> {
                    assertThat(e.type()).isEqualTo(type);
                    if (messagePart != null) {
                        assertThat(e.getMessage()).contains(messagePart);
                    }
                });
    }
}
