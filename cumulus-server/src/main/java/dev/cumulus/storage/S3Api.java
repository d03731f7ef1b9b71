package dev.cumulus.storage;

import dev.cumulus.auth.SigV4;
import dev.cumulus.errors.ApiException;
import dev.cumulus.iam.Crn;
import dev.cumulus.iam.Guard;
import dev.cumulus.iam.Principal;
import dev.cumulus.storage.StorageStore.Bucket;
import dev.cumulus.storage.StorageStore.Part;
import dev.cumulus.storage.StorageStore.StoredObject;
import dev.cumulus.storage.StorageStore.Upload;
import dev.cumulus.web.Api;
import dev.cumulus.web.Call;
import dev.cumulus.web.Exchange;
import dev.cumulus.web.Route;
import dev.cumulus.web.Router;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.w3c.dom.Element;

/**
 * The S3-compatible API, path-style under {@code /s3} ({@code /s3/<bucket>/<key>}), signed with
 * SigV4 by the node's access keys (service {@code s3}): headers, {@code UNSIGNED-PAYLOAD}, signed
 * or unsigned {@code aws-chunked} streams, or a presigned URL's query. The key's project is the
 * request's project; every route is an IAM action on {@code crn:cumulus:storage:<project>:<bucket>[/<key>]}.
 * Errors are S3's XML ({@link S3Errors}).
 */
public final class S3Api {
    public static final String PREFIX = "/s3";
    static final String OBJECT_SIZE = "cumulus.s3.objectSize";
    private static final String CHECKED = "cumulus.s3.checked";
    /**
     * The request attribute under which the relay on an instance's socket hands over that
     * instance's session credentials and the principal they stand for (ADR 0039). Attributes are
     * set by the node's own code only: over the network, session credentials are unknown keys.
     */
    public static final String INSTANCE_SESSION = S3Api.class.getName() + ".instanceSession";

    /**
     * An instance's session credentials, the principal (its function's role) they act as, and the
     * invocations it runs, whose storage-trigger chains its writes continue.
     */
    public record InstanceSession(dev.cumulus.auth.SessionCredentials credentials, Principal principal,
            java.util.Set<String> running) {}
    private static final String UNSIGNED = "UNSIGNED-PAYLOAD";
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();
    private static final String OWNER_ID = "cumulus";

    private final Storage storage;
    private final SigV4 signatures;
    private final Guard guard;

    public S3Api(Storage storage, SigV4 signatures, Guard guard) {
        this.storage = storage;
        this.signatures = signatures;
        this.guard = guard;
    }

    /** The API as the edge serves it: everything under {@code /s3}, in S3's error dialect. */
    public Api.Builder api() {
        return Api.builder("s3")
                .prefixes(List.of(PREFIX))
                .router(Router.of(routes()))
                .dialect(new S3Errors())
                .guard(guard)
                .authenticator(this::authenticate);
    }

    List<Route> routes() {
        String b = PREFIX + "/{bucket}";
        String o = PREFIX + "/{bucket}/{key+}";
        String bucketRes = "{bucket}";
        String objectRes = "{bucket}/{key}";
        List<Route> routes = new ArrayList<>();
        routes.add(Route.get(PREFIX).authorize("storage:ListBuckets", "storage", "*").handle(this::listBuckets));
        routes.add(Route.put(b).authorize("storage:CreateBucket", "storage", bucketRes).handle(this::createBucket));
        routes.add(Route.of("HEAD", b).authorize("storage:ListBucket", "storage", bucketRes).handle(this::headBucket));
        routes.add(Route.get(b).authorize("storage:ListBucket", "storage", bucketRes).handle(this::listObjects));
        routes.add(Route.get(b).whenQuery("location").authorize("storage:ListBucket", "storage", bucketRes)
                .handle(this::location));
        routes.add(Route.delete(b).authorize("storage:DeleteBucket", "storage", bucketRes).handle(this::deleteBucket));
        routes.add(Route.put(b).whenQuery("cors").authorize("storage:PutBucketCors", "storage", bucketRes)
                .handle(this::putCors));
        routes.add(Route.get(b).whenQuery("cors").authorize("storage:GetBucketCors", "storage", bucketRes)
                .handle(this::getCors));
        routes.add(Route.delete(b).whenQuery("cors").authorize("storage:PutBucketCors", "storage", bucketRes)
                .handle(this::deleteCors));
        routes.add(Route.put(b).whenQuery("notification").authorize("storage:PutBucketNotification", "storage",
                bucketRes).handle(this::putNotification));
        routes.add(Route.get(b).whenQuery("notification").authorize("storage:GetBucketNotification", "storage",
                bucketRes).handle(this::getNotification));
        routes.add(Route.post(b).whenQuery("delete").authorize("storage:DeleteObject", "storage", "{bucket}/*")
                .handle(this::deleteObjects));
        routes.add(Route.of("OPTIONS", b).authorize("storage:GetBucketCors", "storage", bucketRes).publicAccess()
                .handle(this::preflight));
        routes.add(Route.put(o).authorize("storage:PutObject", "storage", objectRes).handle(this::putObject));
        routes.add(Route.put(o).whenQuery("uploadId").authorize("storage:PutObject", "storage", objectRes)
                .handle(this::uploadPart));
        routes.add(Route.get(o).authorize("storage:GetObject", "storage", objectRes).handle(this::getObject));
        routes.add(Route.of("HEAD", o).authorize("storage:GetObject", "storage", objectRes).handle(this::getObject));
        routes.add(Route.delete(o).authorize("storage:DeleteObject", "storage", objectRes).handle(this::deleteObject));
        routes.add(Route.post(o).whenQuery("uploads").authorize("storage:PutObject", "storage", objectRes)
                .handle(this::createUpload));
        routes.add(Route.post(o).whenQuery("uploadId").authorize("storage:PutObject", "storage", objectRes)
                .handle(this::completeUpload));
        routes.add(Route.delete(o).whenQuery("uploadId").authorize("storage:AbortMultipartUpload", "storage",
                objectRes).handle(this::abortUpload));
        routes.add(Route.get(o).whenQuery("uploadId").authorize("storage:ListMultipartUploadParts", "storage",
                objectRes).handle(this::listParts));
        // presigned URLs carry their proof in the query: public routes that check it themselves
        routes.add(Route.get(o).whenQuery("X-Amz-Signature").authorize("storage:GetObject", "storage", objectRes)
                .publicAccess().handle(this::presigned));
        routes.add(Route.put(o).whenQuery("X-Amz-Signature").authorize("storage:PutObject", "storage", objectRes)
                .publicAccess().handle(this::presigned));
        routes.add(Route.of("OPTIONS", o).authorize("storage:GetBucketCors", "storage", bucketRes).publicAccess()
                .handle(this::preflight));
        return routes;
    }

    // --- authentication ---

    private Principal authenticate(Call call) throws Exception {
        Request request = call.request();
        SigV4.Request signed = new SigV4.Request(request.getMethod(), request.getHttpURI().getPath(),
                request.getHttpURI().getQuery(), name -> request.getHeaders().getValuesList(name));
        InstanceSession session = request.getAttribute(INSTANCE_SESSION) instanceof InstanceSession s ? s : null;
        SigV4.Checked checked;
        try {
            if (call.query("X-Amz-Signature") != null) {
                checked = signatures.checkPresigned(signed, call::query);
                SigV4.verify(checked, UNSIGNED);
            } else {
                if (call.header("Authorization") == null) {
                    throw new ApiException(403, "AccessDenied", "Access Denied: the request is neither signed nor"
                            + " presigned");
                }
                checked = signatures.check(signed, session == null ? null : session.credentials());
                String content = call.header("x-amz-content-sha256");
                if (content == null) {
                    throw new ApiException(400, "InvalidRequest",
                            "Missing required header for this request: x-amz-content-sha256");
                }
                if (!content.equals(UNSIGNED) && !content.startsWith("STREAMING-") && !content.matches("[0-9a-fA-F]{64}")) {
                    throw new ApiException(400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD,"
                            + " STREAMING-AWS4-HMAC-SHA256-PAYLOAD or the body's SHA-256");
                }
                // the body's own hash is checked as it streams (see body); here the headers' signature
                SigV4.verify(checked, content);
            }
        } catch (SigV4.SignatureException e) {
            throw new ApiException(403, s3Code(e), e.getMessage());
        }
        request.setAttribute(CHECKED, checked);
        if (session != null && checked.accessKeyId().equals(session.credentials().accessKeyId())) {
            return session.principal(); // SigV4.check took this key only with its session token
        }
        return guard.accessKey(checked.accessKeyId(), call.facts()).orElseThrow(() -> new ApiException(403,
                "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."));
    }

    private static String s3Code(SigV4.SignatureException e) {
        return switch (e.type()) {
            case "InvalidSignatureException" -> e.getMessage().startsWith("Signature") && e.getMessage().contains("expired")
                    || e.getMessage().contains("not yet current") ? "RequestTimeTooSkewed" : "SignatureDoesNotMatch";
            case "UnrecognizedClientException" -> "InvalidAccessKeyId";
            case "MissingAuthenticationTokenException", "IncompleteSignatureException" -> "AuthorizationHeaderMalformed";
            default -> e.type();
        };
    }

    /** The request body as the object's bytes: chunks decoded and verified, a declared SHA-256 checked at the end. */
    private InputStream body(Call call) throws IOException {
        Request request = call.request();
        // an aws-chunked body is a little larger than the object it carries
        InputStream raw = Exchange.body(request, Storage.MAX_PUT_BYTES + Storage.MAX_PUT_BYTES / 64);
        SigV4.Checked checked = (SigV4.Checked) request.getAttribute(CHECKED);
        String content = checked == null || checked.presigned() ? UNSIGNED : call.header("x-amz-content-sha256");
        InputStream object;
        if (content.startsWith("STREAMING-")) {
            boolean signedChunks = content.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
            object = new AwsChunkedInputStream(new BufferedInputStream(raw, 64 * 1024), signedChunks ? checked : null,
                    call.header("x-amz-trailer"), content.endsWith("-TRAILER"));
        } else if (content.equals(UNSIGNED)) {
            object = raw;
        } else {
            object = new Sha256Checked(raw, content.toLowerCase(Locale.ROOT));
        }
        return headerChecksum(call, object);
    }

    /** The checksum headers S3 defines; CRC64NVME is named only to be refused, never left unchecked. */
    private static final List<String> CHECKSUM_HEADERS = List.of("x-amz-checksum-crc32", "x-amz-checksum-crc32c",
            "x-amz-checksum-sha1", "x-amz-checksum-sha256", "x-amz-checksum-crc64nvme");

    /**
     * A checksum sent as a plain header ({@code x-amz-checksum-crc32: <base64>}, as the SDKs do
     * for a body they know whole) is computed over the object's bytes and compared at their end:
     * a mismatch is {@code BadDigest} and nothing is stored. One such header at most; one the node
     * cannot compute is refused, as in a trailer.
     */
    private static InputStream headerChecksum(Call call, InputStream object) {
        String name = null;
        for (String candidate : CHECKSUM_HEADERS) {
            if (call.header(candidate) != null) {
                if (name != null) {
                    throw new ApiException(400, "InvalidRequest", "Expecting a single x-amz-checksum- header."
                            + " Multiple checksum Types are not allowed.");
                }
                name = candidate;
            }
        }
        if (name == null) {
            return object;
        }
        if (name.equals("x-amz-checksum-crc64nvme")) {
            throw new ApiException(400, "InvalidRequest", name + " is not served: send x-amz-checksum-crc32, -crc32c,"
                    + " -sha1 or -sha256");
        }
        String declared = call.header(name).strip();
        AwsChunkedInputStream.Checksum checksum = AwsChunkedInputStream.Checksum.named(name);
        String algorithm = name.substring("x-amz-checksum-".length()).toUpperCase(Locale.ROOT);
        return new FilterInputStream(object) {
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n > 0) {
                    checksum.update(b, off, n);
                } else if (n < 0 && !ended) {
                    ended = true;
                    if (!checksum.base64().equals(declared)) {
                        throw new ApiException(400, "BadDigest", "The " + algorithm + " you specified did not match"
                                + " the calculated checksum.");
                    }
                }
                return n;
            }
        };
    }

    /** Fails the read at the end when the bytes' SHA-256 is not what the signature covered. */
    private static final class Sha256Checked extends FilterInputStream {
        private final MessageDigest digest;
        private final String expected;
        private boolean ended;

        Sha256Checked(InputStream in, String expected) {
            super(in);
            this.expected = expected;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
            } else if (n < 0 && !ended) {
                ended = true; // checked once: a read after the end must not compare a fresh digest
                if (!HEX.formatHex(digest.digest()).equals(expected)) {
                    throw new ApiException(400, "XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what was computed.");
                }
            }
            return n;
        }
    }

    private void presigned(Call call) throws Exception {
        call.authorize(); // the query's signature, then the guard, as for a signed request
        if (call.method().equals("PUT")) {
            putObject(call);
        } else {
            getObject(call);
        }
    }

    // --- buckets ---

    private void listBuckets(Call call) throws IOException {
        Xml.Writer xml = new Xml.Writer("ListAllMyBucketsResult");
        xml.start("Owner").element("ID", OWNER_ID).element("DisplayName", call.project()).end();
        xml.start("Buckets");
        for (Bucket bucket : storage.buckets(call.project())) {
            xml.start("Bucket").element("Name", bucket.name()).element("CreationDate", ISO.format(bucket.createdAt())).end();
        }
        xml.end();
        ok(call, xml);
    }

    private void createBucket(Call call) throws IOException {
        storage.createBucket(call.project(), call.param("bucket"));
        call.response().getHeaders().put(HttpHeader.LOCATION, "/" + call.param("bucket"));
        empty(call, 200);
    }

    private void headBucket(Call call) throws IOException {
        storage.bucket(call.project(), call.param("bucket"));
        call.response().getHeaders().put("x-amz-bucket-region", "us-east-1");
        empty(call, 200);
    }

    private void location(Call call) throws IOException {
        storage.bucket(call.project(), call.param("bucket"));
        ok(call, new Xml.Writer("LocationConstraint"));
    }

    private void deleteBucket(Call call) throws IOException {
        storage.deleteBucket(call.project(), call.param("bucket"));
        empty(call, 204);
    }

    private void listObjects(Call call) throws IOException {
        String bucket = call.param("bucket");
        boolean v2 = "2".equals(call.query("list-type"));
        boolean url = "url".equals(call.query("encoding-type"));
        String prefix = Optional.ofNullable(call.query("prefix")).orElse("");
        String delimiter = call.query("delimiter");
        int maxKeys = 1000;
        if (call.query("max-keys") != null) {
            try {
                maxKeys = Math.max(0, Math.min(1000, Integer.parseInt(call.query("max-keys"))));
            } catch (NumberFormatException e) {
                throw new ApiException(400, "InvalidArgument", "max-keys must be an integer");
            }
        }
        String after;
        String token = call.query("continuation-token");
        if (v2) {
            if (token != null) {
                try {
                    after = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new ApiException(400, "InvalidArgument", "The continuation token provided is incorrect");
                }
            } else {
                after = call.query("start-after");
            }
        } else {
            String marker = call.query("marker");
            after = marker == null ? null : Storage.resumeAfter(marker, delimiter);
        }
        Storage.Listing listing = maxKeys == 0
                ? new Storage.Listing(List.of(), List.of(), false, null)
                : storage.list(call.project(), bucket, prefix, delimiter, after, maxKeys);
        Xml.Writer xml = new Xml.Writer("ListBucketResult");
        xml.element("Name", bucket).element("Prefix", encode(prefix, url));
        if (delimiter != null) {
            xml.element("Delimiter", encode(delimiter, url));
        }
        xml.element("MaxKeys", maxKeys);
        if (url) {
            xml.element("EncodingType", "url");
        }
        xml.element("IsTruncated", listing.truncated());
        if (v2) {
            xml.element("KeyCount", listing.objects().size() + listing.commonPrefixes().size());
            xml.element("ContinuationToken", token);
            xml.element("StartAfter", encode(call.query("start-after"), url));
            if (listing.truncated()) {
                xml.element("NextContinuationToken", Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(listing.next().getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            xml.element("Marker", Optional.ofNullable(call.query("marker")).orElse(""));
            if (listing.truncated() && delimiter != null) {
                String last = lastOf(listing);
                xml.element("NextMarker", encode(last, url));
            }
        }
        for (StoredObject o : listing.objects()) {
            xml.start("Contents").element("Key", encode(o.key(), url)).element("LastModified", ISO.format(o.createdAt()))
                    .element("ETag", quoted(o.etag())).element("Size", o.size()).element("StorageClass", "STANDARD");
            if (!v2) {
                xml.start("Owner").element("ID", OWNER_ID).element("DisplayName", call.project()).end();
            }
            xml.end();
        }
        for (String common : listing.commonPrefixes()) {
            xml.start("CommonPrefixes").element("Prefix", encode(common, url)).end();
        }
        ok(call, xml);
    }

    private static String lastOf(Storage.Listing listing) {
        String lastKey = listing.objects().isEmpty() ? null : listing.objects().getLast().key();
        String lastPrefix = listing.commonPrefixes().isEmpty() ? null : listing.commonPrefixes().getLast();
        if (lastKey == null) {
            return lastPrefix;
        }
        if (lastPrefix == null) {
            return lastKey;
        }
        return lastKey.compareTo(lastPrefix) > 0 ? lastKey : lastPrefix;
    }

    /** S3's {@code encoding-type=url}: form encoding, slashes kept. */
    private static String encode(String value, boolean url) {
        if (value == null || !url) {
            return value;
        }
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    private void putCors(Call call) throws IOException {
        Element root = Xml.parse(Exchange.readBody(call.request(), 64 * 1024));
        List<CorsRule> rules = new ArrayList<>();
        for (Element rule : Xml.children(root, "CORSRule")) {
            List<String> methods = Xml.texts(rule, "AllowedMethod");
            List<String> origins = Xml.texts(rule, "AllowedOrigin");
            if (methods.isEmpty() || origins.isEmpty()) {
                throw new ApiException(400, "MalformedXML", "a CORSRule needs AllowedMethod and AllowedOrigin");
            }
            for (String m : methods) {
                if (!List.of("GET", "PUT", "POST", "DELETE", "HEAD").contains(m)) {
                    throw new ApiException(400, "InvalidRequest", "Found unsupported HTTP method in CORS config."
                            + " Unsupported method is " + m);
                }
            }
            String maxAge = Xml.text(rule, "MaxAgeSeconds");
            rules.add(new CorsRule(origins, methods, Xml.texts(rule, "AllowedHeader"), Xml.texts(rule, "ExposeHeader"),
                    maxAge == null ? null : Integer.valueOf(maxAge)));
        }
        if (rules.isEmpty()) {
            throw new ApiException(400, "MalformedXML", "a CORS configuration has at least one CORSRule");
        }
        storage.setCors(call.project(), call.param("bucket"), rules);
        empty(call, 200);
    }

    private void getCors(Call call) throws IOException {
        List<CorsRule> rules = storage.cors(call.project(), call.param("bucket")).orElseThrow(() -> new ApiException(
                404, "NoSuchCORSConfiguration", "The CORS configuration does not exist"));
        Xml.Writer xml = new Xml.Writer("CORSConfiguration");
        for (CorsRule rule : rules) {
            xml.start("CORSRule");
            rule.allowedHeaders().forEach(h -> xml.element("AllowedHeader", h));
            rule.allowedMethods().forEach(m -> xml.element("AllowedMethod", m));
            rule.allowedOrigins().forEach(o -> xml.element("AllowedOrigin", o));
            rule.exposeHeaders().forEach(h -> xml.element("ExposeHeader", h));
            xml.element("MaxAgeSeconds", rule.maxAgeSeconds());
            xml.end();
        }
        ok(call, xml);
    }

    private void deleteCors(Call call) throws IOException {
        storage.setCors(call.project(), call.param("bucket"), null);
        empty(call, 204);
    }

    /** A preflight, answered from the bucket's CORS rules: 403 when none allows it, as S3. */
    private void preflight(Call call) throws IOException {
        String origin = call.header("Origin");
        String method = call.header("Access-Control-Request-Method");
        if (origin == null || method == null) {
            throw new ApiException(400, "BadRequest", "Insufficient information. Origin request header needed.");
        }
        // a preflight carries no credential: the bucket's project is the one the request names
        // (X-Cumulus-Project), else the only project with a bucket of that name
        Optional<String> project = storage.projectOfBucket(call.requestedProject(), call.param("bucket"));
        List<String> headers = call.header("Access-Control-Request-Headers") == null ? List.of()
                : List.of(call.header("Access-Control-Request-Headers").split(","));
        Optional<CorsRule> rule;
        try {
            rule = project.isEmpty() ? Optional.empty() : storage.cors(project.get(), call.param("bucket"))
                    .orElse(List.of()).stream().filter(r -> r.allows(origin, method, headers)).findFirst();
        } catch (ApiException e) {
            rule = Optional.empty();
        }
        if (rule.isEmpty()) {
            throw new ApiException(403, "AccessForbidden", "CORSResponse: This CORS request is not allowed.");
        }
        var h = call.response().getHeaders();
        h.put("Access-Control-Allow-Origin", rule.get().allowedOrigins().contains("*") ? "*" : origin);
        h.put("Access-Control-Allow-Methods", String.join(", ", rule.get().allowedMethods()));
        if (!headers.isEmpty()) {
            h.put("Access-Control-Allow-Headers", String.join(", ", headers.stream().map(String::strip).toList()));
        }
        if (!rule.get().exposeHeaders().isEmpty()) {
            h.put("Access-Control-Expose-Headers", String.join(", ", rule.get().exposeHeaders()));
        }
        if (rule.get().maxAgeSeconds() != null) {
            h.put("Access-Control-Max-Age", rule.get().maxAgeSeconds().toString());
        }
        h.put(HttpHeader.VARY, "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
        empty(call, 200);
    }

    /** CORS headers on an actual request from a browser, when a rule of the bucket allows it. */
    private void cors(Call call, String bucket) {
        String origin = call.header("Origin");
        if (origin == null) {
            return;
        }
        storage.cors(call.project(), bucket).orElse(List.of()).stream()
                .filter(r -> r.allows(origin, call.method(), List.of())).findFirst().ifPresent(rule -> {
                    var h = call.response().getHeaders();
                    h.put("Access-Control-Allow-Origin", rule.allowedOrigins().contains("*") ? "*" : origin);
                    h.put("Access-Control-Allow-Methods", String.join(", ", rule.allowedMethods()));
                    if (!rule.exposeHeaders().isEmpty()) {
                        h.put("Access-Control-Expose-Headers", String.join(", ", rule.exposeHeaders()));
                    }
                    h.put(HttpHeader.VARY, "Origin");
                });
    }

    private void putNotification(Call call) throws IOException {
        Element root = Xml.parse(Exchange.readBody(call.request(), 64 * 1024));
        List<Trigger> triggers = new ArrayList<>();
        int n = 0;
        if (!Xml.children(root, "QueueConfiguration").isEmpty() || !Xml.children(root, "TopicConfiguration").isEmpty()) {
            throw new ApiException(400, "InvalidArgument", "Cumulus serves LambdaFunctionConfiguration only; for"
                    + " topics, create the topic storage.<bucket> and subscribe to it");
        }
        List<Element> configs = new ArrayList<>(Xml.children(root, "LambdaFunctionConfiguration"));
        configs.addAll(Xml.children(root, "CloudFunctionConfiguration"));
        for (Element config : configs) {
            n++;
            String id = Optional.ofNullable(Xml.text(config, "Id")).orElse("trigger-" + n);
            String arn = Xml.text(config, "CloudFunction");
            if (arn == null) {
                arn = Xml.text(config, "LambdaFunctionArn");
            }
            if (arn == null || arn.isBlank()) {
                throw new ApiException(400, "InvalidArgument", "a LambdaFunctionConfiguration names its function");
            }
            List<String> events = Xml.texts(config, "Event");
            if (events.isEmpty()) {
                throw new ApiException(400, "InvalidArgument", "a LambdaFunctionConfiguration names its events");
            }
            for (String e : events) {
                if (!e.matches("s3:(ObjectCreated|ObjectRemoved)(:\\*|:Put|:Copy|:CompleteMultipartUpload|:Delete)?")) {
                    throw new ApiException(400, "InvalidArgument", "The event is not supported for notifications: " + e);
                }
            }
            String prefix = "";
            String suffix = "";
            for (Element filter : Xml.children(config, "Filter")) {
                for (Element key : Xml.children(filter, "S3Key")) {
                    for (Element rule : Xml.children(key, "FilterRule")) {
                        String name = Optional.ofNullable(Xml.text(rule, "Name")).orElse("").toLowerCase(Locale.ROOT);
                        String value = Optional.ofNullable(Xml.text(rule, "Value")).orElse("");
                        switch (name) {
                            case "prefix" -> prefix = value;
                            case "suffix" -> suffix = value;
                            default -> throw new ApiException(400, "InvalidArgument",
                                    "filter rule names are prefix and suffix, not " + name);
                        }
                    }
                }
            }
            triggers.add(new Trigger(id, functionName(arn), events.stream().map(e -> e.endsWith("ObjectCreated")
                    || e.endsWith("ObjectRemoved") ? e + ":*" : e).toList(), prefix, suffix));
        }
        storage.setTriggers(call.project(), call.param("bucket"), triggers);
        empty(call, 200);
    }

    /** A function named by ARN ({@code arn:aws:lambda:region:acct:function:NAME[:QUALIFIER]}) or by name. */
    static String functionName(String arn) {
        int at = arn.indexOf(":function:");
        return at < 0 ? arn : arn.substring(at + ":function:".length());
    }

    private void getNotification(Call call) throws IOException {
        Xml.Writer xml = new Xml.Writer("NotificationConfiguration");
        for (Trigger t : storage.triggers(call.project(), call.param("bucket"))) {
            xml.start("CloudFunctionConfiguration").element("Id", t.id())
                    .element("CloudFunction", "arn:aws:lambda:us-east-1:000000000000:function:" + t.function());
            t.events().forEach(e -> xml.element("Event", e));
            if (!t.prefix().isEmpty() || !t.suffix().isEmpty()) {
                xml.start("Filter").start("S3Key");
                if (!t.prefix().isEmpty()) {
                    xml.start("FilterRule").element("Name", "prefix").element("Value", t.prefix()).end();
                }
                if (!t.suffix().isEmpty()) {
                    xml.start("FilterRule").element("Name", "suffix").element("Value", t.suffix()).end();
                }
                xml.end().end();
            }
            xml.end();
        }
        ok(call, xml);
    }

    private void deleteObjects(Call call) throws IOException {
        String bucket = call.param("bucket");
        Element root = Xml.parse(Exchange.readBody(call.request(), 2 * 1024 * 1024));
        boolean quiet = "true".equals(Xml.text(root, "Quiet"));
        Xml.Writer xml = new Xml.Writer("DeleteResult");
        for (Element object : Xml.children(root, "Object")) {
            String key = Xml.text(object, "Key");
            try {
                guard.authorize(call.principal(), "storage:DeleteObject",
                        Crn.of("storage", call.project(), bucket + "/" + key), call.facts());
                storage.delete(call.project(), bucket, key, hops(call));
                if (!quiet) {
                    xml.start("Deleted").element("Key", key).end();
                }
            } catch (ApiException e) {
                xml.start("Error").element("Key", key).element("Code", e.code()).element("Message", e.getMessage()).end();
            }
        }
        ok(call, xml);
    }

    // --- objects ---

    /**
     * The storage-trigger hop count a write continues: the one the request declares or, from
     * inside an instance (where the AWS SDK declares none), the highest of the invocations that
     * instance runs, so a function writing through the SDK into the bucket that triggered it is
     * stopped like one using {@code context.storage()} (ADR 0039).
     */
    private int hops(Call call) {
        int hops = StorageEvents.hops(call.header(StorageEvents.HOPS_HEADER));
        if (call.request().getAttribute(INSTANCE_SESSION) instanceof InstanceSession session) {
            for (String requestId : session.running()) {
                hops = Math.max(hops, storage.events().hopsOf(call.project(), requestId));
            }
        }
        return hops;
    }

    private Storage.PutRequest putRequest(Call call) {
        Map<String, String> metadata = new LinkedHashMap<>();
        int bytes = 0;
        for (HttpField field : call.request().getHeaders()) {
            String name = field.getName().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-amz-meta-")) {
                metadata.put(name.substring("x-amz-meta-".length()), field.getValue());
                bytes += name.length() + field.getValue().length();
            }
        }
        if (bytes > 2048) {
            throw new ApiException(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed"
                    + " metadata size (2 KB)");
        }
        byte[] md5 = null;
        String contentMd5 = call.header("Content-MD5");
        if (contentMd5 != null) {
            try {
                md5 = Base64.getDecoder().decode(contentMd5.strip());
            } catch (IllegalArgumentException e) {
                md5 = new byte[0];
            }
            if (md5.length != 16) {
                throw new ApiException(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
            }
        }
        return new Storage.PutRequest(call.header("Content-Type"), metadata, md5, hops(call));
    }

    private void putObject(Call call) throws IOException {
        String bucket = call.param("bucket");
        String key = call.param("key");
        String copySource = call.header("x-amz-copy-source");
        if (copySource != null) {
            copyObject(call, bucket, key, copySource);
            return;
        }
        if ("*".equals(call.header("If-None-Match"))) {
            if (exists(call.project(), bucket, key)) {
                throw new ApiException(412, "PreconditionFailed", "At least one of the pre-conditions you specified"
                        + " did not hold: If-None-Match: * and the object exists");
            }
        }
        Storage.PutRequest put = putRequest(call);
        StoredObject object;
        try (InputStream in = body(call)) {
            object = storage.put(call.project(), bucket, key, in, put);
        }
        cors(call, bucket);
        call.response().getHeaders().put(HttpHeader.ETAG, quoted(object.etag()));
        empty(call, 200);
    }

    private boolean exists(String project, String bucket, String key) {
        try {
            storage.head(project, bucket, key);
            return true;
        } catch (ApiException e) {
            if (e.code().equals("NoSuchKey")) {
                return false;
            }
            throw e;
        }
    }

    private void copyObject(Call call, String bucket, String key, String copySource) throws IOException {
        String source = URLDecoder.decode(copySource.replace("+", "%2B"), StandardCharsets.UTF_8);
        int query = source.indexOf('?');
        if (query >= 0) {
            source = source.substring(0, query);
        }
        if (source.startsWith("/")) {
            source = source.substring(1);
        }
        int slash = source.indexOf('/');
        if (slash <= 0 || slash == source.length() - 1) {
            throw new ApiException(400, "InvalidArgument", "Copy Source must mention the source bucket and key:"
                    + " sourcebucket/sourcekey");
        }
        String fromBucket = source.substring(0, slash);
        String fromKey = source.substring(slash + 1);
        guard.authorize(call.principal(), "storage:GetObject", Crn.of("storage", call.project(), fromBucket + "/" + fromKey),
                call.facts());
        StoredObject from = storage.head(call.project(), fromBucket, fromKey);
        String ifMatch = call.header("x-amz-copy-source-if-match");
        if (ifMatch != null && !etagMatches(ifMatch, from.etag())) {
            throw preconditionFailed("x-amz-copy-source-if-match");
        }
        boolean replace = "REPLACE".equals(call.header("x-amz-metadata-directive"));
        StoredObject copied = storage.copy(call.project(), fromBucket, fromKey, bucket, key,
                replace ? putRequest(call) : null, hops(call));
        Xml.Writer xml = new Xml.Writer("CopyObjectResult").element("LastModified", ISO.format(copied.createdAt()))
                .element("ETag", quoted(copied.etag()));
        ok(call, xml);
    }

    private void getObject(Call call) throws IOException {
        String bucket = call.param("bucket");
        StoredObject object = storage.head(call.project(), bucket, call.param("key"));
        Request request = call.request();
        request.setAttribute(OBJECT_SIZE, object.size());
        Response response = call.response();
        var h = response.getHeaders();
        Instant modified = object.createdAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // conditions, in RFC 9110's order
        String ifMatch = call.header("If-Match");
        if (ifMatch != null && !etagMatches(ifMatch, object.etag())) {
            throw preconditionFailed("If-Match");
        }
        Instant unmodifiedSince = httpDate(call.header("If-Unmodified-Since"));
        if (ifMatch == null && unmodifiedSince != null && modified.isAfter(unmodifiedSince)) {
            throw preconditionFailed("If-Unmodified-Since");
        }
        String ifNoneMatch = call.header("If-None-Match");
        Instant modifiedSince = httpDate(call.header("If-Modified-Since"));
        boolean notModified = ifNoneMatch != null ? etagMatches(ifNoneMatch, object.etag())
                : modifiedSince != null && !modified.isAfter(modifiedSince);
        h.put(HttpHeader.ETAG, quoted(object.etag()));
        h.put(HttpHeader.LAST_MODIFIED, DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(modified,
                ZoneOffset.UTC)));
        h.put(HttpHeader.ACCEPT_RANGES, "bytes");
        cors(call, bucket);
        if (notModified) {
            response.setStatus(304);
            Content.Sink.write(response, true, org.eclipse.jetty.util.BufferUtil.EMPTY_BUFFER);
            return;
        }
        h.put(HttpHeader.CONTENT_TYPE, object.contentType());
        object.metadata().forEach((k, v) -> h.put("x-amz-meta-" + k, v));
        long offset = 0;
        long length = object.size();
        int status = 200;
        long[] range = range(call.header("Range"), object.size());
        if (range != null) {
            offset = range[0];
            length = range[1] - range[0] + 1;
            status = 206;
            h.put(HttpHeader.CONTENT_RANGE, "bytes " + range[0] + "-" + range[1] + "/" + object.size());
        }
        h.put(HttpHeader.CONTENT_LENGTH, length);
        response.setStatus(status);
        if (call.method().equals("HEAD") || length == 0) {
            Content.Sink.write(response, true, org.eclipse.jetty.util.BufferUtil.EMPTY_BUFFER);
            return;
        }
        try (InputStream in = storage.read(object, offset, length);
                OutputStream out = Content.Sink.asOutputStream(response)) {
            in.transferTo(out);
        }
    }

    /** A byte range of {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}; null to send the whole object. */
    static long[] range(String header, long size) {
        if (header == null) {
            return null;
        }
        String h = header.strip();
        if (!h.startsWith("bytes=") || h.contains(",")) {
            return null; // what S3 ignores: a malformed or multi-range header gets the whole object
        }
        String spec = h.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String first = spec.substring(0, dash).strip();
            String last = spec.substring(dash + 1).strip();
            long start;
            long end;
            if (first.isEmpty()) {
                long suffix = Long.parseLong(last);
                if (suffix == 0) {
                    throw invalidRange();
                }
                start = Math.max(0, size - suffix);
                end = size - 1;
            } else {
                start = Long.parseLong(first);
                end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
                if (!last.isEmpty() && Long.parseLong(last) < start) {
                    return null;
                }
            }
            if (start >= size || size == 0) {
                throw invalidRange();
            }
            return new long[] {start, end};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static ApiException invalidRange() {
        return new ApiException(416, "InvalidRange", "The requested range is not satisfiable");
    }

    private static ApiException preconditionFailed(String condition) {
        return new ApiException(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not"
                + " hold: " + condition);
    }

    private static boolean etagMatches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || Storage.unquote(c.startsWith("W/") ? c.substring(2) : c).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static Instant httpDate(String value) {
        if (value == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null; // an unparseable date is ignored, as HTTP says
        }
    }

    private void deleteObject(Call call) throws IOException {
        storage.delete(call.project(), call.param("bucket"), call.param("key"), hops(call));
        empty(call, 204);
    }

    // --- multipart uploads ---

    private void createUpload(Call call) throws IOException {
        Upload upload = storage.createUpload(call.project(), call.param("bucket"), call.param("key"), putRequest(call));
        ok(call, new Xml.Writer("InitiateMultipartUploadResult").element("Bucket", upload.bucket())
                .element("Key", upload.key()).element("UploadId", upload.uploadId()));
    }

    private void uploadPart(Call call) throws IOException {
        String number = call.query("partNumber");
        if (number == null) {
            throw new ApiException(400, "InvalidArgument", "partNumber is required with uploadId");
        }
        int partNumber;
        try {
            partNumber = Integer.parseInt(number);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "InvalidArgument", "Part number must be an integer between 1 and 10000");
        }
        Storage.PutRequest put = putRequest(call);
        Part part;
        try (InputStream in = body(call)) {
            part = storage.uploadPart(call.project(), call.param("bucket"), call.param("key"), call.query("uploadId"),
                    partNumber, in, put.contentMd5());
        }
        call.response().getHeaders().put(HttpHeader.ETAG, quoted(part.etag()));
        empty(call, 200);
    }

    private void completeUpload(Call call) throws IOException {
        Element root = Xml.parse(Exchange.readBody(call.request(), 2 * 1024 * 1024));
        List<Storage.PartRef> refs = new ArrayList<>();
        for (Element part : Xml.children(root, "Part")) {
            String number = Xml.text(part, "PartNumber");
            String etag = Xml.text(part, "ETag");
            if (number == null || etag == null) {
                throw new ApiException(400, "MalformedXML", "each Part has a PartNumber and an ETag");
            }
            try {
                refs.add(new Storage.PartRef(Integer.parseInt(number), etag));
            } catch (NumberFormatException e) {
                throw new ApiException(400, "MalformedXML", "PartNumber must be an integer");
            }
        }
        String bucket = call.param("bucket");
        StoredObject object = storage.complete(call.project(), bucket, call.param("key"), call.query("uploadId"), refs,
                hops(call));
        ok(call, new Xml.Writer("CompleteMultipartUploadResult")
                .element("Location", call.baseUrl() + PREFIX + "/" + bucket + "/" + object.key())
                .element("Bucket", bucket).element("Key", object.key()).element("ETag", quoted(object.etag())));
    }

    private void abortUpload(Call call) throws IOException {
        storage.abort(call.project(), call.param("bucket"), call.param("key"), call.query("uploadId"));
        empty(call, 204);
    }

    private void listParts(Call call) throws IOException {
        String bucket = call.param("bucket");
        String uploadId = call.query("uploadId");
        List<Part> parts = storage.parts(call.project(), bucket, call.param("key"), uploadId);
        Xml.Writer xml = new Xml.Writer("ListPartsResult").element("Bucket", bucket).element("Key", call.param("key"))
                .element("UploadId", uploadId).element("StorageClass", "STANDARD").element("MaxParts", 10000)
                .element("IsTruncated", false);
        for (Part p : parts) {
            xml.start("Part").element("PartNumber", p.number()).element("LastModified", ISO.format(p.createdAt()))
                    .element("ETag", quoted(p.etag())).element("Size", p.size()).end();
        }
        ok(call, xml);
    }

    // --- answers ---

    static String quoted(String etag) {
        return "\"" + etag + "\"";
    }

    private static void ok(Call call, Xml.Writer xml) throws IOException {
        Exchange.write(call.response(), 200, "application/xml", xml.bytes());
    }

    private static void empty(Call call, int status) throws IOException {
        call.response().setStatus(status);
        call.response().getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        Content.Sink.write(call.response(), true, org.eclipse.jetty.util.BufferUtil.EMPTY_BUFFER);
    }
}
