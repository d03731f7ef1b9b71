package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;

/** A node whose mail relay is a real SMTP server (GreenMail) on a free port, with the projects named. */
record MailNode(GreenMail smtp, TestNode node) implements AutoCloseable {
    static MailNode start(Path dataDir, String... projects) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        TestNode node = new TestNode(dataDir, c -> c.withStemCells(0).withSmtp("smtp://127.0.0.1:" + port));
        for (String project : projects) {
            assertThat(node.send("POST", "/v1/projects", "{\"name\":\"" + project + "\"}").statusCode()).isEqualTo(201);
        }
        return new MailNode(smtp, node);
    }

    @Override
    public void close() {
        node.close();
        smtp.stop();
    }
}
