package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/welcome-email end to end, wired as its deploy.sh wires it: a sign-up reaches the
 * function through topic user.created, the function sends the welcome template through
 * Context.mail() with its role's right, and exactly one welcome mail arrives, also when the SMTP
 * server is down at first and comes back (the outbox retries).
 */
class WelcomeEmailExampleTest {
    private static final Path EXAMPLE = Path.of(System.getProperty("cumulus.example.welcome.jar"));
    private static final String POLICY = """
            {"Version":"2026-12-01","Statement":[{"Sid":"WelcomeMail","Effect":"Allow","Action":"mail:SendMail",
             "Resource":"crn:cumulus:mail:default:outbox"}]}""";

    @TempDir
    static Path dataDir;

    static int port;
    static TestNode node;
    static GreenMail smtp;
    static String code;

    @BeforeAll
    static void start() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // nothing listens here until the test starts the server
        }
        node = new TestNode(dataDir, c -> c.withSmtp("smtp://127.0.0.1:" + port));
        code = node.upload(EXAMPLE);
        HttpResponse<String> role = node.send("POST", "/v1/roles",
                "{\"name\":\"welcome-mailer\",\"policy\":" + POLICY + "}");
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        node.deploy("welcome-email", "com.example.welcome.WelcomeEmail", Map.of("role", "welcome-mailer"), code);
        assertThat(node.send("PUT", "/v1/topics/user.created", null).statusCode()).isEqualTo(201);
        HttpResponse<String> sub = node.send("POST", "/v1/topics/user.created/subscriptions",
                TestNode.write(Map.of("function", "welcome-email")));
        assertThat(sub.statusCode()).as(sub.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        node.close();
        if (smtp != null) {
            smtp.stop();
        }
    }

    static List<MimeMessage> welcomesTo(String address) {
        return Arrays.stream(smtp.getReceivedMessages()).filter(m -> {
            try {
                return m.getSubject().startsWith("Welcome to") && m.getAllRecipients()[0].toString().equals(address);
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void aSignUpGetsExactlyOneWelcomeMailAlsoWhenTheRelayIsDownAtFirst() {
        HttpResponse<String> signup = node.send("POST", "/v1/projects/default/auth/signup",
                "{\"email\":\"new.customer@example.com\",\"password\":\"correct horse battery\"}", null);
        assertThat(signup.statusCode()).as(signup.body()).isEqualTo(202);
        // the function ran and queued the welcome; the relay is down, so it waits for a retry
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            JsonNode messages = TestNode.json(node.send("GET", "/v1/mail/outbox", null)).path("messages");
            for (JsonNode m : messages) {
                if (m.path("template").asText().equals("welcome") && m.path("state").asText().equals("retry-wait")) {
                    return true;
                }
            }
            return false;
        });
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> welcomesTo("new.customer@example.com").size() == 1);
        MimeMessage welcome = welcomesTo("new.customer@example.com").getFirst();
        assertThat(GreenMailUtil.getBody(welcome)).contains("new.customer@example.com is ready");
        await().atMost(Duration.ofSeconds(30)).until(() -> TestNode.json(node.send("GET", "/v1/mail/outbox", null))
                .path("messages").findValuesAsText("state").stream().allMatch("sent"::equals));
        assertThat(welcomesTo("new.customer@example.com")).as("exactly one").hasSize(1);
    }

    @Test
    void aFunctionWhoseRoleMayNotMailIsRefused() {
        node.deploy("no-mail-rights", "com.example.welcome.WelcomeEmail", Map.of(), code);
        HttpResponse<String> invoked = node.invoke("no-mail-rights", Map.of("userId", "u-1", "email", "x@example.com"));
        assertThat(invoked.headers().firstValue("X-Cumulus-Function-Error")).as(invoked.body()).isPresent();
        assertThat(invoked.body()).contains("mail:SendMail");
    }
}
