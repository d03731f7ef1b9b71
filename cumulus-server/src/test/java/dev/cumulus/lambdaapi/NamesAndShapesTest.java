package dev.cumulus.lambdaapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cumulus.errors.ApiException;
import dev.cumulus.logs.LogLine;
import dev.cumulus.registry.FunctionArns;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Pure parts of the Lambda API: function references, runtime names, log tails, error mapping. */
class NamesAndShapesTest {
    private static final String ACCOUNT = "000000000000";

    @Test
    void readsNamesPartialAndFullArnsWithQualifiers() {
        assertThat(FunctionRef.parse("f", null, ACCOUNT)).isEqualTo(new FunctionRef("f", null));
        assertThat(FunctionRef.parse("f:live", null, ACCOUNT)).isEqualTo(new FunctionRef("f", "live"));
        assertThat(FunctionRef.parse("f", "3", ACCOUNT)).isEqualTo(new FunctionRef("f", "3"));
        assertThat(FunctionRef.parse("f:$LATEST", "$LATEST", ACCOUNT)).isEqualTo(new FunctionRef("f", "$LATEST"));
        assertThat(FunctionRef.parse("000000000000:function:f", null, ACCOUNT)).isEqualTo(new FunctionRef("f", null));
        assertThat(FunctionRef.parse("arn:aws:lambda:eu-west-1:000000000000:function:my_fn-2:7", null, ACCOUNT))
                .isEqualTo(new FunctionRef("my_fn-2", "7"));
        assertThat(FunctionRef.parse("f:live", null, ACCOUNT).qualifiedName()).isEqualTo("f:live");
        assertThat(FunctionArns.function("us-east-1", "default", "f", null))
                .isEqualTo("arn:aws:lambda:us-east-1:984327297149:function:f");
        assertThat(FunctionArns.function("eu-west-1", "default", "f", "live"))
                .isEqualTo("arn:aws:lambda:eu-west-1:984327297149:function:f:live");
    }

    @Test
    void eachProjectHasItsOwnTwelveDigitAccount() {
        assertThat(FunctionArns.account("default")).isEqualTo("984327297149");
        assertThat(FunctionArns.account("other")).matches("[0-9]{12}").isNotEqualTo(FunctionArns.account("default"));
    }

    @Test
    void refusesWhatIsNotAFunctionReference() {
        assertRefused(() -> FunctionRef.parse("f:1", "2", ACCOUNT), 400, "InvalidParameterValueException");
        assertRefused(() -> FunctionRef.parse("bad name", null, ACCOUNT), 400, "InvalidParameterValueException");
        assertRefused(() -> FunctionRef.parse("arn:aws:s3:::bucket", null, ACCOUNT), 400, "InvalidParameterValueException");
        assertRefused(() -> FunctionRef.parse("", null, ACCOUNT), 400, "InvalidParameterValueException");
        assertRefused(() -> FunctionRef.parse("123456789012:function:f", null, ACCOUNT), 404, "ResourceNotFoundException");
        assertRefused(() -> FunctionRef.parse("f:1", null, ACCOUNT).unqualified(), 400, "InvalidParameterValueException");
    }

    @Test
    void mapsLambdaRuntimesToCumulusOnes() {
        for (String java : List.of("java11", "java17", "java21", "java25")) {
            assertThat(Runtimes.toCumulus(java)).isEqualTo("java25");
        }
        for (String provided : List.of("provided", "provided.al2", "provided.al2023")) {
            assertThat(Runtimes.toCumulus(provided)).isEqualTo("provided");
        }
        assertRefused(() -> Runtimes.toCumulus("nodejs22.x"), 400, "InvalidParameterValueException");
        assertRefused(() -> Runtimes.toCumulus("java8"), 400, "InvalidParameterValueException");
    }

    @Test
    void theLogTailIsTheLastFourKilobytesOfTheInvocationsLines() {
        List<LogLine> few = List.of(line("one"), line("two"));
        assertThat(decode(Operations.logTail(few))).isEqualTo("one\ntwo\n");
        assertThat(Operations.logTail(List.of())).isEmpty();

        List<LogLine> many = IntStream.range(0, 1000).mapToObj(i -> line(String.format("line %04d", i))).toList();
        String tail = decode(Operations.logTail(many));
        assertThat(tail).hasSize(Operations.LOG_TAIL_BYTES).endsWith("line 0999\n");
    }

    @Test
    void registryRefusalsGetLambdasErrorTypes() {
        assertThat(translate(ApiException.notFound("x")).type()).isEqualTo("ResourceNotFoundException");
        assertThat(translate(ApiException.badRequest("InvalidParameter", "x")).type())
                .isEqualTo("InvalidParameterValueException");
        assertThat(translate(ApiException.badRequest("MalformedJson", "x")).type())
                .isEqualTo("InvalidRequestContentException");
        assertThat(translate(ApiException.conflict("AliasExists", "x")).status()).isEqualTo(409);
        assertThat(translate(ApiException.tooLarge("x")).type()).isEqualTo("RequestTooLargeException");
        assertThat(translate(new ApiException(412, "PreconditionFailed", "x")).type())
                .isEqualTo("PreconditionFailedException");
        assertThat(translate(new ApiException(503, "Unavailable", "x")).kind()).isEqualTo("Service");
    }

    @Test
    void theNodesOwnFailuresGetLambdasShape() {
        LambdaErrors.Shape throttled = LambdaErrors.shape(dev.cumulus.web.Failure.of(
                new dev.cumulus.scheduler.ThrottledException("busy", java.time.Duration.ofSeconds(3))), null);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.type()).isEqualTo("TooManyRequestsException");
        assertThat(throttled.retryAfter()).isEqualTo("3");
        assertThat(throttled.extra()).containsEntry("retryAfterSeconds", "3")
                .containsEntry("Reason", "ConcurrentInvocationLimitExceeded");
        LambdaErrors.Shape large = LambdaErrors.shape(dev.cumulus.web.Failure.of(
                new dev.cumulus.web.Exchange.BodyTooLargeException(2048)), null);
        assertThat(large.type()).isEqualTo("RequestTooLargeException");
        assertThat(large.message()).isEqualTo("Request must be smaller than 2048 bytes for this operation");
        LambdaErrors.Shape broken = LambdaErrors.shape(dev.cumulus.web.Failure.of(new IllegalStateException("x")), null);
        assertThat(broken.status()).isEqualTo(500);
        assertThat(broken.kind()).isEqualTo("Service");
        assertThat(broken.message()).doesNotContain("x");
        // SigV4's refusals carry only a message, as Lambda's do
        LambdaErrors.Shape unsigned = translate(new ApiException(403, "InvalidSignatureException", "bad"));
        assertThat(unsigned.kind()).isNull();
        assertThat(unsigned.type()).isEqualTo("InvalidSignatureException");
        assertThat(translate(new ApiException(403, "AccessDenied", "no")).type()).isEqualTo("AccessDeniedException");
    }

    private static LambdaErrors.Shape translate(ApiException refusal) {
        return LambdaErrors.refused(dev.cumulus.web.Failure.of(refusal));
    }

    private static LogLine line(String text) {
        return new LogLine(0, Instant.EPOCH, "f", "i", "r", text);
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    private static void assertRefused(Runnable call, int status, String type) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(type);
        });
    }
}
