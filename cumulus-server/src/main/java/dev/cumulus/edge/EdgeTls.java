package dev.cumulus.edge;

import dev.cumulus.files.PrivateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the edge listens (issue 10, ADR 0022): HTTPS with the operator's PEM files; HTTPS with a
 * certificate the node made for itself, whenever it binds a non-loopback address without them;
 * plain HTTP on loopback, or elsewhere only when {@code insecureHttp} says so in words.
 *
 * @param certFile PEM certificate chain, leaf first; null together with {@code keyFile}
 * @param keyFile PEM private key (PKCS#1, SEC1 or PKCS#8, unencrypted)
 * @param insecureHttp plain HTTP on a non-loopback address; never with a certificate
 */
public record EdgeTls(Path certFile, Path keyFile, boolean insecureHttp) {
    /** Loopback: plain HTTP; anywhere else: a self-signed certificate. */
    public static final EdgeTls DEFAULT = new EdgeTls(null, null, false);
    /** Where a node with HTTPS publishes the certificate it serves, for clients to pin. */
    public static final String PUBLISHED_CERT = "tls-cert.pem";
    static final String SELF_SIGNED_DIR = "tls";

    public EdgeTls {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both PEM files or neither");
        }
        if (certFile != null && insecureHttp) {
            throw new IllegalArgumentException("--insecure-http contradicts --tls-cert: choose one");
        }
    }

    /**
     * The certificate and key the edge serves on {@code host}, or null for plain HTTP. Publishes
     * the served certificate as {@code <dataDir>/tls-cert.pem} (or removes a stale one).
     */
    public TlsCredentials credentials(String host, Path dataDir) throws IOException {
        TlsCredentials credentials;
        if (certFile != null) {
            credentials = TlsCredentials.fromPem(certFile, keyFile);
        } else if (insecureHttp || isLoopback(host)) {
            credentials = null;
        } else {
            credentials = SelfSignedCertificate.loadOrCreate(dataDir.resolve(SELF_SIGNED_DIR), host);
        }
        Path published = dataDir.resolve(PUBLISHED_CERT);
        if (credentials == null) {
            Files.deleteIfExists(published);
        } else {
            PrivateFiles.write(published, credentials.certificatePem());
        }
        return credentials;
    }

    /** Whether {@code host} only ever accepts connections from this machine. */
    static boolean isLoopback(String host) throws IOException {
        InetAddress[] addresses = InetAddress.getAllByName(host);
        for (InetAddress a : addresses) {
            if (!a.isLoopbackAddress()) {
                return false;
            }
        }
        return addresses.length > 0;
    }
}
