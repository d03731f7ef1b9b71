package dev.cumulus.edge;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * A certificate chain (leaf first) and its private key, as the edge's TLS connector needs them.
 * Nothing outside the edge sees the key.
 */
public final class TlsCredentials {
    /** Never leaves the process: the key store exists only in memory. */
    private static final char[] IN_MEMORY_PASSWORD = "cumulus-edge".toCharArray();

    private final List<X509Certificate> chain;
    private final PrivateKey key;

    TlsCredentials(List<X509Certificate> chain, PrivateKey key) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a TLS certificate chain needs at least one certificate");
        }
        this.chain = List.copyOf(chain);
        this.key = key;
    }

    PrivateKey key() {
        return key;
    }

    /** Reads PEM files as openssl and certbot write them; an unreadable file is named in the error. */
    static TlsCredentials fromPem(Path certFile, Path keyFile) throws IOException {
        List<X509Certificate> chain;
        try {
            chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile))).stream()
                    .map(X509Certificate.class::cast).toList();
        } catch (GeneralSecurityException e) {
            throw new IOException("--tls-cert " + certFile + " is not a PEM certificate: " + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IOException("--tls-cert " + certFile + " holds no certificate");
        }
        return new TlsCredentials(chain, privateKey(keyFile));
    }

    private static PrivateKey privateKey(Path keyFile) throws IOException {
        try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
                PEMParser pem = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                switch (o) {
                    case PEMKeyPair pair -> { return converter.getPrivateKey(pair.getPrivateKeyInfo()); }
                    case PrivateKeyInfo info -> { return converter.getPrivateKey(info); }
                    case PEMEncryptedKeyPair ignored -> throw encrypted(keyFile);
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(keyFile);
                    default -> { } // EC parameters and the like come before the key
                }
            }
        }
        throw new IOException("--tls-key " + keyFile + " holds no private key");
    }

    private static IOException encrypted(Path keyFile) {
        return new IOException("--tls-key " + keyFile + " is encrypted; the node needs it unencrypted "
                + "(mode 600), e.g. openssl pkey -in KEY -out KEY.plain");
    }

    /** The chain as PEM, for clients to pin. */
    String certificatePem() {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (X509Certificate c : chain) {
                writer.writeObject(c);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM into memory", e);
        }
        return out.toString();
    }

    /**
     * TLS, then ALPN choosing HTTP/2 when the client offers it, else HTTP/1.1; both with
     * {@code base}'s settings.
     */
    ConnectionFactory[] connectionFactories(HttpConfiguration base) {
        HttpConfiguration config = new HttpConfiguration(base);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // a self-signed certificate names this host's addresses; clients check the name themselves
        secure.setSniHostCheck(false);
        config.addCustomizer(secure);
        HttpConnectionFactory http1 = new HttpConnectionFactory(config);
        HTTP2ServerConnectionFactory http2 = new HTTP2ServerConnectionFactory(config);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http1.getProtocol());
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(keyStore());
        ssl.setKeyStorePassword(keyStorePassword());
        ssl.setCipherComparator(HTTP2Cipher.COMPARATOR);
        return new ConnectionFactory[] {new SslConnectionFactory(ssl, alpn.getProtocol()), alpn, http2, http1};
    }

    private KeyStore keyStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("edge", key, IN_MEMORY_PASSWORD, chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the edge's key store: " + e.getMessage(), e);
        }
    }

    private String keyStorePassword() {
        return new String(IN_MEMORY_PASSWORD);
    }
}
