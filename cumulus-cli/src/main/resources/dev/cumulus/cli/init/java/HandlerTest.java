package {{package}};

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cumulus.function.Context;
import dev.cumulus.function.FunctionLogger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlerTest {
    /** A Context for calling the handler outside Cumulus: it keeps what the handler logs. */
    record TestContext(List<String> lines) implements Context {
        public String requestId() { return "test-request"; }
        public String functionName() { return "{{name}}"; }
        public String functionVersion() { return "$LATEST"; }
        public int memoryLimitMb() { return 256; }
        public long remainingTimeMillis() { return 30_000; }
        public FunctionLogger logger() { return lines::add; }
    }

    @Test
    void greetsByName() {
        TestContext context = new TestContext(new ArrayList<>());

        Map<String, String> answer = new Handler().handleRequest(Map.of("name", "Ada"), context);

        assertEquals(Map.of("greeting", "Hello, Ada!"), answer);
        assertEquals(List.of("greeting Ada"), context.lines());
    }

    @Test
    void greetsTheWorldWithoutAName() {
        assertEquals("Hello, world!", new Handler().handleRequest(Map.of(), new TestContext(new ArrayList<>())).get("greeting"));
    }
}
