package dev.cumulus.platform;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven by its chromedriver (.ci/run installs both), with a fresh
 * profile, plus a tiny page server on another port: a page there is of another origin than the
 * node, as a single-page app on its own domain is.
 */
final class Chromium implements AutoCloseable {
    final ChromeDriver driver;
    private final Path profile;
    private final HttpServer pages;

    Chromium(String page) throws IOException {
        profile = Files.createTempDirectory("cumulus-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(90));
        byte[] html = page.getBytes(StandardCharsets.UTF_8);
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, html.length);
            exchange.getResponseBody().write(html);
            exchange.close();
        });
        pages.start();
    }

    /** The page server's origin, such as {@code http://127.0.0.1:41234}. */
    String origin() {
        return "http://127.0.0.1:" + pages.getAddress().getPort();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            pages.stop(0);
            dev.cumulus.files.FileTrees.delete(profile);
        }
    }
}
