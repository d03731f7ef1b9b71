package {{package}};

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlerTest {
    /** A Lambda Context for calling the handler outside a runtime: it keeps what the handler logs. */
    record TestContext(List<String> lines) implements Context {
        public String getAwsRequestId() { return "test-request"; }
        public String getLogGroupName() { return "/aws/lambda/{{name}}"; }
        public String getLogStreamName() { return "test"; }
        public String getFunctionName() { return "{{name}}"; }
        public String getFunctionVersion() { return "$LATEST"; }
        public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:{{name}}"; }
        public CognitoIdentity getIdentity() { return null; }
        public ClientContext getClientContext() { return null; }
        public int getRemainingTimeInMillis() { return 30_000; }
        public int getMemoryLimitInMB() { return 256; }

        public LambdaLogger getLogger() {
            return new LambdaLogger() {
                public void log(String message) { lines.add(message); }
                public void log(byte[] message) { lines.add(new String(message, StandardCharsets.UTF_8)); }
            };
        }
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
