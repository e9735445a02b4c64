package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** redis-cli and redis-benchmark, the Debian binaries, run against Basalt. */
class ToolsTest {
    private static int port;

    @BeforeAll
    static void load() {
        port = BasaltInstance.shared().port();
        try (RawClient c = new RawClient(port)) {
            c.call("SELECT", "7");
            c.call("FLUSHDB");
            for (int i = 0; i < 200; i++) c.call("SET", "tool:" + i, "x".repeat(i));
        }
    }

    private static String run(long seconds, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(args));
        java.io.File out = java.io.File.createTempFile("tool", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
            // tools like --stat never end by themselves: stop them after the given time
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
            return java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8);
        } finally {
            out.delete();
        }
    }

    @Test
    void redisCliScan() throws Exception {
        String out = run(30, "redis-cli", "-p", Integer.toString(port), "-n", "7", "--scan", "--pattern", "tool:1*");
        long n = out.lines().filter(l -> l.startsWith("tool:1")).count();
        assertEquals(111, n, out); // tool:1, tool:10-19, tool:100-199
    }

    @Test
    void redisCliBigkeys() throws Exception {
        String out = run(30, "redis-cli", "-p", Integer.toString(port), "-n", "7", "--bigkeys");
        assertTrue(out.contains("Biggest string found '\"tool:199\"' has 199 bytes"), out);
        assertTrue(out.contains("200 strings with"), out);
        assertFalse(out.toLowerCase().contains("err"), out);
    }

    @Test
    void redisCliStat() throws Exception {
        // stdbuf: redis-cli --stat buffers its output when it is not a terminal
        String out = run(3, "stdbuf", "-o0", "redis-cli", "-p", Integer.toString(port), "--stat", "-i", "1");
        assertTrue(out.contains("------- data ------"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s*\\d+\\s+.*")), out);
        assertFalse(out.contains("ERR"), out);
    }

    @Test
    void redisCliCommandDocsForHints() throws Exception {
        String out = run(10, "redis-cli", "-p", Integer.toString(port), "COMMAND", "DOCS", "SET");
        assertTrue(out.contains("Set the string value of a key"), out);
    }

    @Test
    void redisBenchmarkRunsWithoutErrors() throws Exception {
        String out = run(120, "redis-benchmark", "-p", Integer.toString(port), "-t", "set,get,incr,mset",
                "-P", "16", "-n", "20000", "-q");
        for (String t : new String[]{"SET", "GET", "INCR", "MSET"}) {
            assertTrue(out.lines().anyMatch(l -> l.startsWith(t) && l.contains("requests per second")), out);
        }
        assertFalse(out.contains("ERR"), out);
    }
}
