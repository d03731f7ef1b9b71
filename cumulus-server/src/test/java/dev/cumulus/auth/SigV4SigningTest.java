package dev.cumulus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The node signs its own requests to an S3-compatible service (the S3 BlobStore) exactly as the
 * AWS SDK's signer does: same {@code Authorization} header for the requests the store sends
 * (the test S3 server does not recompute signatures, so this is what holds the signing to AWS's).
 */
class SigV4SigningTest {
    static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HEAD|http://127.0.0.1:4568/cumulus-blobs||",
            "PUT|http://127.0.0.1:4568/cumulus-blobs/node-a/blobs/0123456789abcdef0123456789abcdef||some bytes",
            "GET|http://127.0.0.1:4568/cumulus-blobs|list-type=2&prefix=node-a/blobs/&continuation-token=a%2Bb%3D%3D|",
            "POST|https://s3.eu-west-1.amazonaws.com/cumulus-blobs/x/0123456789abcdef0123456789abcdef|uploads|",
            "PUT|http://minio:9000/base/cumulus-blobs/0123456789abcdef0123456789abcdef|partNumber=2&uploadId=Xy%2F%2B_1|part",
    })
    void signsAsTheAwsSdkDoes(String method, String url, String query, String body) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        URI uri = URI.create(url + (query == null ? "" : "?" + query));
        String payloadHash = HexFormat.of().formatHex(SigV4.sha256(bytes));
        String host = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();

        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method))
                .uri(URI.create(url)).putHeader("Host", host).putHeader("x-amz-content-sha256", payloadHash);
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                request.appendRawQueryParameter(java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq),
                        StandardCharsets.UTF_8), eq < 0 ? null
                        : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        SdkHttpRequest sdk = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(NOW, ZoneOffset.UTC))).request();

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("host", host);
        headers.put("x-amz-content-sha256", payloadHash);
        headers.put("x-amz-date", SigV4.amzDate(NOW));
        String ours = SigV4.authorization(method, uri, headers, payloadHash, "AKIDEXAMPLE",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-west-1", "s3");
        assertThat(ours).isEqualTo(sdk.firstMatchingHeader("Authorization").orElseThrow());
    }
}
