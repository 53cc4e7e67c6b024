package dev.motflow.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The web console in a real headless browser (Debian's chromium through its chromedriver) against
 * the whole local stack: the demo's retraining run promotes a model (quality floor off), then a synthetic video is
 * uploaded through the Jobs page (file picker -> POST /jobs -> presigned PUT), followed to
 * SUCCEEDED, and the job page is checked against the job's MOTChallenge result: the canvas has a
 * known track's box edge in the track's colour at the right pixels of a given frame, the track
 * table lists every track with its frames, the CSV download holds every box; then the models page
 * shows the run and the production version. Screenshots go to target/console-screenshots/.
 *
 * <p>Package {@code dev.motflow.local}: it drives the local stack's own classes (demo data, retraining).
 */
class ConsoleBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int FRAMES = 60;

    @TempDir
    Path tmp;

    @Test
    void uploadsTracksAndShowsAJobInTheBrowser() throws Exception {
        Path root = RepoRoot.find();
        assertTrue(Files.isExecutable(root.resolve("containers/.venv/bin/python")),
                "containers/.venv is missing: run ./motflow setup");
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are missing: run ./motflow setup (apt-get install chromium chromium-driver)");
        Path shots = Files.createDirectories(root.resolve("integration-tests/target/console-screenshots"));
        Path downloads = Files.createDirectories(tmp.resolve("downloads"));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        CommandContext ctx = new CommandContext(root, tmp.resolve("data"), 0, 3600, out);

        // The page is under test, not the model: the first model is promoted whatever its scores (a quality floor
        // of 0, read by LocalRetraining when the stack starts), so a weak CPU-trained model on a loaded machine
        // still gives the job its tracks. The demo itself keeps its floor.
        Map<String, String> floorsOff = Map.of("motflow.gate.minHota", "0", "motflow.gate.minIdf1", "0",
                "motflow.gate.minMota", "-1000000");
        floorsOff.forEach(System::setProperty);
        try (LocalStack stack = StackConnection.startEmbedded(ctx)) {
            // the demo's data and retraining run: a promoted model the video is tracked with
            Path labelled = tmp.resolve("synth/labelled");
            Path videoDir = tmp.resolve("synth/video");
            Demo.synth(ctx, labelled, Demo.LABELLED_SEQUENCES, FRAMES, 1, false);
            Demo.synth(ctx, videoDir, 1, FRAMES, 7, false);
            ApiClient api = new ApiClient(stack.apiUrl());
            DatasetRetraining retraining = new DatasetRetraining(ctx);
            retraining.upload(stack.s3(), labelled, "demo", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd.HHmmss")),
                    List.of(Demo.VALIDATION_SEQUENCE));
            JsonNode run = retraining.followRun(api, "demo-");
            assertNotNull(stack.sageMaker().containers().deployedModel(), "the retraining run promotes a model: " + run + "\n" + captured);
            // VP8 WebM: a codec every Chromium plays (the synthetic MP4 is MPEG-4 part 2, which browsers do not)
            Path video = tmp.resolve("SYN-0007-01.webm");
            assertTrue(Demo.encodeVideo(ctx, videoDir.resolve("SYN-0007-01"), video, "VP80"), "OpenCV cannot write VP8 WebM here");

            WebDriver browser = chromium(downloads);
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofMinutes(5), Duration.ofMillis(250));
                JavascriptExecutor js = (JavascriptExecutor) browser;

                // ---- Jobs: upload through the file picker, follow the job ----------------------------------
                browser.get(stack.apiUrl() + "/");
                wait.until(d -> d.findElement(By.id("file-input")));
                browser.findElement(By.id("file-input")).sendKeys(video.toString());
                WebElement uploaded = wait.until(d -> first(d, By.cssSelector(".uploads a[data-job-id]")));
                String jobId = uploaded.getDomAttribute("data-job-id");
                wait.until(d -> first(d, By.cssSelector("tr[data-job-id='" + jobId + "'][data-status='SUCCEEDED']")));
                shot(browser, shots.resolve("jobs.png"));

                // ---- the job page ------------------------------------------------------------------------
                uploaded.click();
                wait.until(d -> first(d, By.cssSelector("#track-table tbody tr")));
                JsonNode job = api.get("/jobs/" + jobId).expect(200, "GET /jobs").body();
                assertEquals("SUCCEEDED", job.path("status").asText());
                List<double[]> rows = parseMot(download(job.path("results").path("tracksUrl").asText()));
                Map<Integer, List<double[]>> byTrack = new TreeMap<>();
                for (double[] r : rows) {
                    byTrack.computeIfAbsent((int) r[1], k -> new ArrayList<>()).add(r);
                }
                assertTrue(!byTrack.isEmpty(), "the model tracked no figure in the synthetic video, so there is no box to "
                        + "look for on the page (a model trained on a very slow machine can be that weak); the run: " + run);
                wait.until(d -> Boolean.TRUE.equals(js.executeScript(
                        "const v = document.querySelector('video'); return v && !v.hidden && v.readyState >= 2;")));
                assertEquals(List.of(320L, 192L), js.executeScript(
                        "const c = document.getElementById('overlay'); return [c.width, c.height];"),
                        "the overlay has the video's own pixel size, so a box's pixels are its MOT coordinates");

                // the track table: every track, with its first and last frame and its frame count
                List<WebElement> tableRows = browser.findElements(By.cssSelector("#track-table tbody tr"));
                assertEquals(byTrack.size(), tableRows.size());
                for (WebElement tr : tableRows) {
                    List<double[]> boxes = byTrack.get(Integer.parseInt(tr.getDomAttribute("data-track-id")));
                    List<WebElement> cells = tr.findElements(By.tagName("td"));
                    assertEquals((int) boxes.get(0)[0], Integer.parseInt(cells.get(2).getText()));
                    assertEquals((int) boxes.get(boxes.size() - 1)[0], Integer.parseInt(cells.get(3).getText()));
                    assertEquals(boxes.size(), Integer.parseInt(cells.get(4).getText()));
                }

                // the longest track, selected in the table (it seeks to its first frame), then a frame in its middle
                int trackId = byTrack.entrySet().stream().max(Comparator.comparingInt(e -> e.getValue().size())).orElseThrow().getKey();
                List<double[]> track = byTrack.get(trackId);
                browser.findElement(By.cssSelector("#track-table tr[data-track-id='" + trackId + "']")).click();
                int firstFrame = (int) track.get(0)[0];
                waitForFrame(wait, js, firstFrame);
                assertBoxEdge(js, trackId, track.get(0));

                double[] middle = track.get(track.size() / 2);
                WebElement jump = browser.findElement(By.id("jump"));
                jump.clear();
                jump.sendKeys(Integer.toString((int) middle[0]));
                browser.findElement(By.cssSelector("#jump-form button")).click();
                waitForFrame(wait, js, (int) middle[0]);
                assertBoxEdge(js, trackId, middle);
                js.executeScript("window.scrollTo(0, 0);");
                shot(browser, shots.resolve("job.png"));

                // a frame step moves the clock by exactly one frame
                int before = frameOnCanvas(js);
                int next = Math.min(before + 1, (int) rows.get(rows.size() - 1)[0]);
                browser.findElement(By.id("next")).click();
                waitForFrame(wait, js, next);

                // the CSV download: a header and every box of the result
                browser.findElement(By.id("dl-csv")).click();
                Path csv = downloads.resolve("SYN-0007-01.tracks.csv");
                wait.until(d -> Files.isRegularFile(csv) && size(csv) > 0);
                List<String> lines = Files.readAllLines(csv);
                assertEquals("frame,track_id,x,y,width,height,score", lines.get(0));
                assertEquals(rows.size(), lines.size() - 1);
                for (int i = 0; i < rows.size(); i++) {
                    String[] f = lines.get(i + 1).split(",");
                    for (int k = 0; k < 6; k++) {
                        assertEquals(rows.get(i)[k], Double.parseDouble(f[k]), 1e-9, "CSV line " + (i + 2));
                    }
                }

                // ---- Models: the demo run and the production version -------------------------------------
                browser.get(stack.apiUrl() + "/#/models");
                wait.until(d -> first(d, By.cssSelector("#runs tbody tr[data-status='PROMOTED']")));
                wait.until(d -> first(d, By.cssSelector("#production [data-version]")));
                shot(browser, shots.resolve("models.png"));
            } finally {
                browser.quit();
            }
        } finally {
            floorsOff.keySet().forEach(System::clearProperty);
        }
    }

    private static WebDriver chromium(Path downloads) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        // the network is closed and CI runs as root: no sandbox, nothing that calls home
        o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1400", "--autoplay-policy=no-user-gesture-required");
        o.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, o);
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow", "downloadPath", downloads.toString()));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    /** The track's colour (the table's swatch) on the left edge of its box, halfway down, on the overlay canvas. */
    private static void assertBoxEdge(JavascriptExecutor js, int trackId, double[] box) {
        long x = Math.round(box[2]);
        long y = Math.round(box[3] + box[5] / 2);
        Object rgba = js.executeScript(
                "const d = document.getElementById('overlay').getContext('2d').getImageData(arguments[0], arguments[1], 1, 1).data;"
                        + "return [d[0], d[1], d[2], d[3]];", x, y);
        String color = (String) js.executeScript(
                "return document.querySelector(\"#track-table tr[data-track-id='\" + arguments[0] + \"'] .swatch\").dataset.color;", trackId);
        List<Long> expected = List.of(Long.parseLong(color.substring(1, 3), 16), Long.parseLong(color.substring(3, 5), 16),
                Long.parseLong(color.substring(5, 7), 16), 255L);
        assertEquals(expected, rgba, "track " + trackId + " at frame " + (int) box[0] + ": pixel (" + x + ", " + y + ") of its box edge");
    }

    private static void waitForFrame(WebDriverWait wait, JavascriptExecutor js, int frame) {
        wait.withTimeout(Duration.ofSeconds(20)).until(d -> frameOnCanvas(js) == frame
                && Boolean.FALSE.equals(js.executeScript("return document.querySelector('video').seeking;")));
        // a late video frame callback of the previous position must not move it again
        sleep(300);
        assertEquals(frame, frameOnCanvas(js));
    }

    private static int frameOnCanvas(JavascriptExecutor js) {
        Object f = js.executeScript("return document.getElementById('overlay').dataset.frame;");
        return f == null ? -1 : Integer.parseInt(f.toString());
    }

    private static WebElement first(WebDriver d, By by) {
        List<WebElement> found = d.findElements(by);
        return found.isEmpty() ? null : found.get(0);
    }

    private static void shot(WebDriver browser, Path file) throws IOException {
        Files.write(file, ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static List<double[]> parseMot(String text) {
        List<double[]> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                String[] f = line.split(",");
                double[] r = new double[7];
                for (int i = 0; i < 7; i++) {
                    r[i] = Double.parseDouble(f[i].trim());
                }
                rows.add(r);
            }
        }
        rows.sort(Comparator.<double[]>comparingDouble(r -> r[0]).thenComparingDouble(r -> r[1]));
        return rows;
    }

    private static String download(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
