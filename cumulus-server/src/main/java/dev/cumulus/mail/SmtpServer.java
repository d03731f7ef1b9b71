package dev.cumulus.mail;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A mail relay as {@code serve --smtp} and a project's mail settings name it:
 * {@code smtp://HOST:PORT} (plain SMTP, STARTTLS when the relay offers it) or
 * {@code smtps://USER:PASS@HOST:PORT} (TLS from the first byte, with a login). A login may be given
 * with {@code smtp://} too; user and password are percent-decoded.
 *
 * @param user null without a login
 */
public record SmtpServer(String host, int port, boolean tls, String user, String password) {

    /** @throws IllegalArgumentException with what is wrong, for a 400 or a usage error */
    public static SmtpServer parse(String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("'" + redact(url) + "' is not a URL like smtp://HOST:PORT");
        }
        String scheme = uri.getScheme();
        if (!"smtp".equals(scheme) && !"smtps".equals(scheme)) {
            throw new IllegalArgumentException("the mail relay's URL starts with smtp:// or smtps://, not '"
                    + redact(url) + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new IllegalArgumentException("the mail relay's URL names no host: '" + redact(url) + "'");
        }
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
            throw new IllegalArgumentException("the mail relay's URL has no path: '" + redact(url) + "'");
        }
        boolean tls = scheme.equals("smtps");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 465 : 25;
        String user = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
            password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
        }
        return new SmtpServer(uri.getHost(), port, tls, user, password);
    }

    /** The URL without its password, for logs and answers. */
    public String shown() {
        return (tls ? "smtps" : "smtp") + "://" + (user == null ? "" : user + ":***@") + host + ":" + port;
    }

    @Override
    public String toString() {
        return shown();
    }

    private static String redact(String url) {
        return url == null ? "null" : url.replaceAll("//([^:/@]*):[^@]*@", "//$1:***@");
    }
}
