package parley.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import parley.testkit.RedisExtension;
import parley.testkit.TestRedis;

/**
 * A real browser (Debian's headless Chromium through chromedriver, both installed by .ci/run):
 * one user sends, the other's open page shows the notification without a reload, then again
 * after the page's connection is cut (frontend-svc restarted) and restored by itself.
 */
@ExtendWith(RedisExtension.class)
class BrowserTest {
    private static final String UNI = "uni@example.com";
    private static final String FC = "fc@example.com";
    private final TestRedis redis;
    private ParleyStack stack;
    private WebDriver browser;
    private WebDriverWait wait;

    BrowserTest(TestRedis redis) {
        this.redis = redis;
    }

    @BeforeEach
    void start() throws Exception {
        stack = new ParleyStack(redis);
        String chromium = firstExisting("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        String driver = firstExisting("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--window-size=1200,900",
                "--user-data-dir=" + Files.createTempDirectory("parley-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        stack.close();
    }

    private static String firstExisting(String... paths) {
        for (String p : paths) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        throw new IllegalStateException("no browser/driver among " + String.join(", ", paths)
                + ": apt-get install chromium chromium-driver (bash .ci/run does)");
    }

    /** Leaves a picture of the page in target/ for humans to look at. */
    private void screenshot(String name) {
        try {
            Files.copy(
                    ((org.openqa.selenium.TakesScreenshot) browser)
                            .getScreenshotAs(org.openqa.selenium.OutputType.FILE)
                            .toPath(),
                    Path.of("target", name),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void connState(String state) {
        wait.until(ExpectedConditions.attributeToBe(By.id("conn"), "data-state", state));
    }

    private String bellCount() {
        return browser.findElement(By.id("bell-count")).getText();
    }

    @Test
    void theReceiversOpenPageShowsANotificationLiveAndAgainAfterTheConnectionIsRestored() {
        String uni = stack.register(UNI);
        stack.register(FC);

        browser.get("http://127.0.0.1:" + stack.frontendHttp + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-email")))
                .sendKeys(FC);
        browser.findElement(By.id("login-password")).sendKeys("secret-pass");
        browser.findElement(By.cssSelector("#login-form button")).click();
        connState("live");

        stack.send(uni, FC, "hola fc, ¿estás?");

        wait.until(ExpectedConditions.textToBe(By.id("bell-count"), "1"));
        // the list sits in the closed bell panel: read its text content, not its visible text
        wait.until(ExpectedConditions.attributeContains(By.id("notification-list"), "textContent", "hola fc, ¿estás?"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("conversation-list"), UNI));
        screenshot("page-desktop.png");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        browser.findElement(By.id("bell")).click();
        screenshot("page-phone.png");
        browser.findElement(By.id("bell")).click();
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1200, 900));
        Object navigations = ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return performance.getEntriesByType('navigation').length");
        assertThat(navigations).as("no reload happened").isEqualTo(1L);

        // cut the page's connection: frontend-svc goes away; a message is sent meanwhile
        stack.restartFrontend(() -> {
            wait.until(d -> !"live".equals(d.findElement(By.id("conn")).getAttribute("data-state")));
            assertThat(stack.sendDirect(uni, FC, "sent while you were cut off").status())
                    .isEqualTo(201);
        });

        connState("live");
        wait.until(ExpectedConditions.textToBe(By.id("bell-count"), "2"));
        wait.until(ExpectedConditions.attributeContains(
                By.id("notification-list"), "textContent", "sent while you were cut off"));

        // opening the conversation shows the messages and clears its unread count
        browser.findElement(By.cssSelector("#conversation-list li")).click();
        wait.until(
                ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "sent while you were cut off"));
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("#conversation-list .unread-count")));
        assertThat(bellCount()).isEqualTo("2");
    }
}
