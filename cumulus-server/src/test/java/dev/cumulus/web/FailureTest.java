package dev.cumulus.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cumulus.errors.ApiException;
import dev.cumulus.scheduler.ThrottledException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.io.EofException;
import org.junit.jupiter.api.Test;

/** The one mapping from what a handler throws to what the client is told. */
class FailureTest {

    @Test
    void aRefusalKeepsItsStatusCodeMessageAndDetails() {
        Failure f = Failure.of(new ApiException(409, "FunctionInUse", "used", Map.of("dependents", List.of("r-1"))));
        assertThat(f.kind()).isEqualTo(Failure.Kind.REFUSED);
        assertThat(f.status()).isEqualTo(409);
        assertThat(f.code()).isEqualTo("FunctionInUse");
        assertThat(f.message()).isEqualTo("used");
        assertThat(f.details()).containsEntry("dependents", List.of("r-1"));
        assertThat(f.retryAfter()).isNull();
    }

    @Test
    void throttlingIs429WithRetryAfterInWholeSecondsAtLeastOne() {
        Failure f = Failure.of(new ThrottledException("busy", Duration.ofMillis(300)));
        assertThat(f.kind()).isEqualTo(Failure.Kind.THROTTLED);
        assertThat(f.status()).isEqualTo(429);
        assertThat(f.code()).isEqualTo("TooManyRequests");
        assertThat(f.retryAfter()).isEqualTo("1");
        assertThat(Failure.of(new ThrottledException("busy", Duration.ofSeconds(7))).retryAfter()).isEqualTo("7");
    }

    @Test
    void aRefused429ThatSaysWhenToComeBackSaysItInRetryAfter() {
        Failure f = Failure.of(new dev.cumulus.errors.ApiException(429, "TooManyRequests", "slow down",
                java.util.Map.of("retryAfterSeconds", 12L)));
        assertThat(f.status()).isEqualTo(429);
        assertThat(f.retryAfter()).isEqualTo("12");
        assertThat(Failure.of(new dev.cumulus.errors.ApiException(400, "Bad", "no",
                java.util.Map.of("retryAfterSeconds", 12L))).retryAfter()).isNull();
    }

    @Test
    void bodiesTooLargeOrTooSlowAndShutdownHaveTheirOwnStatuses() {
        Failure large = Failure.of(new Exchange.BodyTooLargeException(1024));
        assertThat(large.status()).isEqualTo(413);
        assertThat(large.code()).isEqualTo("PayloadTooLarge");
        assertThat(large.message()).contains("1024");
        Failure slow = Failure.of(new Exchange.BodyTimeoutException(BodyDeadline.DEFAULT));
        assertThat(slow.status()).isEqualTo(408);
        assertThat(slow.code()).isEqualTo("RequestTimeout");
        Failure stopping = Failure.of(new InterruptedException());
        assertThat(stopping.status()).isEqualTo(503);
        assertThat(stopping.code()).isEqualTo("ShuttingDown");
        assertThat(Failure.of(new EofException()).kind()).isEqualTo(Failure.Kind.CLIENT_GONE);
    }

    @Test
    void anythingElseIsA500WithoutInternals() {
        Failure f = Failure.of(new IllegalStateException("secret path /var/lib/cumulus/x"));
        assertThat(f.kind()).isEqualTo(Failure.Kind.INTERNAL);
        assertThat(f.status()).isEqualTo(500);
        assertThat(f.code()).isEqualTo("InternalError");
        assertThat(f.message()).doesNotContain("secret");
        assertThat(Failure.of(new NoClassDefFoundError("x")).kind()).isEqualTo(Failure.Kind.INTERNAL);
    }

    @Test
    void theRoutersOwnFailuresSayWhatIsThereAndWhatIsAllowed() {
        assertThat(Failure.noRoute("GET", "/v1/x").status()).isEqualTo(404);
        Failure wrong = Failure.wrongMethod("DELETE", "/v1/functions", List.of("GET", "POST"));
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.allow()).containsExactly("GET", "POST");
        assertThat(wrong.message()).isEqualTo("use GET or POST");
    }
}
