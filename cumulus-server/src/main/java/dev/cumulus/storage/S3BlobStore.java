package dev.cumulus.storage;

import dev.cumulus.auth.SigV4;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Element;

/**
 * Blobs as objects of a bucket in any S3-compatible service (AWS S3, MinIO, Ceph RGW, ...), for
 * nodes that share their storage (cluster mode, ADR 0031): {@code <prefix><id>} in the bucket.
 * Requests are path-style and signed with the node's own SigV4 code (no SDK on the server's
 * class path). Bytes stream: a blob of at most {@link #PART_BYTES} is one PutObject, a larger one a
 * multipart upload whose parts are sent as they fill, so a write holds one part in memory,
 * whatever the blob's size; reads stream the response body. A blob is visible whole or not at
 * all, as on the file store: S3 shows an object only once its PUT or CompleteMultipartUpload
 * succeeds, and a failed or refused write aborts its upload.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    /** The part size of multipart writes, and so the memory one write holds (S3's minimum is 5 MiB). */
    static final int PART_BYTES = 8 * 1024 * 1024;
    /**
     * How old an unreferenced blob must be before a node's start sweeps it: longer than any write
     * takes from its blob to its metadata's commit, on whichever node shares the bucket.
     */
    public static final Duration SWEEP_GRACE = Duration.ofHours(24);
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final HexFormat HEX = HexFormat.of();

    private final Settings settings;
    private final HttpClient http;
    private final Clock clock;
    private final Duration sweepGrace;

    private S3BlobStore(Settings settings, Clock clock, Duration sweepGrace) {
        this.settings = settings;
        this.clock = clock;
        this.sweepGrace = sweepGrace;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Connects to the bucket and checks it answers with these credentials: a node whose blob store
     * is unreachable does not start (no fallback to local files).
     *
     * @param sweepGrace {@link #sweep} deletes only blobs older than this: other nodes sharing the
     *     bucket may have written a blob whose metadata they have not committed yet
     */
    public static S3BlobStore open(Settings settings, Clock clock, Duration sweepGrace) throws IOException {
        S3BlobStore store = new S3BlobStore(settings, clock, sweepGrace);
        HttpResponse<byte[]> head = store.send(store.request("HEAD", "", null), null,
                HttpResponse.BodyHandlers.ofByteArray());
        if (head.statusCode() != 200) {
            throw new IOException("the blob store " + settings + " answered HeadBucket with " + head.statusCode()
                    + (head.statusCode() == 404 ? " (no such bucket: create it first)"
                    : head.statusCode() == 403 ? " (the credentials are refused)" : ""));
        }
        return store;
    }

    @Override
    public Written write(InputStream in, byte[] expectedMd5, long maxBytes) throws IOException {
        MessageDigest md5 = FileBlobStore.md5();
        String id = newId();
        byte[] buffer = new byte[PART_BYTES];
        int n = fill(in, buffer);
        long size = n;
        if (size > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
        md5.update(buffer, 0, n);
        if (n < PART_BYTES) {
            // the whole blob is in the buffer: one PutObject, nothing sent when the digest is wrong
            byte[] digest = md5.digest();
            requireDigest(expectedMd5, digest);
            expect(send(request("PUT", key(id), null).header("content-md5", base64(digest)), slice(buffer, n),
                    HttpResponse.BodyHandlers.ofByteArray()), "PutObject");
            return new Written(id, size, digest);
        }
        String uploadId = createUpload(id);
        try {
            List<String> etags = new ArrayList<>();
            etags.add(uploadPart(id, uploadId, 1, buffer, n));
            while ((n = fill(in, buffer)) > 0) {
                size += n;
                if (size > maxBytes) {
                    throw new TooLargeException(maxBytes);
                }
                md5.update(buffer, 0, n);
                etags.add(uploadPart(id, uploadId, etags.size() + 1, buffer, n));
            }
            byte[] digest = md5.digest();
            requireDigest(expectedMd5, digest);
            completeUpload(id, uploadId, etags);
            return new Written(id, size, digest);
        } catch (IOException | RuntimeException e) {
            abortUpload(id, uploadId, e);
            throw e;
        }
    }

    /**
     * Streams the parts through the node into a new blob. S3's UploadPartCopy would keep the bytes
     * in the service, but not every S3-compatible service serves it; this works on all of them.
     */
    @Override
    public Written concat(List<String> parts) throws IOException {
        Iterator<String> ids = parts.iterator();
        Enumeration<InputStream> streams = new Enumeration<>() {
            @Override
            public boolean hasMoreElements() {
                return ids.hasNext();
            }

            @Override
            public InputStream nextElement() {
                if (!ids.hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    return read(ids.next(), 0, Long.MAX_VALUE);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        try (InputStream joined = new SequenceInputStream(streams)) {
            return write(joined, null, Long.MAX_VALUE);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public InputStream read(String id, long offset, long length) throws IOException {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        HttpRequest.Builder get = request("GET", key(id), null);
        boolean ranged = offset > 0 || length != Long.MAX_VALUE;
        if (ranged) {
            long last = length == Long.MAX_VALUE ? Long.MAX_VALUE : offset + length - 1;
            get.header("range", "bytes=" + offset + "-" + (last == Long.MAX_VALUE ? "" : last));
        }
        HttpResponse<InputStream> response = send(get, null, HttpResponse.BodyHandlers.ofInputStream());
        int status = response.statusCode();
        if (status == 200 && offset == 0 || status == 206) {
            return response.body();
        }
        try (InputStream body = response.body()) {
            throw failure("GetObject", status, body.readNBytes(64 * 1024));
        }
    }

    @Override
    public void delete(String id) throws IOException {
        HttpResponse<byte[]> response = send(request("DELETE", key(id), null), null,
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 204 && response.statusCode() != 200 && response.statusCode() != 404) {
            throw failure("DeleteObject", response.statusCode(), response.body());
        }
    }

    /** Deletes unreferenced blobs older than the grace period (see {@link #open}). */
    @Override
    public int sweep(Predicate<String> referenced) throws IOException {
        Instant before = clock.instant().minus(sweepGrace);
        int deleted = 0;
        String token = null;
        do {
            String query = "list-type=2&prefix=" + settings.prefix
                    + (token == null ? "" : "&continuation-token=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8)
                    .replace("+", "%20"));
            HttpResponse<byte[]> response = send(request("GET", "", query), null, HttpResponse.BodyHandlers.ofByteArray());
            Element listing = Xml.parse(expect(response, "ListObjectsV2"));
            for (Element content : Xml.children(listing, "Contents")) {
                String key = Xml.text(content, "Key");
                String id = key == null ? "" : key.substring(Math.min(key.length(), settings.prefix.length()));
                String modified = Xml.text(content, "LastModified");
                if (ID.matcher(id).matches() && !referenced.test(id)
                        && (modified == null || Instant.parse(modified).isBefore(before))) {
                    delete(id);
                    deleted++;
                }
            }
            token = "true".equals(Xml.text(listing, "IsTruncated")) ? Xml.text(listing, "NextContinuationToken") : null;
        } while (token != null);
        return deleted;
    }

    /** Stops the HTTP client's threads once requests in flight have ended (the node's stop). */
    @Override
    public void close() {
        http.close();
    }

    // --- multipart ---

    private String createUpload(String id) throws IOException {
        Element created = Xml.parse(expect(send(request("POST", key(id), "uploads"), new byte[0],
                HttpResponse.BodyHandlers.ofByteArray()), "CreateMultipartUpload"));
        String uploadId = Xml.text(created, "UploadId");
        if (uploadId == null || uploadId.isEmpty()) {
            throw new IOException("the blob store's CreateMultipartUpload answered without an UploadId");
        }
        return uploadId;
    }

    private String uploadPart(String id, String uploadId, int number, byte[] buffer, int length) throws IOException {
        byte[] part = slice(buffer, length);
        HttpResponse<byte[]> response = send(request("PUT", key(id), "partNumber=" + number + "&uploadId=" + encode(uploadId))
                .header("content-md5", base64(FileBlobStore.md5().digest(part))), part,
                HttpResponse.BodyHandlers.ofByteArray());
        expect(response, "UploadPart");
        return response.headers().firstValue("etag")
                .orElseThrow(() -> new IOException("the blob store's UploadPart answered without an ETag"));
    }

    private void completeUpload(String id, String uploadId, List<String> etags) throws IOException {
        Xml.Writer xml = new Xml.Writer("CompleteMultipartUpload");
        for (int i = 0; i < etags.size(); i++) {
            xml.start("Part").element("PartNumber", i + 1).element("ETag", etags.get(i)).end();
        }
        byte[] body = xml.bytes();
        byte[] answer = expect(send(request("POST", key(id), "uploadId=" + encode(uploadId)), body,
                HttpResponse.BodyHandlers.ofByteArray()), "CompleteMultipartUpload");
        // S3 may answer 200 and still fail: the error is then the body
        if (new String(answer, StandardCharsets.UTF_8).contains("<Error>")) {
            throw failure("CompleteMultipartUpload", 200, answer);
        }
    }

    private void abortUpload(String id, String uploadId, Exception cause) {
        try {
            send(request("DELETE", key(id), "uploadId=" + encode(uploadId)), null, HttpResponse.BodyHandlers.discarding());
        } catch (IOException | RuntimeException e) {
            // the write fails anyway; the bucket's lifecycle rule for incomplete uploads reclaims the parts
            cause.addSuppressed(e);
            LOG.warn("could not abort the blob store's multipart upload {} of blob {}: {}", uploadId, id, e.toString());
        }
    }

    // --- requests ---

    private String key(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a blob id: " + id);
        }
        return settings.prefix + id;
    }

    private HttpRequest.Builder request(String method, String key, String query) {
        String path = settings.endpoint.getRawPath().replaceAll("/+$", "") + "/" + settings.bucket
                + (key.isEmpty() ? "" : "/" + key);
        URI url = URI.create(settings.endpoint.getScheme() + "://" + settings.endpoint.getRawAuthority() + path
                + (query == null ? "" : "?" + query));
        return HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(2)).method(method, HttpRequest.BodyPublishers.noBody());
    }

    /** Signs and sends {@code builder} with {@code body} (null: none). */
    private <T> HttpResponse<T> send(HttpRequest.Builder builder, byte[] body, HttpResponse.BodyHandler<T> handler)
            throws IOException {
        HttpRequest unsigned = builder.build();
        URI url = unsigned.uri();
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("host", host(url));
        String payloadHash = body == null ? EMPTY_SHA256 : HEX.formatHex(SigV4.sha256(body));
        signed.put("x-amz-content-sha256", payloadHash);
        signed.put("x-amz-date", SigV4.amzDate(clock.instant()));
        if (settings.sessionToken != null) {
            signed.put("x-amz-security-token", settings.sessionToken);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(2))
                .method(unsigned.method(), body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        unsigned.headers().map().forEach((name, values) -> values.forEach(v -> request.header(name, v)));
        signed.forEach((name, value) -> {
            if (!name.equals("host")) {
                request.header(name, value);
            }
        });
        request.header("authorization", SigV4.authorization(unsigned.method(), url, signed, payloadHash,
                settings.accessKeyId, settings.secretAccessKey, settings.region, "s3"));
        try {
            return http.send(request.build(), handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted talking to the blob store");
        }
    }

    /** The Host header as the HTTP client sends it: the port only when it is not the scheme's. */
    private static String host(URI url) {
        int port = url.getPort();
        boolean standard = port == -1 || url.getScheme().equals("http") && port == 80
                || url.getScheme().equals("https") && port == 443;
        return standard ? url.getHost() : url.getHost() + ":" + port;
    }

    private byte[] expect(HttpResponse<byte[]> response, String operation) throws IOException {
        if (response.statusCode() / 100 != 2) {
            throw failure(operation, response.statusCode(), response.body());
        }
        return response.body();
    }

    private IOException failure(String operation, int status, byte[] body) {
        String code = "";
        if (body != null && body.length > 0) {
            try {
                code = " " + Xml.text(Xml.parse(body), "Code");
            } catch (RuntimeException notXml) {
                // the status says enough
            }
        }
        return new IOException("the blob store " + settings + " refused " + operation + ": " + status + code);
    }

    private static void requireDigest(byte[] expected, byte[] digest) throws DigestMismatchException {
        if (expected != null && !MessageDigest.isEqual(expected, digest)) {
            throw new DigestMismatchException("The Content-MD5 you specified did not match what we received.");
        }
    }

    /** Reads until {@code buffer} is full or the stream ends; how many bytes it holds. */
    private static int fill(InputStream in, byte[] buffer) throws IOException {
        int filled = 0;
        int n;
        while (filled < buffer.length && (n = in.read(buffer, filled, buffer.length - filled)) >= 0) {
            filled += n;
        }
        return filled;
    }

    private static byte[] slice(byte[] buffer, int length) {
        return length == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, length);
    }

    private static String base64(byte[] digest) {
        return Base64.getEncoder().encodeToString(digest);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /**
     * Where the blobs go: {@code s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION}, with credentials
     * from the environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, optionally
     * {@code AWS_SESSION_TOKEN}). The endpoint defaults to AWS's regional one; an explicit
     * {@code http://} endpoint is taken as given.
     */
    public static final class Settings {
        private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._/-]*");
        private final URI endpoint;
        private final String bucket;
        private final String prefix;
        private final String region;
        private final String accessKeyId;
        private final String secretAccessKey;
        private final String sessionToken;

        private Settings(URI endpoint, String bucket, String prefix, String region, Map<String, String> env) {
            this.endpoint = endpoint;
            this.bucket = bucket;
            this.prefix = prefix;
            this.region = region;
            this.accessKeyId = env.get("AWS_ACCESS_KEY_ID");
            this.secretAccessKey = env.get("AWS_SECRET_ACCESS_KEY");
            String token = env.get("AWS_SESSION_TOKEN");
            this.sessionToken = token == null || token.isBlank() ? null : token;
        }

        /** @throws IllegalArgumentException saying what is wrong with {@code spec} or the environment */
        public static Settings parse(String spec, Map<String, String> env) {
            URI uri;
            try {
                uri = new URI(spec);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("not a URI: " + spec);
            }
            if (!"s3".equals(uri.getScheme()) || uri.getRawAuthority() == null) {
                throw new IllegalArgumentException("the blob store is s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION,"
                        + " not " + spec);
            }
            String bucket = uri.getRawAuthority();
            try {
                Storage.requireBucketName(bucket);
            } catch (dev.cumulus.errors.ApiException e) {
                throw new IllegalArgumentException("'" + bucket + "' is not a valid bucket name");
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/+", "");
            if (!PREFIX.matcher(path).matches()) {
                throw new IllegalArgumentException("the prefix may hold letters, digits, '.', '_', '-' and '/' only");
            }
            String prefix = path.isEmpty() || path.endsWith("/") ? path : path + "/";
            String region = "us-east-1";
            String endpoint = null;
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    String name = eq < 0 ? pair : pair.substring(0, eq);
                    String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    switch (name) {
                        case "endpoint" -> endpoint = value;
                        case "region" -> region = value;
                        default -> throw new IllegalArgumentException("unknown blob store setting '" + name
                                + "' (endpoint, region)");
                    }
                }
            }
            if (!region.matches("[a-z0-9-]{1,32}")) {
                throw new IllegalArgumentException("region must be a region name like eu-west-1, not '" + region + "'");
            }
            URI endpointUri = URI.create(endpoint == null ? "https://s3." + region + ".amazonaws.com" : endpoint);
            if (!"https".equals(endpointUri.getScheme()) && !"http".equals(endpointUri.getScheme())
                    || endpointUri.getHost() == null || endpointUri.getRawQuery() != null) {
                throw new IllegalArgumentException("endpoint must be an http(s)://HOST[:PORT][/PATH] URL, not " + endpoint);
            }
            Settings settings = new Settings(endpointUri, bucket, prefix, region, env);
            if (settings.accessKeyId == null || settings.accessKeyId.isBlank() || settings.secretAccessKey == null
                    || settings.secretAccessKey.isBlank()) {
                throw new IllegalArgumentException("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment:"
                        + " the credentials of the blob store's bucket");
            }
            return settings;
        }

        /** Where, without the credentials. */
        @Override
        public String toString() {
            return "s3://" + bucket + "/" + prefix + " at " + endpoint;
        }
    }
}
