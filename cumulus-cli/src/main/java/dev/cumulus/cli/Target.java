package dev.cumulus.cli;

import dev.cumulus.edge.EdgeTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The node a client command talks to, and the token it sends.
 *
 * <p>Discovery, first match wins: {@code --url}/{@code --token}, then {@code CUMULUS_URL}/
 * {@code CUMULUS_TOKEN}, then the files {@code url} and {@code root-token} that {@code cumulus serve}
 * writes into its data dir ({@code --data-dir}, else {@code CUMULUS_DATA}, else {@code ./.cumulus}).
 * The root token read from a local data dir is only ever sent to that local node (a loopback
 * address or the URL in the same data dir), never to a remote URL given by flag or env.
 *
 * <p>An {@code https} node is trusted through the certificate it publishes in the same data dir
 * ({@code tls-cert.pem}), pinned: only that certificate, no CA. Without that file the JDK's CAs
 * decide, as for any HTTPS server.
 *
 * @param pinnedCertificate the data dir's {@code tls-cert.pem} for an {@code https} URL, else null
 */
public record Target(URI url, String token, String urlSource, String tokenSource, Path pinnedCertificate) {

    public static final String DEFAULT_DATA_DIR = ".cumulus";

    public static Path dataDir(Path option, Map<String, String> env, Path cwd) {
        Path dir = option != null ? option : nonBlank(env.get("CUMULUS_DATA")) != null
                ? Path.of(env.get("CUMULUS_DATA").strip()) : Path.of(DEFAULT_DATA_DIR);
        return cwd.resolve(dir).normalize();
    }

    public static Target resolve(ClientOptions options, Map<String, String> env, Path cwd) {
        Path dir = dataDir(options.dataDir, env, cwd);
        Path urlFile = dir.resolve("url");
        Path tokenFile = dir.resolve("root-token");

        String fileUrl = null;
        String url;
        String urlSource;
        if (nonBlank(options.url) != null) {
            url = options.url.strip();
            urlSource = "--url";
        } else if (nonBlank(env.get("CUMULUS_URL")) != null) {
            url = env.get("CUMULUS_URL").strip();
            urlSource = "CUMULUS_URL";
        } else {
            fileUrl = readIfExists(urlFile);
            if (fileUrl == null) {
                throw new CliException("cannot find a node: no --url, no CUMULUS_URL, and no " + urlFile
                        + " (start one with 'cumulus serve', or pass --url)");
            }
            url = fileUrl;
            urlSource = urlFile.toString();
        }
        URI uri = parseUrl(url, urlSource);

        String token;
        String tokenSource;
        if (nonBlank(options.token) != null) {
            token = options.token.strip();
            tokenSource = "--token";
        } else if (nonBlank(env.get("CUMULUS_TOKEN")) != null) {
            token = env.get("CUMULUS_TOKEN").strip();
            tokenSource = "CUMULUS_TOKEN";
        } else {
            token = readIfExists(tokenFile);
            if (token == null) {
                throw new CliException("no API token: no --token, no CUMULUS_TOKEN, and no " + tokenFile
                        + " (pass --token, or --data-dir of the node)");
            }
            if (fileUrl == null && !isLocal(uri, readIfExists(urlFile))) {
                throw new CliException("no API token for " + uri + ": pass --token or set CUMULUS_TOKEN (the root token in "
                        + tokenFile + " is only sent to the local node)");
            }
            tokenSource = tokenFile.toString();
        }
        Path cert = dir.resolve(EdgeTls.PUBLISHED_CERT);
        boolean pin = uri.getScheme().equalsIgnoreCase("https") && Files.isRegularFile(cert);
        return new Target(uri, token, urlSource, tokenSource, pin ? cert : null);
    }

    static URI parseUrl(String url, String source) {
        try {
            URI uri = new URI(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw CliException.usage("invalid node URL '" + url + "' from " + source + " (expected e.g. http://127.0.0.1:8080)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw CliException.usage("invalid node URL '" + url + "' from " + source + ": " + e.getReason());
        }
    }

    private static boolean isLocal(URI uri, String dataDirUrl) {
        if (dataDirUrl != null && stripSlash(dataDirUrl).equalsIgnoreCase(stripSlash(uri.toString()))) {
            return true;
        }
        String host = uri.getHost();
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        // Only literal addresses: never resolve a name just to decide whether to send a secret.
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static String stripSlash(String s) {
        String t = s.strip();
        return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }

    private static String readIfExists(Path file) {
        try {
            String s = Files.readString(file).strip();
            return s.isEmpty() ? null : s;
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            throw new CliException("cannot read " + file + ": permission denied");
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
