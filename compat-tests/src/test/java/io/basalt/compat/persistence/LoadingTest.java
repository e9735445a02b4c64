package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * While the data files load at startup, the server already accepts connections and answers
 * -LOADING to commands not flagged "loading" (INFO still answers, with loading:1), as
 * redis-server does; once loaded it serves normally. The load is slowed with the hidden
 * key-load-delay directive (microseconds per key), as Redis's own tests do.
 */
class LoadingTest {
    private static final int KEYS = 3000;

    /** A dump.rdb of KEYS incompressible 1 KiB values (over Redis's 2 MB event-processing interval). */
    private static void writeDump(Path dir) {
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            Random r = new Random(7);
            byte[] v = new byte[1024];
            for (int i = 0; i < KEYS; i++) {
                r.nextBytes(v);
                c.call("SET".getBytes(), ("k:" + i).getBytes(), v);
            }
            c.call("SAVE");
        } finally {
            b.stop();
        }
    }

    /** What a client connecting at once sees: the first PING reply, INFO's loading field, then the end state. */
    private static List<String> observe(int port, Process p) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        RawClient c = null;
        while (c == null) {
            try {
                c = new RawClient(port);
            } catch (UncheckedIOException e) {
                if (System.currentTimeMillis() > deadline || !p.isAlive()) throw new AssertionError("no listener", e);
                Thread.sleep(5);
            }
        }
        List<String> seen = new ArrayList<>();
        try (RawClient client = c) {
            seen.add(client.call("PING").rawString());
            String info = client.call("INFO", "persistence").string();
            seen.add(info.contains("loading:1") ? "loading:1" : "loading:0");
            while (!"PONG".equals(client.call("PING").string())) {
                if (System.currentTimeMillis() > deadline) throw new AssertionError("still loading");
                Thread.sleep(20);
            }
            seen.add("dbsize " + client.call("DBSIZE").number());
        }
        return seen;
    }

    private static Process launch(List<String> cmd, Path log) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void clientsGetLoadingUntilTheDataIsIn(@TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize();
        Path target = Path.of("..", "server", "target").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isDirectory(target)
                && Files.list(target).anyMatch(f -> f.getFileName().toString().endsWith("-all.jar")), "server not packaged");
        Path data = Files.createDirectories(dir.resolve("data"));
        writeDump(data);
        List<List<String>> results = new ArrayList<>();
        for (String server : new String[] {"redis-server", launcher.toString()}) {
            Path d = Files.createDirectories(dir.resolve("run-" + results.size()));
            Files.copy(data.resolve("dump.rdb"), d.resolve("dump.rdb"));
            int port = RedisServerProcess.freePort();
            // 500 us per key: a load of ~1.5 s
            List<String> cmd = new ArrayList<>(List.of(server, "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--dir", d.toString(), "--save", "", "--key-load-delay", "500"));
            if (!server.equals("redis-server")) cmd.addAll(List.of("--basalt-http-port", "0"));
            Process p = launch(cmd, dir.resolve("log-" + results.size()));
            try {
                results.add(observe(port, p));
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
        // redis-server serves clients during a load only every 2 MB loaded, so its INFO may come
        // after the load: the first reply and the end state are compared, and Basalt, which
        // answers at once, must report the load in progress
        List<String> redis = results.get(0);
        List<String> basalt = results.get(1);
        assertEquals("-LOADING Redis is loading the dataset in memory\r\n", redis.get(0), "redis-server");
        assertEquals(List.of(redis.get(0), redis.get(2)), List.of(basalt.get(0), basalt.get(2)), "basalt");
        assertEquals("dbsize " + KEYS, basalt.get(2));
        assertEquals("loading:1", basalt.get(1), "basalt's INFO while it loads");
    }
}
