package dev.cumulus.sources;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** Broker URL helpers: credentials out of a URL, and a URL fit to show. */
final class Urls {
    private Urls() {}

    /** {@code user:password} of the URL, decoded; null parts when absent. */
    record Credentials(String user, String password) {}

    static Credentials credentials(URI uri) {
        String info = uri.getRawUserInfo();
        if (info == null || info.isEmpty()) {
            return new Credentials(null, null);
        }
        int colon = info.indexOf(':');
        String user = colon < 0 ? info : info.substring(0, colon);
        String password = colon < 0 ? null : info.substring(colon + 1);
        return new Credentials(decode(user), password == null ? null : decode(password));
    }

    /** The URL with its password replaced by {@code ***}, for the API and the logs. */
    static String redact(String url) {
        try {
            URI uri = new URI(url);
            String info = uri.getRawUserInfo();
            if (info == null || !info.contains(":")) {
                return url;
            }
            return url.replaceFirst(java.util.regex.Pattern.quote(info + "@"),
                    java.util.regex.Matcher.quoteReplacement(info.substring(0, info.indexOf(':')) + ":***@"));
        } catch (java.net.URISyntaxException e) {
            return url;
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
