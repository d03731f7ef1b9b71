package dev.cumulus.storage;

import dev.cumulus.auth.SigV4;
import dev.cumulus.errors.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Decodes an {@code aws-chunked} body as the AWS SDKs and CLI stream it
 * ({@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]}, {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}):
 * {@code <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n}, ending with a zero-size chunk and
 * optional trailer lines (a checksum). Signed chunks are verified as they end, each chained to
 * the one before from the seed signature of the headers; a bad one fails the read, so the blob
 * being written is never published. The checksum the request's {@code x-amz-trailer} announces
 * ({@code x-amz-checksum-crc32}, {@code -crc32c}, {@code -sha1}, {@code -sha256}; the AWS SDKs
 * send CRC32 by default) is computed over the decoded bytes and compared with the trailer's:
 * a difference, or a missing trailer, is {@code BadDigest} and fails the read likewise (ADR 0031).
 * Nothing but the current line is buffered.
 */
final class AwsChunkedInputStream extends InputStream {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final HexFormat HEX = HexFormat.of();

    private final InputStream in;
    private final byte[] signingKey;
    private final String amzDate;
    private final String scope;
    private String previousSignature;
    private long left;
    private String chunkSignature;
    private final MessageDigest chunkDigest;
    private boolean ended;
    /** The trailer announced ({@code x-amz-checksum-crc32}), null for none, and its running checksum. */
    private final String trailerName;
    private final Checksum trailerChecksum;

    /** A signed stream with trailers: the trailer lines carry their own chained signature. */
    private final boolean signedTrailer;

    /**
     * @param checked the verified headers of a signed stream; null for an unsigned one
     * @param trailer the request's {@code x-amz-trailer}, null for none
     * @param trailing whether the stream ends with trailers ({@code ...-TRAILER} payloads)
     */
    AwsChunkedInputStream(InputStream in, SigV4.Checked checked, String trailer, boolean trailing) {
        this.in = in;
        this.signedTrailer = checked != null && trailing;
        this.trailerName = trailer == null || trailer.isBlank() ? null : trailer.strip().toLowerCase(java.util.Locale.ROOT);
        this.trailerChecksum = trailerName == null ? null : Checksum.named(trailerName);
        this.signingKey = checked == null ? null : checked.signingKey();
        this.amzDate = checked == null ? null : checked.amzDate();
        this.scope = checked == null ? null : checked.scope();
        this.previousSignature = checked == null ? null : checked.signature();
        try {
            this.chunkDigest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
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
        if (len == 0) {
            return 0;
        }
        while (left == 0) {
            if (ended) {
                return -1;
            }
            nextChunk();
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            throw malformed("the body ended inside a chunk");
        }
        chunkDigest.update(b, off, n);
        if (trailerChecksum != null) {
            trailerChecksum.update(b, off, n);
        }
        left -= n;
        if (left == 0) {
            endChunk();
        }
        return n;
    }

    private void nextChunk() throws IOException {
        String header = line();
        int semi = header.indexOf(';');
        String sizeText = semi < 0 ? header : header.substring(0, semi);
        long size;
        try {
            size = Long.parseLong(sizeText.strip(), 16);
        } catch (NumberFormatException e) {
            throw malformed("a chunk header must start with its size in hex");
        }
        chunkSignature = null;
        if (semi >= 0) {
            String ext = header.substring(semi + 1);
            if (ext.startsWith("chunk-signature=")) {
                chunkSignature = ext.substring("chunk-signature=".length()).strip();
            }
        }
        if (signingKey != null && chunkSignature == null) {
            throw signatureMismatch();
        }
        chunkDigest.reset();
        left = size;
        if (size == 0) {
            verifyChunk();
            // trailer lines (x-amz-checksum-*, x-amz-trailer-signature) up to an empty line or the end
            String declared = null;
            String trailerSignature = null;
            StringBuilder signedLines = new StringBuilder();
            while (true) {
                String trailer = lineOrEnd();
                if (trailer == null || trailer.isEmpty()) {
                    break;
                }
                int colon = trailer.indexOf(':');
                if (colon <= 0) {
                    throw malformed("a trailer line is NAME:VALUE");
                }
                String name = trailer.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
                String value = trailer.substring(colon + 1).strip();
                if (name.equals("x-amz-trailer-signature")) {
                    trailerSignature = value;
                    continue;
                }
                signedLines.append(name).append(':').append(value).append('\n');
                if (name.equals(trailerName)) {
                    declared = value;
                }
            }
            if (signedTrailer) {
                verifyTrailer(signedLines.toString(), trailerSignature);
            }
            if (trailerChecksum != null) {
                if (declared == null) {
                    throw new ApiException(400, "BadDigest", "the body's trailer has no " + trailerName
                            + ", which x-amz-trailer announced");
                }
                if (!declared.equals(trailerChecksum.base64())) {
                    throw new ApiException(400, "BadDigest", "The " + trailerName.substring("x-amz-checksum-".length())
                            .toUpperCase(java.util.Locale.ROOT) + " you specified did not match the calculated checksum.");
                }
            }
            ended = true;
        }
    }

    private void endChunk() throws IOException {
        verifyChunk();
        String crlf = line();
        if (!crlf.isEmpty()) {
            throw malformed("a chunk's bytes must be followed by CRLF");
        }
    }

    private void verifyChunk() {
        if (signingKey == null) {
            return;
        }
        String stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n"
                + EMPTY_SHA256 + "\n" + HEX.formatHex(chunkDigest.digest());
        String expected = SigV4.hmacHex(signingKey, stringToSign);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                chunkSignature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            throw signatureMismatch();
        }
        previousSignature = expected;
    }

    /** A signed trailer's signature, chained to the last chunk's, over its lines ({@code name:value\n} each). */
    private void verifyTrailer(String lines, String signature) {
        if (signature == null) {
            throw signatureMismatch();
        }
        byte[] bytes = lines.getBytes(StandardCharsets.UTF_8);
        String stringToSign = "AWS4-HMAC-SHA256-TRAILER\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n"
                + SigV4.sha256Hex(bytes, 0, bytes.length);
        String expected = SigV4.hmacHex(signingKey, stringToSign);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                signature.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            throw signatureMismatch();
        }
    }

    private String line() throws IOException {
        String line = lineOrEnd();
        if (line == null) {
            throw malformed("the body ended before its last chunk");
        }
        return line;
    }

    private String lineOrEnd() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(96);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] bytes = out.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.US_ASCII);
            }
            if (out.size() > 4096) {
                throw malformed("a chunk header or trailer line is too long");
            }
            out.write(c);
        }
        return out.size() == 0 ? null : out.toString(StandardCharsets.US_ASCII);
    }

    private static ApiException malformed(String why) {
        return new ApiException(400, "IncompleteBody", "the aws-chunked body is malformed: " + why);
    }

    private static ApiException signatureMismatch() {
        return new ApiException(403, "SignatureDoesNotMatch", "The request signature we calculated does not match"
                + " the signature you provided (a chunk of the streamed body).");
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * The flexible checksums S3 names in {@code x-amz-trailer} or sends as headers, over the JDK's
     * implementations.
     */
    interface Checksum {
        void update(byte[] b, int off, int len);

        String base64();

        static Checksum named(String trailer) {
            return switch (trailer) {
                case "x-amz-checksum-crc32" -> crc(new java.util.zip.CRC32());
                case "x-amz-checksum-crc32c" -> crc(new java.util.zip.CRC32C());
                case "x-amz-checksum-sha1" -> digest("SHA-1");
                case "x-amz-checksum-sha256" -> digest("SHA-256");
                default -> throw new ApiException(400, "InvalidRequest", "x-amz-trailer " + trailer + " is not served:"
                        + " send x-amz-checksum-crc32, -crc32c, -sha1 or -sha256");
            };
        }

        private static Checksum crc(java.util.zip.Checksum crc) {
            return new Checksum() {
                @Override
                public void update(byte[] b, int off, int len) {
                    crc.update(b, off, len);
                }

                @Override
                public String base64() {
                    long v = crc.getValue();
                    return java.util.Base64.getEncoder().encodeToString(new byte[] {
                            (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
                }
            };
        }

        private static Checksum digest(String algorithm) {
            MessageDigest md;
            try {
                md = MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has " + algorithm, e);
            }
            return new Checksum() {
                @Override
                public void update(byte[] b, int off, int len) {
                    md.update(b, off, len);
                }

                @Override
                public String base64() {
                    return java.util.Base64.getEncoder().encodeToString(md.digest());
                }
            };
        }
    }
}
