package dev.cumulus.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Function URL cookies stay on their function's own path (HttpExchanges.scopeCookies). */
class CookieScopeTest {
    private static final String BASE = "/fn/shop/";

    @Test
    void aCookieWithoutPathOrForTheWholeSiteGetsTheFunctionsPath() {
        assertThat(HttpExchanges.scopeCookie("sid=1", BASE)).isEqualTo("sid=1; Path=/fn/shop/");
        assertThat(HttpExchanges.scopeCookie("sid=1; Path=/; HttpOnly", BASE)).isEqualTo("sid=1; HttpOnly; Path=/fn/shop/");
        assertThat(HttpExchanges.scopeCookie("sid=1; path=/v1", BASE)).isEqualTo("sid=1; Path=/fn/shop/");
    }

    @Test
    void aNarrowerPathIsKeptAndANeighboursIsNot() {
        assertThat(HttpExchanges.scopeCookie("a=1; Path=/fn/shop/cart; Secure", BASE))
                .isEqualTo("a=1; Secure; Path=/fn/shop/cart");
        assertThat(HttpExchanges.scopeCookie("a=1; Path=/fn/shop", BASE)).isEqualTo("a=1; Path=/fn/shop");
        assertThat(HttpExchanges.scopeCookie("a=1; Path=/fn/shopping", BASE)).isEqualTo("a=1; Path=/fn/shop/");
        assertThat(HttpExchanges.scopeCookie("a=1; Path=/fn/other/", BASE)).isEqualTo("a=1; Path=/fn/shop/");
    }

    @Test
    void domainIsDroppedAndOtherAttributesKept() {
        assertThat(HttpExchanges.scopeCookie("a=1; Domain=example.com; Max-Age=60; SameSite=Strict", BASE))
                .isEqualTo("a=1; Max-Age=60; SameSite=Strict; Path=/fn/shop/");
    }

    @Test
    void aSetCookieAmongThePlainHeadersIsScopedToo() {
        var answer = new FunctionUrlEvents.HttpResponse(200, Map.of("set-cookie", "h=1; Path=/", "x-other", "v"),
                List.of("c=1"), new byte[0]);

        var scoped = HttpExchanges.scopeCookies(answer, BASE);

        assertThat(scoped.headers()).containsExactly(Map.entry("x-other", "v"));
        assertThat(scoped.cookies()).containsExactly("c=1; Path=/fn/shop/", "h=1; Path=/fn/shop/");
    }
}
