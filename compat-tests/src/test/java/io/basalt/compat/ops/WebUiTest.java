package io.basalt.compat.ops;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web UI (/ui/) in a real headless browser, Debian's chromium: each page is loaded with
 * {@code --dump-dom} after its scripts have called the admin API, and the rendered DOM must hold
 * the server's data (the version, a key, a slowlog entry, a config value, the cluster's node).
 * A screenshot of each page is kept in {@code target/ui-screenshots/}. Skipped, with a message,
 * where no chromium is installed ({@code apt-get install chromium}).
 */
class WebUiTest {
    private static final Path SHOTS = Path.of("target", "ui-screenshots");
    private static String chromium;
    private static BasaltInstance b;
    private static int http;

    @BeforeAll
    static void start() throws Exception {
        chromium = findChromium();
        Assumptions.assumeTrue(chromium != null, "chromium is not installed: the web UI browser test is skipped (apt-get install chromium)");
        Files.createDirectories(SHOTS);
        b = Http.startWithHttp();
        http = b.server().ops().port();
    }

    @AfterAll
    static void stop() {
        if (b != null) b.stop();
    }

    private static String findChromium() {
        for (String name : new String[] {"chromium", "chromium-browser"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.canExecute()) return f.getPath();
            }
        }
        return null;
    }

    /** The page's DOM once its scripts ran (virtual time lets the API calls finish), and a screenshot. */
    static String render(int port, String page, Path profile, String shot) throws Exception {
        String url = "http://127.0.0.1:" + port + "/ui/" + page;
        List<String> common = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--user-data-dir=" + profile, "--virtual-time-budget=2500", "--window-size=1100,800");
        String dom = run(with(common, "--dump-dom", url));
        // a second chromium run for the picture (one run cannot both dump and shoot); null: none
        if (shot != null) run(with(common, "--screenshot=" + SHOTS.resolve(shot).toAbsolutePath(), url));
        return dom;
    }

    private static List<String> with(List<String> common, String... more) {
        List<String> l = new ArrayList<>(common);
        l.addAll(List.of(more));
        return l;
    }

    /**
     * Runs chromium with its output in a file and a hard time limit: a headless chromium that
     * hangs (it can, on a loaded machine) is killed with its children and run once more.
     */
    private static String run(List<String> cmd) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Path out = Files.createTempFile("chromium", ".out");
            try {
                Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .redirectOutput(out.toFile()).start();
                if (p.waitFor(45, TimeUnit.SECONDS)) {
                    String dom = Files.readString(out, StandardCharsets.UTF_8);
                    if (!cmd.contains("--dump-dom") || dom.contains("</main>") || attempt == 2) return dom;
                } else {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    if (attempt == 2) throw new AssertionError("chromium did not finish: " + cmd);
                }
            } finally {
                Files.deleteIfExists(out);
            }
        }
    }

    @Test
    void everyPageShowsTheServersData(@TempDir Path profile) throws Exception {
        try (RawClient c = new RawClient(b.port())) {
            c.call("SET", "ui-browser-key", "v");
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "0");
            c.call("ECHO", "ui-slow-marker");
            c.call("CONFIG", "SET", "slowlog-log-slower-than", "10000");
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
            String version = c.call("INFO", "server").string().split("redis_version:")[1].split("\r\n")[0];

            String dash = render(http, "", profile, "dashboard.png");
            assertTrue(dash.contains("redis_version " + version), dash);
            assertTrue(dash.contains("<b id=\"role\">master</b>"), dash);
            assertTrue(dash.contains("hit ratio") && dash.contains("used memory"), dash);

            String keys = render(http, "keys.html", profile, "keys.png");
            assertTrue(keys.contains(">ui-browser-key</a>"), keys);

            String slow = render(http, "slowlog.html", profile, "slowlog.png");
            assertTrue(slow.contains("ECHO ui-slow-marker"), slow);

            String config = render(http, "config.html", profile, "config.png");
            assertTrue(config.contains("data-n=\"maxmemory-policy\" value=\"allkeys-lfu\""), config);

            String cluster = render(http, "cluster.html", profile, null);
            assertTrue(cluster.contains("cluster support disabled"), cluster);
        }
    }

    @Test
    void clusterViewOfAClusterNode(@TempDir Path dir, @TempDir Path profile) throws Exception {
        BasaltInstance s = Http.startWithHttp("--cluster-enabled", "yes", "--dir", dir.toString(),
                "--cluster-port", Integer.toString(RedisServerProcess.freePort()));
        try (RawClient c = new RawClient(s.port())) {
            assertEquals("OK", c.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383").string());
            String id = c.call("CLUSTER", "MYID").string();
            long deadline = System.currentTimeMillis() + 10_000;
            while (!c.call("CLUSTER", "INFO").string().contains("cluster_state:ok") && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            String page = render(s.server().ops().port(), "cluster.html", profile, "cluster.png");
            assertTrue(page.contains("cluster_state ok"), page);
            assertTrue(page.contains(id), page);
            assertTrue(page.contains("myself,master"), page);
            assertTrue(page.contains("0-16383"), page);
        } finally {
            s.stop();
        }
    }

    /** With requirepass the pages ask for the password instead of showing data. */
    @Test
    void passwordPrompt(@TempDir Path profile) throws Exception {
        BasaltInstance s = Http.startWithHttp("--requirepass", "pw");
        try {
            String dash = render(s.server().ops().port(), "", profile, null);
            assertTrue(dash.contains("id=\"login\" style=\"display: block;\""), dash);
            assertTrue(dash.contains("authentication required"), dash);
        } finally {
            s.stop();
        }
    }
}
