package dev.cumulus.web;

import java.util.Set;

/**
 * The web origins (such as {@code https://shop.example}) whose pages a project lets call a
 * browser-facing route across origins (CORS, {@link Route.Builder#cors}); none by default. The
 * {@link Api} answers preflights and adds {@code Access-Control-Allow-Origin} only for an origin
 * in this set (or any origin when it holds {@code *}).
 */
@FunctionalInterface
public interface AllowedOrigins {
    /** The project's allowed origins; empty for a project that allows none or does not exist. */
    Set<String> of(String project);
}
