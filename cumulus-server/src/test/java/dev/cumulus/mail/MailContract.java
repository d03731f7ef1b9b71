package dev.cumulus.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.cumulus.auth.SecretBox;
import dev.cumulus.errors.ApiException;
import dev.cumulus.store.TestDatabase;
import dev.cumulus.web.Json;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox over a real SMTP server (GreenMail); one subclass per Store backend. */
abstract class MailContract {
    static final Mail.Settings FAST = new Mail.Settings(Duration.ofMillis(100), Duration.ofMillis(200),
            Duration.ofSeconds(1), 50);

    @TempDir
    Path dir;

    TestDatabase test;
    SecretBox box;
    GreenMail smtp;
    int port;
    Mail mail;

    abstract TestDatabase.Backend backend();

    @BeforeEach
    void open() throws IOException {
        test = TestDatabase.create(backend(), dir.resolve("data"));
        box = SecretBox.loadOrCreate(Files.createDirectories(dir.resolve("node")));
        port = freePort();
    }

    @AfterEach
    void close() {
        if (mail != null) {
            mail.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
        test.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    void startSmtp() {
        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
    }

    Mail start(String nodeRelay) {
        mail = Mail.start(test.db(), box, nodeRelay == null ? null : SmtpServer.parse(nodeRelay), FAST, Clock.systemUTC());
        return mail;
    }

    String state(String id) {
        return mail.outbox("shop", 100).stream().filter(m -> m.get("id").equals(id)).findFirst().orElseThrow()
                .get("state").toString();
    }

    @Test
    void aQueuedMailIsDeliveredThroughTheNodesRelayAndItsBodyIsSealedInTheStore() throws Exception {
        startSmtp();
        start("smtp://127.0.0.1:" + port);
        String id = mail.send("shop", "verification", "ada@example.com", Map.of("token", "tok-123-secret"));
        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length == 1);
        MimeMessage received = smtp.getReceivedMessages()[0];
        assertThat(received.getAllRecipients()[0].toString()).isEqualTo("ada@example.com");
        assertThat(received.getSubject()).isEqualTo("Confirm your email address for shop");
        assertThat(GreenMailUtil.getBody(received)).contains("tok-123-secret");
        await().atMost(Duration.ofSeconds(10)).until(() -> state(id).equals("sent"));
        String sealed = test.db().withConnection(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT sealed_body FROM mail_outbox WHERE mail_id = ?")) {
                q.setString(1, id);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getString(1);
                }
            }
        });
        assertThat(sealed).doesNotContain("tok-123-secret");
        assertThat(mail.outbox("shop", 10).getFirst()).doesNotContainKey("body");
    }

    @Test
    void whileTheRelayIsDownTheMailWaitsAndIsDeliveredOnceWhenItComesBack() throws Exception {
        start("smtp://127.0.0.1:" + port); // nothing listens there yet
        String id = mail.send("shop", "welcome", "bob@example.com", Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Map<String, Object> row = mail.outbox("shop", 10).getFirst();
            return row.get("state").equals("retry-wait") && (int) row.get("attempts") >= 2;
        });
        assertThat(mail.outbox("shop", 10).getFirst().get("lastError").toString()).isNotBlank();
        startSmtp();
        await().atMost(Duration.ofSeconds(20)).until(() -> state(id).equals("sent"));
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("Welcome to shop");
    }

    @Test
    void aProjectsOwnRelaySenderAndTemplatesWinOverTheNodes() throws Exception {
        startSmtp();
        start(null); // the node has no relay: the project brings its own
        mail.put("shop", Json.MAPPER.readTree("""
                {"smtp": "smtp://mailer:s3cret@127.0.0.1:%d", "from": "Shop <hello@shop.example>",
                 "verifyUrl": "https://shop.example/verify",
                 "templates": {"verification": {"subject": "Hi {{email}}", "body": "Click {{link}}"}}}""".formatted(port)));
        Map<String, Object> view = mail.view("shop");
        assertThat(view.get("smtp")).isEqualTo("smtp://mailer:***@127.0.0.1:" + port);
        assertThat(view.toString()).doesNotContain("s3cret");
        smtp.setUser("mailer", "s3cret");
        mail.send("shop", "verification", "cy@example.com", Map.of("token", "abc"));
        await().atMost(Duration.ofSeconds(20)).until(() -> smtp.getReceivedMessages().length == 1);
        MimeMessage received = smtp.getReceivedMessages()[0];
        assertThat(received.getSubject()).isEqualTo("Hi cy@example.com");
        assertThat(received.getFrom()[0].toString()).contains("hello@shop.example");
        assertThat(GreenMailUtil.getBody(received)).contains("Click https://shop.example/verify?token=abc");
    }

    @Test
    void aProjectCannotSendMoreThanItsLimitPerHour() throws Exception {
        start(null);
        mail.put("shop", Json.MAPPER.readTree("{\"sendsPerHour\": 2}"));
        mail.send("shop", "test", "a@example.com", Map.of());
        mail.send("shop", "test", "a@example.com", Map.of());
        assertThatThrownBy(() -> mail.send("shop", "test", "a@example.com", Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(429));
        assertThat(mail.send("other", "test", "a@example.com", Map.of())).startsWith("mail-");
    }

    @Test
    void badSettingsAreRefusedPrecisely() {
        start(null);
        for (String bad : List.of("{\"smtp\": \"http://x\"}", "{\"sendsPerHour\": 0}", "{\"from\": \"nobody\"}",
                "{\"templates\": {\"unknown\": {}}}", "{\"colour\": \"red\"}", "{\"verifyUrl\": \"javascript:x\"}")) {
            assertThatThrownBy(() -> mail.put("shop", Json.MAPPER.readTree(bad))).as(bad)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    @Test
    void smtpUrlsParseWithTheirLoginAndNeverShowThePassword() {
        SmtpServer plain = SmtpServer.parse("smtp://mail.local:2525");
        assertThat(plain).isEqualTo(new SmtpServer("mail.local", 2525, false, null, null));
        SmtpServer tls = SmtpServer.parse("smtps://me%40x.org:p%3Ass@smtp.x.org:465");
        assertThat(tls.user()).isEqualTo("me@x.org");
        assertThat(tls.password()).isEqualTo("p:ss");
        assertThat(tls.tls()).isTrue();
        assertThat(tls.toString()).doesNotContain("p:ss");
        assertThatThrownBy(() -> SmtpServer.parse("smtp://user:hunter2@/")).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> SmtpServer.parse("imap://x:1")).isInstanceOf(IllegalArgumentException.class);
    }
}
