package dev.cumulus.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies AWS Signature Version 4 ({@code Authorization: AWS4-HMAC-SHA256 ...}) against the
 * node's {@link AccessKeys}: recomputes the signature over exactly the headers the client
 * signed, as a service does (docs/adr/0011). Two steps, so a caller with a bad key or a stale
 * date is refused before its body is read: {@link #check} the headers, then {@link #verify}
 * with the body.
 */
public final class SigV4 {
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** How far a request's {@code X-Amz-Date} may be from the node's clock, as AWS allows. */
    public static final Duration MAX_SKEW = Duration.ofMinutes(15);
    static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^,\\s]+)\\s*,\\s*SignedHeaders=([^,\\s]+)\\s*,\\s*Signature=([0-9a-fA-F]+)\\s*");
    private static final HexFormat HEX = HexFormat.of();

    /** A refusal, named with AWS's error type for it; every one is a 403. */
    public static final class SignatureException extends Exception {
        private final String type;

        SignatureException(String type, String message) {
            super(message, null, false, false);
            this.type = type;
        }

        /** e.g. {@code InvalidSignatureException}, {@code UnrecognizedClientException} */
        public String type() {
            return type;
        }
    }

    /**
     * The request as received. {@code rawPath} and {@code rawQuery} as they were on the wire
     * (still percent-encoded); {@code headers} gives every value of a header by lowercase name.
     */
    public record Request(String method, String rawPath, String rawQuery, Function<String, List<String>> headers) {}

    /** A request whose headers passed {@link #check}; {@link #verify} finishes with the body. */
    public record Checked(Request request, String accessKeyId, String secret, String amzDate, String scope,
            String region, List<String> signedHeaders, String signature, boolean presigned) {

        /** The key that signs this request's scope: for the chunks of a streamed (aws-chunked) body. */
        public byte[] signingKey() {
            return SigV4.signingKey(secret, scope);
        }
    }

    /** What presigned URLs may live at most, as S3's: seven days. */
    public static final Duration MAX_PRESIGNED = Duration.ofDays(7);

    private final AccessKeys keys;
    private final String service;
    private final Clock clock;

    public SigV4(AccessKeys keys, String service, Clock clock) {
        this.keys = keys;
        this.service = service;
        this.clock = clock;
    }

    public Checked check(Request request) throws SignatureException {
        return check(request, null);
    }

    /**
     * As {@link #check(Request)}, for a request that may also be signed with {@code session}: the
     * credentials of the instance it came from (ADR 0039). Those need their session token in
     * {@code X-Amz-Security-Token}, signed; any other token is refused, as is a token with a key of
     * the node's.
     */
    public Checked check(Request request, SessionCredentials session) throws SignatureException {
        String authorization = first(request, "authorization");
        if (authorization == null) {
            throw new SignatureException("MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        Matcher m = AUTHORIZATION.matcher(authorization);
        if (!m.matches()) {
            throw new SignatureException("IncompleteSignatureException", "Authorization header requires 'Credential',"
                    + " 'Signature' and 'SignedHeaders' parameters with the " + ALGORITHM + " algorithm");
        }
        String[] credential = m.group(1).split("/", -1);
        if (credential.length != 5) {
            throw new SignatureException("IncompleteSignatureException",
                    "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '"
                            + m.group(1) + "'");
        }
        String accessKeyId = credential[0];
        String token = first(request, "x-amz-security-token");
        String secret;
        if (session != null && accessKeyId.equals(session.accessKeyId())) {
            if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                    session.sessionToken().getBytes(StandardCharsets.UTF_8))) {
                throw new SignatureException("UnrecognizedClientException", "The security token included in the request is invalid.");
            }
            secret = session.secretAccessKey();
        } else {
            if (token != null) {
                throw new SignatureException("UnrecognizedClientException", "The security token included in the request is invalid.");
            }
            secret = keys.secret(accessKeyId).orElseThrow(() -> new SignatureException(
                    "UnrecognizedClientException", "The security token included in the request is invalid."));
        }
        String amzDate = first(request, "x-amz-date");
        if (amzDate == null) {
            throw new SignatureException("IncompleteSignatureException",
                    "Authorization header requires existence of a 'X-Amz-Date' header.");
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            throw new SignatureException("IncompleteSignatureException", "X-Amz-Date must look like 20260127T080000Z, got '" + amzDate + "'");
        }
        Instant now = clock.instant();
        if (signedAt.isBefore(now.minus(MAX_SKEW))) {
            throw new SignatureException("InvalidSignatureException", "Signature expired: " + amzDate + " is now earlier than "
                    + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " - 15 min.)");
        }
        if (signedAt.isAfter(now.plus(MAX_SKEW))) {
            throw new SignatureException("InvalidSignatureException", "Signature not yet current: " + amzDate
                    + " is still later than " + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " + 15 min.)");
        }
        if (!credential[1].equals(amzDate.substring(0, 8))) {
            throw new SignatureException("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from"
                    + " ISO-8601 version of date from HTTP: '" + credential[1] + "' != '" + amzDate.substring(0, 8) + "'");
        }
        if (!credential[3].equals(service)) {
            throw new SignatureException("InvalidSignatureException", "Credential should be scoped to correct service: '" + service + "'.");
        }
        if (!credential[4].equals("aws4_request")) {
            throw new SignatureException("InvalidSignatureException",
                    "Credential should be scoped with a valid terminator: 'aws4_request', not '" + credential[4] + "'.");
        }
        List<String> signedHeaders = Arrays.asList(m.group(2).split(";", -1));
        if (!signedHeaders.contains("host") || !signedHeaders.contains("x-amz-date")) {
            throw new SignatureException("InvalidSignatureException", "'Host' and 'X-Amz-Date' must be signed headers");
        }
        for (String name : signedHeaders) {
            if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT)) || request.headers().apply(name).isEmpty()) {
                throw new SignatureException("InvalidSignatureException", "signed header '" + name + "' is not in the request");
            }
        }
        String scope = String.join("/", credential[1], credential[2], credential[3], credential[4]);
        return new Checked(request, accessKeyId, secret, amzDate, scope, credential[2], signedHeaders,
                m.group(3).toLowerCase(Locale.ROOT), false);
    }

    /**
     * Checks a presigned URL (query authentication: {@code X-Amz-Algorithm}, {@code X-Amz-Credential},
     * {@code X-Amz-Date}, {@code X-Amz-Expires}, {@code X-Amz-SignedHeaders}, {@code X-Amz-Signature}):
     * known key, this service, not expired. {@link #verify} then finishes with
     * {@code UNSIGNED-PAYLOAD}.
     *
     * @param query the query parameters, decoded, by name
     */
    public Checked checkPresigned(Request request, Function<String, String> query) throws SignatureException {
        if (!ALGORITHM.equals(query.apply("X-Amz-Algorithm"))) {
            throw new SignatureException("AuthorizationQueryParametersError", "X-Amz-Algorithm only supports \""
                    + ALGORITHM + "\"");
        }
        String credentialText = query.apply("X-Amz-Credential");
        String amzDate = query.apply("X-Amz-Date");
        String expiresText = query.apply("X-Amz-Expires");
        String signedText = query.apply("X-Amz-SignedHeaders");
        String signature = query.apply("X-Amz-Signature");
        if (credentialText == null || amzDate == null || expiresText == null || signedText == null || signature == null) {
            throw new SignatureException("AuthorizationQueryParametersError", "Query-string authentication version 4"
                    + " requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date,"
                    + " X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
        }
        String[] credential = credentialText.split("/", -1);
        if (credential.length != 5 || !credential[3].equals(service) || !credential[4].equals("aws4_request")) {
            throw new SignatureException("AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential"
                    + " parameter; the credential is keyid/date/region/" + service + "/aws4_request");
        }
        String secret = keys.secret(credential[0]).orElseThrow(() -> new SignatureException("InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records."));
        Instant signedAt;
        long expires;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
            expires = Long.parseLong(expiresText);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new SignatureException("AuthorizationQueryParametersError", "X-Amz-Date must look like"
                    + " 20260127T080000Z and X-Amz-Expires be a number of seconds");
        }
        if (expires < 1 || expires > MAX_PRESIGNED.toSeconds()) {
            throw new SignatureException("AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and "
                    + MAX_PRESIGNED.toSeconds() + " seconds");
        }
        Instant now = clock.instant();
        if (now.isAfter(signedAt.plusSeconds(expires))) {
            throw new SignatureException("AccessDenied", "Request has expired");
        }
        if (signedAt.isAfter(now.plus(MAX_SKEW))) {
            throw new SignatureException("AccessDenied", "Request is not valid yet");
        }
        if (!credential[1].equals(amzDate.substring(0, 8))) {
            throw new SignatureException("SignatureDoesNotMatch", "the credential's date is not X-Amz-Date's");
        }
        List<String> signedHeaders = Arrays.asList(signedText.split(";", -1));
        if (!signedHeaders.contains("host")) {
            throw new SignatureException("AuthorizationQueryParametersError", "'host' must be a signed header");
        }
        for (String name : signedHeaders) {
            if (name.isEmpty() || !name.equals(name.toLowerCase(Locale.ROOT)) || request.headers().apply(name).isEmpty()) {
                throw new SignatureException("SignatureDoesNotMatch", "signed header '" + name + "' is not in the request");
            }
        }
        String scope = String.join("/", credential[1], credential[2], credential[3], credential[4]);
        return new Checked(request, credential[0], secret, amzDate, scope, credential[2], signedHeaders,
                signature.toLowerCase(Locale.ROOT), true);
    }

    /** Recomputes the signature over the request and {@code body}; returns the caller's key id. */
    public static String verify(Checked checked, byte[] body) throws SignatureException {
        return verify(checked, HEX.formatHex(sha256(body)));
    }

    /**
     * Recomputes the signature over the request and a body whose SHA-256 (hex) is {@code bodyHash},
     * hashed as it streamed in ({@link SignedBody}); returns the caller's key id.
     */
    public static String verify(Checked checked, String bodyHash) throws SignatureException {
        String declared = checked.presigned() ? null : first(checked.request(), "x-amz-content-sha256");
        if (declared != null && !declared.equalsIgnoreCase(bodyHash)) {
            throw new SignatureException("InvalidSignatureException",
                    "The provided 'x-amz-content-sha256' header does not match what was computed.");
        }
        String canonical = canonicalRequest(checked.request(), checked.signedHeaders(), bodyHash,
                checked.scope().split("/")[2].equals("s3"), checked.presigned());
        String expected = signature(checked.secret(), checked.amzDate(), checked.scope(), canonical);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                checked.signature().getBytes(StandardCharsets.US_ASCII))) {
            throw new SignatureException("InvalidSignatureException", "The request signature we calculated does not match"
                    + " the signature you provided. Check your AWS Secret Access Key and signing method. Consult the"
                    + " service documentation for details.");
        }
        return checked.accessKeyId();
    }

    static String canonicalRequest(Request request, List<String> signedHeaders, String payloadHash) {
        return canonicalRequest(request, signedHeaders, payloadHash, false, false);
    }

    /**
     * @param s3 S3 signs the path encoded once (taken here as decoded, then encoded), where other
     *     services sign the path as sent, encoded once more
     * @param presigned leaves the query's {@code X-Amz-Signature} out, as query authentication does
     */
    static String canonicalRequest(Request request, List<String> signedHeaders, String payloadHash, boolean s3,
            boolean presigned) {
        StringBuilder out = new StringBuilder();
        out.append(request.method()).append('\n');
        String path = request.rawPath() == null || request.rawPath().isEmpty() ? "/" : request.rawPath();
        out.append(uriEncode(s3 ? percentDecode(path.replace("+", "%2B")) : path, false)).append('\n');
        out.append(canonicalQuery(presigned ? withoutSignature(request.rawQuery()) : request.rawQuery())).append('\n');
        List<String> sorted = new ArrayList<>(signedHeaders);
        sorted.sort(null);
        for (String name : sorted) {
            List<String> values = request.headers().apply(name).stream().map(SigV4::trimAll).toList();
            out.append(name).append(':').append(String.join(",", values)).append('\n');
        }
        out.append('\n').append(String.join(";", sorted)).append('\n');
        out.append(payloadHash);
        return out.toString();
    }

    static String signature(String secret, String amzDate, String scope, String canonicalRequest) {
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        String[] parts = scope.split("/");
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), parts[0]);
        key = hmac(key, parts[1]);
        key = hmac(key, parts[2]);
        key = hmac(key, parts[3]);
        return HEX.formatHex(hmac(key, stringToSign));
    }

    private static String withoutSignature(String rawQuery) {
        if (rawQuery == null) {
            return null;
        }
        List<String> kept = new ArrayList<>();
        for (String pair : rawQuery.split("&")) {
            if (!pair.startsWith("X-Amz-Signature=")) {
                kept.add(pair);
            }
        }
        return String.join("&", kept);
    }

    /**
     * A presigned URL (query authentication, {@code UNSIGNED-PAYLOAD}, only {@code host} signed)
     * for {@code method} on {@code url}, as the AWS SDKs' presigners make them: for the CLI's
     * {@code cumulus storage presign}.
     *
     * @param url the object's URL, its path percent-encoded as it will be sent, without a query
     */
    public static java.net.URI presign(String method, java.net.URI url, String accessKeyId, String secret, String region,
            String service, Instant now, Duration expires) {
        String amzDate = AMZ_DATE.format(now);
        String scope = String.join("/", amzDate.substring(0, 8), region, service, "aws4_request");
        String query = "X-Amz-Algorithm=" + ALGORITHM
                + "&X-Amz-Credential=" + uriEncode(accessKeyId + "/" + scope, true)
                + "&X-Amz-Date=" + amzDate
                + "&X-Amz-Expires=" + expires.toSeconds()
                + "&X-Amz-SignedHeaders=host";
        String host = url.getRawAuthority();
        Request request = new Request(method, url.getRawPath(), query,
                name -> name.equals("host") ? List.of(host) : List.of());
        String canonical = canonicalRequest(request, List.of("host"), "UNSIGNED-PAYLOAD", service.equals("s3"), true);
        String signature = signature(secret, amzDate, scope, canonical);
        return java.net.URI.create(url.getScheme() + "://" + host + url.getRawPath() + "?" + query
                + "&X-Amz-Signature=" + signature);
    }

    /**
     * The {@code Authorization} header of a request the node itself sends to an S3-compatible
     * service (the S3 BlobStore, ADR 0031): the same canonical request this class verifies, so
     * one implementation of SigV4 signs and checks.
     *
     * @param url the request's URL, its path percent-encoded as it will be sent, its query raw
     * @param headers the headers to sign, names in lower case; {@code host} and {@code x-amz-date}
     *     ({@code yyyyMMdd'T'HHmmss'Z'}) must be among them
     * @param payloadHash the body's SHA-256 in hex, or {@code UNSIGNED-PAYLOAD}
     */
    public static String authorization(String method, java.net.URI url, Map<String, String> headers, String payloadHash,
            String accessKeyId, String secret, String region, String service) {
        String amzDate = headers.get("x-amz-date");
        if (amzDate == null || !headers.containsKey("host")) {
            throw new IllegalArgumentException("sign host and x-amz-date");
        }
        String scope = String.join("/", amzDate.substring(0, 8), region, service, "aws4_request");
        List<String> names = new ArrayList<>(headers.keySet());
        names.sort(null);
        Request request = new Request(method, url.getRawPath(), url.getRawQuery(), name -> {
            String value = headers.get(name);
            return value == null ? List.of() : List.of(value);
        });
        String canonical = canonicalRequest(request, names, payloadHash, service.equals("s3"), false);
        return ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ", SignedHeaders=" + String.join(";", names)
                + ", Signature=" + signature(secret, amzDate, scope, canonical);
    }

    /** {@code x-amz-date}'s form of {@code now}. */
    public static String amzDate(Instant now) {
        return AMZ_DATE.format(now);
    }

    /** The key that signs for {@code scope} (date/region/service/aws4_request). */
    public static byte[] signingKey(String secret, String scope) {
        String[] parts = scope.split("/");
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), parts[0]);
        key = hmac(key, parts[1]);
        key = hmac(key, parts[2]);
        return hmac(key, parts[3]);
    }

    /** HMAC-SHA256 of {@code data} under {@code key}, lower-case hex: a chunk's signature. */
    public static String hmacHex(byte[] key, String data) {
        return HEX.formatHex(hmac(key, data));
    }

    public static String sha256Hex(byte[] data, int offset, int length) {
        MessageDigest digest = newSha256();
        digest.update(data, offset, length);
        return HEX.formatHex(digest.digest());
    }

    private static String canonicalQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        Map<String, List<String>> params = new TreeMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = uriEncode(percentDecode(eq < 0 ? pair : pair.substring(0, eq)), true);
            String value = uriEncode(percentDecode(eq < 0 ? "" : pair.substring(eq + 1)), true);
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        List<String> parts = new ArrayList<>();
        params.forEach((name, values) -> values.stream().sorted().forEach(v -> parts.add(name + "=" + v)));
        return String.join("&", parts);
    }

    /** RFC 3986 encoding as SigV4 defines it: unreserved characters stay, the rest is %XX. */
    static String uriEncode(String s, boolean encodeSlash) {
        StringBuilder out = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        try {
            // '+' is a plus sign here, not a form-encoded space
            return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return s;
        }
    }

    private static String trimAll(String value) {
        return value.strip().replaceAll("\\s+", " ");
    }

    private static String first(Request request, String name) {
        List<String> values = request.headers().apply(name);
        return values.isEmpty() ? null : values.getFirst();
    }

    public static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    /**
     * A fresh SHA-256 digest, for the package's hashes (signatures, the root token, streamed bodies).
     * Cloned from one made once: {@code getInstance} looks the provider up on every call, and the
     * root token is hashed for every request that presents it (2 % of the node's CPU samples on
     * the invoke API).
     */
    static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA256_PROTOTYPE.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 digest is cloneable", e);
        }
    }

    private static final MessageDigest SHA256_PROTOTYPE;

    static {
        try {
            SHA256_PROTOTYPE = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
