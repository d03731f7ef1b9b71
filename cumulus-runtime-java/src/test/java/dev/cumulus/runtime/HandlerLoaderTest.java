package dev.cumulus.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(ContextLoaderRestored.class)
class HandlerLoaderTest {
    @TempDir
    static Path work;

    static Path taskRoot;


    @BeforeAll
    static void compileFunctions() throws Exception {
        taskRoot = Functions.buildTaskRoot(work);
    }

    private static String invoke(String handlerSpec, String event) throws Throwable {
        Handler handler = HandlerLoader.load(taskRoot.toString(), handlerSpec);
        InvocationContext context = new InvocationContext("req-1", "hello", "7", 256,
                System.currentTimeMillis() + 60_000, message -> {}, null);
        return new String(handler.handle(event.getBytes(StandardCharsets.UTF_8), context), StandardCharsets.UTF_8);
    }

    @Test
    void requestHandlerGetsTheEventAsItsRecordTypeAndTheContext() throws Throwable {
        Object result = JsonParser.parse(invoke("fn.Greeter", "{\"name\":\"Ada\",\"age\":36,\"extra\":[1]}"));

        assertThat(result).isEqualTo(JsonParser.parse("""
                {"greeting":"Hello Ada","age":36,"requestId":"req-1","function":"hello:7:256",
                 "hasTime":true,"trace":null}"""));
    }

    @Test
    void requestStreamHandlerSeesRawBytes() throws Throwable {
        assertThat(invoke("fn.Upper", "not json at all")).isEqualTo("NOT JSON AT ALL");
    }

    @Test
    void eventTypeIsResolvedThroughAGenericSuperclass() throws Throwable {
        assertThat(invoke("fn.Sum", "[1, 2, 3000000000]")).isEqualTo("\"sum=3000000003\"");
    }

    @Test
    void staticMethodTakingTheEventUsesALibraryFromLib() throws Throwable {
        assertThat(invoke("fn.Methods::shout", "\"hey\"")).isEqualTo("\"HEY!\"");
    }

    @Test
    void instanceMethodTakingTheEventAndContext() throws Throwable {
        assertThat(invoke("fn.Methods::greet", "{\"name\":\"Bo\"}")).isEqualTo("\"hi Bo req-1\"");
    }

    @Test
    void streamMethodsWithAndWithoutContext() throws Throwable {
        assertThat(invoke("fn.Methods::copy", "{\"a\": 1}")).isEqualTo("{\"a\": 1}");
        assertThat(invoke("fn.Methods::tag", "raw")).isEqualTo("req-1:raw");
    }

    @Test
    void voidMethodAnswersJsonNull() throws Throwable {
        assertThat(invoke("fn.Methods::nothing", "{}")).isEqualTo("null");
    }

    @Test
    void genericParameterOfAMethodIsBound() throws Throwable {
        assertThat(invoke("fn.Methods::count", "[\"a\",\"b\"]")).isEqualTo("2");
    }

    @Test
    void functionCannotSeeTheRuntimeButRunsWithItsOwnContextLoader() throws Throwable {
        assertThat(invoke("fn.Methods::seesRuntime", "null")).isEqualTo("false");
        assertThat(invoke("fn.Methods::contextLoader", "null")).isEqualTo("\"true\"");
    }

    @Test
    void exceptionsFromTheFunctionPropagateUnwrapped() {
        assertThatThrownBy(() -> invoke("fn.Methods::fail", "\"x\""))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("nope: x");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "fn.Missing                    | Runtime.ClassNotFound        | Class not found: fn.Missing",
        "fn.Methods::missing           | Runtime.NoSuchMethod         | No public method missing in fn.Methods",
        "fn.Methods::badSignature      | Runtime.NoSuchMethod         | takes (I), (I, Context)",
        "fn.NoDefaultConstructor::handle | Runtime.NoSuchMethod       | has no no-argument constructor",
        "fn.ExplodingConstructor       | Runtime.HandlerInitError     | no config",
        "fn.ExplodingStatic            | Runtime.HandlerInitError     | not a number",
        "fn.Base                       | Runtime.HandlerInitError     | abstract",
        "fn.NotAHandler                | Runtime.InvalidHandler       | implements neither",
        "fn.Methods::                  | Runtime.MalformedHandlerName | is not of the form",
        "'::x'                         | Runtime.MalformedHandlerName | is not of the form",
    })
    void initErrors(String handler, String errorType, String messagePart) {
        assertThatThrownBy(() -> HandlerLoader.load(taskRoot.toString(), handler))
                .isInstanceOfSatisfying(InitException.class, e -> assertThat(e.errorType()).isEqualTo(errorType))
                .hasMessageContaining(messagePart);
    }

    @Test
    void missingCodeDirectoryAndMissingHandlerAreInitErrors() {
        assertThatThrownBy(() -> HandlerLoader.load(work.resolve("nowhere").toString(), "fn.Greeter"))
                .isInstanceOfSatisfying(InitException.class,
                        e -> assertThat(e.errorType()).isEqualTo(InitException.INVALID_TASK_ROOT));
        assertThatThrownBy(() -> HandlerLoader.load(null, "fn.Greeter"))
                .isInstanceOfSatisfying(InitException.class,
                        e -> assertThat(e.errorType()).isEqualTo(InitException.INVALID_TASK_ROOT));
        assertThatThrownBy(() -> HandlerLoader.load(taskRoot.toString(), null))
                .isInstanceOfSatisfying(InitException.class,
                        e -> assertThat(e.errorType()).isEqualTo(InitException.MALFORMED_HANDLER));
    }

    @Test
    void initErrorDocumentNamesTheUnderlyingException() throws Exception {
        InitException e = org.junit.jupiter.api.Assertions.assertThrows(InitException.class,
                () -> HandlerLoader.load(taskRoot.toString(), "fn.ExplodingConstructor"));

        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) JsonParser.parse(ErrorReport.forInit(e));

        assertThat(doc).containsEntry("errorType", "java.lang.IllegalStateException");
        assertThat((String) doc.get("errorMessage")).contains("Constructor of fn.ExplodingConstructor threw");
        assertThat(doc.get("stackTrace").toString()).contains("at fn.ExplodingConstructor.<init>");
    }
}
