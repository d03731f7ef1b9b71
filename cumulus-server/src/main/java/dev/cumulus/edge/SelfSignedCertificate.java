package dev.cumulus.edge;

import dev.cumulus.files.PrivateFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate a node makes for itself on its first non-loopback start without
 * {@code --tls-cert}: EC P-256, valid for {@link #VALIDITY}, for the names and addresses this
 * host answers on. Kept in {@code <dataDir>/tls/} (key mode 600) and reused on every start.
 */
final class SelfSignedCertificate {
    private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificate.class);
    static final Duration VALIDITY = Duration.ofDays(825); // the longest browsers accept
    private static final String CERT = "self-signed-cert.pem";
    private static final String KEY = "self-signed-key.pem";

    private SelfSignedCertificate() {}

    static TlsCredentials loadOrCreate(Path dir, String host) throws IOException {
        Path cert = dir.resolve(CERT);
        Path key = dir.resolve(KEY);
        if (Files.exists(cert) && Files.exists(key)) {
            return TlsCredentials.fromPem(cert, key);
        }
        PrivateFiles.createDirectory(dir);
        Set<String> names = names(host); // a DNS look-up and a walk over every interface: once
        TlsCredentials created = create(names, Instant.now());
        PrivateFiles.write(key, pem(new JcaPKCS8Generator(created.key(), null)));
        PrivateFiles.write(cert, created.certificatePem());
        LOG.info("created a self-signed TLS certificate for {} in {}; clients pin {}", names, cert,
                EdgeTls.PUBLISHED_CERT);
        return created;
    }

    static TlsCredentials create(Set<String> names, Instant now) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            X500Name subject = new X500Name("CN=cumulus node " + names.iterator().next());
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(127, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                    names.stream().map(SelfSignedCertificate::generalName).toArray(GeneralName[]::new)));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new TlsCredentials(List.of(certificate), pair.getPrivate());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot create a self-signed TLS certificate: " + e.getMessage(), e);
        }
    }

    /** localhost and the loopback addresses, this host's name, the bind address, or every interface's on a wildcard bind. */
    static Set<String> names(String host) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException ignored) {
            // a host without a resolvable name still has its addresses
        }
        try {
            InetAddress bind = InetAddress.getByName(host);
            if (!bind.isAnyLocalAddress()) {
                names.add(host);
            } else {
                for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        names.add(a.getHostAddress().replaceFirst("%.*$", ""));
                    }
                }
            }
        } catch (IOException ignored) {
            names.add(host); // SocketException included: the name as given is the best we have
        }
        return names;
    }

    private static GeneralName generalName(String name) {
        boolean address = name.matches("[0-9.]+") || name.contains(":");
        return new GeneralName(address ? GeneralName.iPAddress : GeneralName.dNSName, name);
    }

    private static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM into memory", e);
        }
        return out.toString();
    }
}
