package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cumulus.edge.EdgeTls;
import dev.cumulus.sandbox.Sandboxes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.LambdaException;

/**
 * Issue 10, parts 1, 5, 6 and 8, attacked on real nodes: a host whose bubblewrap is broken,
 * function secrets looked for on every process of the host, the data dir's modes and the root
 * token's files, mount grants aimed at the node's own state (also through symlinks, also after
 * the grant), an access key trying to swap the code beside a root-granted mount, and plain HTTP
 * against a node bound beyond loopback. After each attack another function still answers.
 */
class AttackSecretsAndStartupTest {
    @TempDir
    static Path dir;

    /** One bwrap node with stem cells on, the default, shared by the attacks that do not restart it. */
    static TestNode node;
    /** The bystander's latency and the node's heap before any attack: each attack must leave both. */
    static NodeHealth before;

    @BeforeAll
    static void start() throws IOException {
        node = new TestNode(Files.createDirectories(dir.resolve("shared")), c -> c);
        node.deploy("bystander", "dev.cumulus.testfn.Hello", Map.of());
        before = NodeHealth.measure(node, "bystander");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    // ---- part 1: fail closed -------------------------------------------------------------

    @Test
    void aNodeWhoseBubblewrapIsBrokenRefusesToStartAndSaysWhatToDo() throws Exception {
        Path data = dir.resolve("broken-bwrap");
        NodeProcess refused = NodeProcess.start(data, brokenBwrapPath(), null);

        assertThat(refused.process.waitFor(60, TimeUnit.SECONDS)).as("the node process ends by itself").isTrue();
        assertThat(refused.process.exitValue()).isNotZero();
        assertThat(refused.url).as("it never listened").isNull();
        String message = refused.stderr();
        assertThat(message).contains("Cumulus will not start: it cannot sandbox function instances")
                .contains("What is missing: bwrap could not start a sandboxed process")
                .contains("bwrap: setting up uid map: Permission denied")
                .contains("apt-get install bubblewrap")
                .contains("What `cumulus doctor` found")
                .contains("[FAIL] bwrap sandbox starts")
                .contains("cumulus serve --sandbox none-i-trust-all-code");
        assertThat(data.resolve("root-token")).as("no token was made for a node that did not start").doesNotExist();
    }

    @Test
    void withTheExplicitModeItRunsUnisolatedAndEveryResponseAndHealthzSaySo() throws Exception {
        Path data = dir.resolve("no-isolation");
        NodeProcess unisolated = NodeProcess.start(data, brokenBwrapPath(), Sandboxes.NO_ISOLATION);
        try {
            assertThat(unisolated.url).as(unisolated::stderr).isNotNull();
            String token = Files.readString(data.resolve("root-token")).strip();
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> health = http.send(HttpRequest.newBuilder(unisolated.url.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(TestNode.json(health).get("sandbox").asText()).isEqualTo("none");
            assertThat(TestNode.json(health).get("warning").asText()).contains("NOT isolated");
            assertThat(health.headers().firstValue("X-Cumulus-Sandbox")).hasValue("none");

            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(unisolated.url.resolve("/v1/code"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/zip")
                    .POST(HttpRequest.BodyPublishers.ofFile(TestNode.TEST_FUNCTIONS)).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> deployed = http.send(HttpRequest.newBuilder(unisolated.url.resolve("/v1/functions/hello"))
                    .header("Authorization", "Bearer " + token).PUT(HttpRequest.BodyPublishers.ofString(TestNode.write(Map.of(
                            "handler", "dev.cumulus.testfn.Hello",
                            "codeSha256", TestNode.json(upload).get("sha256").asText())))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
            HttpResponse<String> invoked = http.send(HttpRequest.newBuilder(unisolated.url.resolve("/v1/functions/hello/invoke"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(invoked.statusCode()).as(invoked.body()).isEqualTo(200);
            assertThat(invoked.headers().firstValue("X-Cumulus-Sandbox")).hasValue("none");

            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(unisolated.url.resolve("/v1/functions/nope/invoke"))
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("X-Cumulus-Sandbox")).as("errors say it too").hasValue("none");
        } finally {
            unisolated.stop();
        }
    }

    @Test
    void anIsolatedNodeSaysWhichSandboxItRunsAndAddsNoWarning() {
        HttpResponse<String> health = node.send("GET", "/healthz", null, null);

        assertThat(TestNode.json(health).get("sandbox").asText()).isEqualTo("bwrap");
        assertThat(TestNode.json(health).has("warning")).isFalse();
        assertThat(node.invoke("bystander", Map.of("name", "x")).headers().firstValue("X-Cumulus-Sandbox")).isEmpty();
    }

    // ---- part 5: secrets never leak through the host -------------------------------------

    @Test
    void noFunctionEnvironmentValueIsOnAnyCommandLineAndOnlyTheFunctionsOwnProcessHoldsIt() throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID();
        // stem cells are on: the 128 MB function may start from a cell (its environment comes
        // over the Runtime API socket), the 320 MB one starts from nothing (no cell of that size
        // exists yet), the provided bootstrap always does; bwrap hands the latter two their
        // environment through its file descriptor
        node.deploy("secret-cell", "dev.cumulus.testfn.Snoop", Map.of("environment", Map.of("API_KEY", secret)));
        node.deploy("secret-fresh", "dev.cumulus.testfn.Snoop",
                Map.of("memoryMb", 320, "environment", Map.of("API_KEY", secret, "QUOTED", "it's \"$(x)\"")));
        ProvidedFunctions.deploy(node, "secret-sh", "shell", "echo.handler", Map.of("environment", Map.of("API_KEY", secret)));

        JsonNode cellEnv = TestNode.json(node.invoke("secret-cell", Map.of("env", true))).get("env");
        JsonNode freshEnv = TestNode.json(node.invoke("secret-fresh", Map.of("env", true))).get("env");
        assertThat(node.invoke("secret-sh", Map.of("name", "x")).statusCode()).isEqualTo(200);
        assertThat(cellEnv.get("API_KEY").asText()).as("the function still gets its value").isEqualTo(secret);
        assertThat(freshEnv.get("API_KEY").asText()).isEqualTo(secret);
        assertThat(freshEnv.get("QUOTED").asText()).as("quotes arrive as written").isEqualTo("it's \"$(x)\"");

        // with all three instances alive: what `ps -eww` reads for every process of the host
        List<Long> onCommandLines = processesHolding(secret, "cmdline");
        assertThat(onCommandLines).as("processes whose command line holds the secret").isEmpty();
        Process ps = new ProcessBuilder("ps", "-eww", "-o", "pid=,args=").redirectErrorStream(true).start();
        String listing = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(listing).as("ps -eww lists the instances").contains("dev.cumulus.runtime.Main")
                .doesNotContain(secret);
        // the environment of a process is readable only by its user; even so, only the
        // function's own runtime holds the value, never bwrap, its launcher or the node. Each
        // holder is judged by its ancestry when found: the shell runtime starts a new curl for
        // every poll, so a list of the instances' descendants taken earlier goes stale
        Set<Long> instanceRoots = new java.util.HashSet<>();
        for (String f : List.of("secret-cell", "secret-fresh", "secret-sh")) {
            instanceRoots.addAll(node.instancePids(f));
        }
        List<Long> withTheSecret = processesHolding(secret, "environ");
        assertThat(withTheSecret).isNotEmpty()
                .allMatch(pid -> runsUnderOneOf(pid, instanceRoots), "runs in a function's instance");
        assertThat(withTheSecret).doesNotContain(ProcessHandle.current().pid());
        for (long pid : withTheSecret) {
            assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().command()).orElse(""))
                    .as("pid %d holds it", pid).doesNotEndWith("/bwrap");
        }
        assertThat(instanceEnvironmentFiles()).as("the 600 file lives only for the launch").isEmpty();
        assertBystanderAnswers();
    }

    @Test
    void theDataDirIsPrivateAndALooserOneIsTightened() throws IOException {
        Path data = Files.createDirectories(dir.resolve("loose"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path notes = Files.writeString(data.resolve("notes.txt"), "anything");
        Files.setPosixFilePermissions(notes, PosixFilePermissions.fromString("rw-r--r--"));

        try (TestNode loose = new TestNode(data, c -> c.withStemCells(0))) {
            assertThat(mode(data)).isEqualTo("rwx------");
            try (Stream<Path> files = Files.list(data)) {
                assertThat(files.filter(Files::isRegularFile).toList())
                        .extracting(Path::getFileName).extracting(Path::toString)
                        .contains("root-token", "root-token.sha256", "url", "notes.txt", "cumulus.db");
            }
            try (Stream<Path> files = Files.list(data)) {
                assertThat(files.filter(Files::isRegularFile)).allSatisfy(f -> assertThat(mode(f)).as(f.toString())
                        .isEqualTo("rw-------"));
            }
            assertThat(loose.send("GET", "/v1/functions", null).statusCode()).isEqualTo(200);
        }
        Path fresh = dir.resolve("fresh");
        try (TestNode created = new TestNode(fresh, c -> c.withStemCells(0))) {
            assertThat(mode(fresh)).isEqualTo("rwx------");
        }
    }

    @Test
    void theNodeKeepsOnlyTheTokensHashAndRunsWithoutTheClientsCopy() throws Exception {
        Path data = dir.resolve("hashed");
        String token;
        try (TestNode first = new TestNode(data, c -> c.withStemCells(0))) {
            token = first.platform.rootToken();
        }
        String hash = Files.readString(data.resolve("root-token.sha256")).strip();
        assertThat(hash).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8))));
        assertThat(hash).doesNotContain(token);
        // the operator took the token elsewhere: the node needs none of it back
        Files.delete(data.resolve("root-token"));
        try (TestNode second = new TestNode(data, c -> c.withStemCells(0))) {
            assertThat(second.send("GET", "/v1/functions", null, token).statusCode()).isEqualTo(200);
            assertThat(second.send("GET", "/v1/functions", null, token + "x").statusCode()).isEqualTo(401);
            assertThat(second.send("GET", "/v1/functions", null, hash).statusCode())
                    .as("the hash is no token").isEqualTo(401);
            assertThat(data.resolve("root-token")).doesNotExist();
        }
    }

    @Test
    void rotationStopsTheOldTokenAtOnce() throws IOException {
        Path data = dir.resolve("rotated");
        try (TestNode rotating = new TestNode(data, c -> c.withStemCells(0))) {
            String old = rotating.platform.rootToken();

            HttpResponse<String> rotated = rotating.send("POST", "/v1/token/rotate", null, old);

            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
            String fresh = TestNode.json(rotated).get("token").asText();
            assertThat(fresh).startsWith("cmls_").isNotEqualTo(old);
            assertThat(TestNode.json(rotated).get("file").asText()).isEqualTo(data.resolve("root-token").toAbsolutePath().toString());
            assertThat(rotating.send("GET", "/v1/functions", null, old).statusCode()).isEqualTo(401);
            assertThat(rotating.send("POST", "/v1/token/rotate", null, old).statusCode()).isEqualTo(401);
            assertThat(rotating.send("GET", "/v1/functions", null, fresh).statusCode()).isEqualTo(200);
            assertThat(Files.readString(data.resolve("root-token")).strip()).isEqualTo(fresh);
            assertThat(mode(data.resolve("root-token"))).isEqualTo("rw-------");
            assertThat(rotating.send("GET", "/v1/token/rotate", null, fresh).statusCode()).isEqualTo(405);
        }
    }

    // ---- part 6: admin-granted mounts -----------------------------------------------------

    @Test
    void mountsOfTheDataDirItsParentsItsInsideOrASymlinkToItAreRefusedWith400() throws IOException {
        Path data = node.dataDir.toRealPath();
        Path link = Files.createSymbolicLink(dir.resolve("innocent-looking"), data);
        Path linkToParent = Files.createSymbolicLink(dir.resolve("innocent-parent"), data.getParent());
        for (Path source : List.of(data, data.getParent(), Path.of("/"), data.resolve("code"),
                data.resolve("root-token"), link, linkToParent, Path.of(System.getProperty("java.io.tmpdir")))) {
            HttpResponse<String> response = node.send("PUT", "/v1/functions/greedy", TestNode.write(Map.of(
                    "handler", "dev.cumulus.testfn.Snoop", "codeSha256", node.testFunctionsCode(),
                    "mounts", List.of(Map.of("source", source.toString(), "target", "/mnt/loot")))));

            assertThat(response.statusCode()).as(source + ": " + response.body()).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(TestNode.json(response).get("error").asText()).isEqualTo("InvalidMount");
            assertThat(TestNode.json(response).get("message").asText()).contains(source.toString());
        }
        assertThat(node.send("GET", "/v1/functions/greedy", null).statusCode()).as("nothing was stored").isEqualTo(404);
        assertBystanderAnswers();
    }

    @Test
    void aSymlinkRepointedAtTheDataDirAfterTheGrantIsRefusedAtLaunch() throws IOException {
        Path harmless = Files.createDirectories(dir.resolve("harmless"));
        Files.writeString(harmless.resolve("hello.txt"), "hi");
        Path link = Files.createSymbolicLink(dir.resolve("switcheroo"), harmless);
        node.deploy("switched", "dev.cumulus.testfn.Snoop",
                Map.of("memoryMb", 192, "keepAliveSeconds", 0,
                        "mounts", List.of(Map.of("source", link.toString(), "target", "/mnt/data"))));
        JsonNode before = TestNode.json(node.invoke("switched", Map.of("list", "/mnt/data")));
        assertThat(before.get("entries")).as(before.toString()).extracting(JsonNode::asText).containsExactly("hello.txt");
        node.send("DELETE", "/v1/functions/switched/instances", null);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> node.processTree("switched").isEmpty());

        Files.delete(link);
        Files.createSymbolicLink(link, node.dataDir.toRealPath());
        HttpResponse<String> after = node.invoke("switched", Map.of("read", "/mnt/data/root-token"));

        assertThat(after.headers().firstValue("X-Cumulus-Function-Error")).as(after.body()).isPresent();
        assertThat(TestNode.json(after).get("errorType").asText()).isEqualTo("Runtime.StartFailed");
        assertThat(TestNode.json(after).get("errorMessage").asText()).contains("refusing mount " + link);
        assertThat(after.body()).doesNotContain(node.platform.rootToken());
        assertBystanderAnswers();
    }

    @Test
    void anAccessKeyCannotChangeWhatRunsBesideARootGrantedMount() throws IOException {
        Path shared = Files.createDirectories(dir.resolve("granted-share"));
        node.deploy("mounted", "dev.cumulus.testfn.Snoop",
                Map.of("mounts", List.of(Map.of("source", shared.toString(), "target", "/mnt/share"))));
        node.deploy("unmounted", "dev.cumulus.testfn.Snoop", Map.of());
        try (LambdaClient lambda = node.lambdaClient()) {
            SdkBytes otherCode = SdkBytes.fromByteArray(repacked(TestNode.TEST_FUNCTIONS));

            assertThatThrownBy(() -> lambda.updateFunctionCode(b -> b.functionName("mounted").zipFile(otherCode)))
                    .isInstanceOfSatisfying(LambdaException.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
                        assertThat(e.getMessage()).contains("host mounts");
                    });
            assertThatThrownBy(() -> lambda.updateFunctionConfiguration(b -> b.functionName("mounted")
                    .handler("dev.cumulus.testfn.Hello")))
                    .isInstanceOfSatisfying(LambdaException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            assertThatThrownBy(() -> lambda.updateFunctionConfiguration(b -> b.functionName("mounted")
                    .environment(env -> env.variables(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/mnt/share/a.jar")))))
                    .isInstanceOfSatisfying(LambdaException.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            // within their rights: settings that change nothing that runs, and functions without mounts
            lambda.updateFunctionConfiguration(b -> b.functionName("mounted").timeout(7));
            lambda.updateFunctionCode(b -> b.functionName("unmounted").zipFile(otherCode));
        }
        JsonNode mounted = TestNode.json(node.send("GET", "/v1/functions/mounted", null));
        assertThat(mounted.get("handler").asText()).isEqualTo("dev.cumulus.testfn.Snoop");
        assertThat(mounted.get("timeoutSeconds").asInt()).isEqualTo(7);
        // the authority that granted the mount may change the code
        node.deploy("mounted", "dev.cumulus.testfn.Hello",
                Map.of("mounts", List.of(Map.of("source", shared.toString(), "target", "/mnt/share"))));
        assertBystanderAnswers();
    }

    // ---- part 8: TLS -----------------------------------------------------------------------

    @Test
    void aNodeBoundBeyondLoopbackServesOnlyHttpsWithACertificateItMadeAndPublished() throws Exception {
        Path data = dir.resolve("tls-self-signed");
        try (TestNode tls = new TestNode(data, c -> c.withHost("0.0.0.0").withStemCells(0))) {
            URI url = tls.platform.url();
            assertThat(url.getScheme()).isEqualTo("https");
            Path published = data.resolve(EdgeTls.PUBLISHED_CERT);
            assertThat(published).exists();
            assertThat(Files.readString(data.resolve("url")).strip()).isEqualTo(url.toString());

            HttpClient pinned = HttpClient.newBuilder().sslContext(trusting(published)).build();
            HttpResponse<String> health = pinned.send(HttpRequest.newBuilder(url.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.version()).as("HTTP/2 by ALPN").isEqualTo(HttpClient.Version.HTTP_2);
            HttpResponse<String> functions = pinned.send(HttpRequest.newBuilder(url.resolve("/v1/functions"))
                    .header("Authorization", "Bearer " + tls.platform.rootToken()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(functions.statusCode()).isEqualTo(200);

            URI plain = URI.create("http://127.0.0.1:" + url.getPort() + "/v1/functions");
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain)
                    .header("Authorization", "Bearer " + tls.platform.rootToken()).build(), HttpResponse.BodyHandlers.ofString()))
                    .as("plain HTTP gets no answer").isInstanceOf(IOException.class);
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(url.resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()))
                    .as("a client that does not pin the node's certificate does not trust it")
                    .isInstanceOf(IOException.class);
        }
        String firstCertificate = Files.readString(data.resolve(EdgeTls.PUBLISHED_CERT));
        try (TestNode again = new TestNode(data, c -> c.withHost("0.0.0.0").withStemCells(0))) {
            assertThat(Files.readString(data.resolve(EdgeTls.PUBLISHED_CERT))).as("made once, kept").isEqualTo(firstCertificate);
        }
    }

    @Test
    void theOperatorsPemFilesAreServedAndPlainHttpBeyondLoopbackNeedsItsFlag() throws Exception {
        Path data = dir.resolve("tls-own");
        Path keys = Files.createDirectories(dir.resolve("tls-own-files"));
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", keys.resolve("key.pem").toString(), "-out", keys.resolve("cert.pem").toString())
                .redirectErrorStream(true).start();
        String opensslOutput = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(openssl.waitFor()).as(opensslOutput).isZero();

        try (TestNode own = new TestNode(data, c -> c.withTls(new EdgeTls(keys.resolve("cert.pem"), keys.resolve("key.pem"), false))
                .withStemCells(0))) {
            assertThat(Files.readString(data.resolve(EdgeTls.PUBLISHED_CERT)))
                    .isEqualToIgnoringNewLines(Files.readString(keys.resolve("cert.pem")));
            HttpClient pinned = HttpClient.newBuilder().sslContext(trusting(keys.resolve("cert.pem"))).build();
            assertThat(pinned.send(HttpRequest.newBuilder(own.platform.url().resolve("/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        try (TestNode insecure = new TestNode(dir.resolve("insecure"), c -> c.withHost("0.0.0.0")
                .withTls(new EdgeTls(null, null, true)).withStemCells(0))) {
            assertThat(insecure.platform.url().getScheme()).isEqualTo("http");
            assertThat(insecure.send("GET", "/healthz", null, null).statusCode()).isEqualTo(200);
        }
        assertThatThrownBy(() -> new EdgeTls(keys.resolve("cert.pem"), null, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("go together");
        assertThatThrownBy(() -> new EdgeTls(keys.resolve("cert.pem"), keys.resolve("key.pem"), true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contradicts");
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static void assertBystanderAnswers() {
        before.assertUnharmed();
    }

    /** The classes of {@code jar} plus one more file: other code, as far as its sha256 goes. */
    private static byte[] repacked(Path jar) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var in = new java.util.zip.ZipInputStream(Files.newInputStream(jar));
                var out = new java.util.zip.ZipOutputStream(bytes)) {
            for (var entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                out.putNextEntry(new java.util.zip.ZipEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new java.util.zip.ZipEntry("swapped-in.txt"));
            out.write("new code".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return bytes.toByteArray();
    }

    /** A directory whose {@code bwrap} fails as a host without user namespaces makes it fail. */
    private static Path brokenBwrapPath() throws IOException {
        Path fake = dir.resolve("fake-bin");
        if (!Files.exists(fake.resolve("bwrap"))) {
            Files.createDirectories(fake);
            Files.writeString(fake.resolve("bwrap"), "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n");
            Files.setPosixFilePermissions(fake.resolve("bwrap"), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return fake;
    }

    /** Whether the process is one of the roots or descends from one; a process gone meanwhile holds nothing. */
    private static boolean runsUnderOneOf(long pid, Set<Long> roots) {
        Optional<ProcessHandle> at = ProcessHandle.of(pid);
        if (at.isEmpty()) {
            return true;
        }
        for (Optional<ProcessHandle> p = at; p.isPresent(); p = p.get().parent()) {
            if (roots.contains(p.get().pid())) {
                return true;
            }
        }
        return false;
    }

    /** Pids of the host's processes whose {@code /proc/PID/<file>} holds {@code needle}. */
    private static List<Long> processesHolding(String needle, String file) throws IOException {
        byte[] wanted = needle.getBytes(StandardCharsets.UTF_8);
        List<Long> holders = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("[0-9]+")).toList()) {
                byte[] content;
                try {
                    content = Files.readAllBytes(proc.resolve(file));
                } catch (IOException gone) {
                    continue; // ended meanwhile
                }
                if (TestNode.indexOf(content, wanted) >= 0) {
                    holders.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        }
        return holders;
    }

    private static List<Path> instanceEnvironmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(node.dataDir.resolve("instances"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".env")).toList();
        }
    }

    private static String mode(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("c" + i++, c);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** A node in its own JVM with {@code binFirst} at the head of its PATH, as a changed host would have it. */
    private record NodeProcess(Process process, URI url, Path log) {
        static NodeProcess start(Path data, Path binFirst, String sandbox) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-Dcumulus.runtime.jar=" + System.getProperty("cumulus.runtime.jar"),
                    "-cp", System.getProperty("java.class.path"),
                    NodeProcessMain.class.getName(), data.toString(), TestNode.SHARED_AOT_DIR.toString()));
            if (sandbox != null) {
                command.add(sandbox);
            }
            Path log = dir.resolve(data.getFileName() + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
            builder.environment().put("PATH", binFirst + ":" + System.getenv("PATH"));
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
                // the node's own output before it is ready
            }
            return new NodeProcess(process, line == null ? null : URI.create(line.substring("READY ".length())), log);
        }

        String stderr() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
