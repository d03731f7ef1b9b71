package dev.cumulus.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * examples/shop-api's page in headless Chromium, served by its function URL as deploy.sh deploys
 * it: a guest sees the products, signs up, adds to the cart, checks out, and the order appears in
 * the list that the orders' SSE stream fills; the stock shown drops.
 */
class ShopPageBrowserTest {
    @TempDir
    static Path dataDir;

    static TestNode node;
    static Chromium chromium;

    @BeforeAll
    static void start() throws Exception {
        node = new TestNode(dataDir, c -> c.withStemCells(0));
        ShopApiExampleTest.deploy(node);
        ShopApiExampleTest.ok(node.send("PUT", ShopApiExampleTest.DB + "products/documents/apple",
                "{\"name\":\"apple\",\"price\":120,\"stock\":10}"), 201);
        chromium = new Chromium("<!doctype html><title>unused</title>");
    }

    @AfterAll
    static void stop() {
        if (chromium != null) {
            chromium.close();
        }
        node.close();
    }

    static final Duration WAIT = Duration.ofSeconds(90);

    /** Until the element exists and its text passes; the page's calls and the SSE stream are asynchronous. */
    static void awaitText(String id, java.util.function.Predicate<String> passes) {
        try {
            await().atMost(WAIT).ignoreExceptions()
                    .until(() -> passes.test(chromium.driver.findElement(By.id(id)).getText()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("#" + id + " never passed; the page says: "
                    + chromium.driver.findElement(By.tagName("body")).getText(), e);
        }
    }

    @Test
    void aShopperSignsInAddsToTheCartChecksOutAndSeesTheOrderAppear() {
        WebDriver driver = chromium.driver;
        driver.get(node.url("/fn/shop-page/").toString());
        awaitText("status", t -> t.equals("ready"));
        assertThat(driver.findElement(By.id("product-apple")).getText()).contains("apple").contains("10 in stock");

        driver.findElement(By.id("email")).sendKeys("ada@example.com");
        driver.findElement(By.id("password")).sendKeys("correct horse battery");
        driver.findElement(By.id("signin")).click();
        awaitText("status", t -> t.equals("signed in"));
        await().atMost(WAIT).ignoreExceptions().until(() -> "true".equals(driver.findElement(By.id("orders")).getDomAttribute("data-live")));

        driver.findElement(By.id("add-apple")).click();
        awaitText("status", t -> t.equals("added apple"));
        driver.findElement(By.id("add-apple")).click();
        awaitText("cart", t -> t.contains("2 x apple"));

        driver.findElement(By.id("checkout")).click();
        awaitText("status", t -> t.startsWith("order ") || t.startsWith("checkout failed"));
        String status = driver.findElement(By.id("status")).getText();
        assertThat(status).startsWith("order ").contains("placed: 2.40");
        String orderId = status.split(" ")[1];
        // the order arrives through the SSE stream of the orders collection
        awaitText("order-" + orderId, t -> !t.isEmpty());
        assertThat(driver.findElement(By.id("order-" + orderId)).getText()).contains("2 x apple").contains("2.40");
        awaitText("product-apple", t -> t.contains("8 in stock"));
        assertThat(driver.findElement(By.id("cart")).getText()).isEmpty();
    }
}
