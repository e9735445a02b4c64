package io.basalt.compat.server;

import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespReader;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Soak (not in the default suite: {@code BASALT_SOAK=1 mvn -B verify -pl compat-tests -am
 * -Dtest=SoakTest -Dsurefire.failIfNoSpecifiedTests=false}, length {@code BASALT_SOAK_SECONDS},
 * default 180): the real launcher with {@code --maxmemory 64mb --maxmemory-policy volatile-lru},
 * for minutes at once two clients SET, GET and DEL values of 1 to 16 MB, two pipeline SETs and
 * GETs of 1 KiB values (16 per batch) over a million keys, and one runs a 512 MB SETRANGE now and
 * then (admitted under the limit, as Redis does, then deleted). Every key has a TTL except a
 * sentinel, so eviction never takes it. The process RSS, sampled every 200 ms, must stay under
 * the ceiling docs/configuration.md gives: the heap limit, plus the large arguments and replies
 * in flight (two clients, argument and reply each), plus 128 MiB of JVM. Every request must be
 * answered (OK or -OOM) and the sentinel must be intact at the end. (60 s on 2026-12-07, loaded
 * host: 2,041,224 requests, 1 -OOM, peak RSS 956 MiB against a ceiling of 992.)
 */
@EnabledIfEnvironmentVariable(named = "BASALT_SOAK", matches = "1|true|yes")
class SoakTest {
    private static final long MIB = 1 << 20;

    @Test
    void largeValuesDeletesAndPipelinesUnderMaxmemory(@TempDir Path dir) throws Exception {
        Path launcher = Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize();
        Path target = launcher.getParent().getParent().resolve("server").resolve("target");
        Assumptions.assumeTrue(Files.isDirectory(target) && Files.list(target)
                .anyMatch(f -> f.getFileName().toString().endsWith("-all.jar")), "server jar not packaged");
        long seconds = Long.parseLong(System.getenv().getOrDefault("BASALT_SOAK_SECONDS", "180"));
        long maxmemory = 64 * MIB;
        long largest = 16 * MIB;
        // the launcher's heap limit (it has room for the one 512 MB value Redis admits past the
        // limit, and once that room is in use G1 uses the whole heap), the large arguments and
        // replies in flight (direct memory), and the JVM's own ~100-128 MiB
        long heapLimit = maxmemory + Math.max(maxmemory / 2, 96 * MIB) + 512 * MIB + 128 * MIB;
        long bound = heapLimit + 2 * 2 * largest + 128 * MIB;

        int port = RedisServerProcess.freePort();
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--port", Integer.toString(port), "--save", "",
                "--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru", "--basalt-http-port", "0")
                .redirectErrorStream(true).redirectOutput(dir.resolve("basalt.log").toFile());
        pb.environment().remove("BASALT_JAVA_OPTS");
        Process p = pb.start();
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            awaitPing(port, p);
            try (RawClient c = new RawClient(port)) {
                assertEquals("OK", c.call("SET", "sentinel", "still here").string());
            }
            long end = System.currentTimeMillis() + seconds * 1000;
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong requests = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int seed = w;
                workers.add(pool.submit(() -> { largeValues(port, seed, largest, stop, requests, refused); return null; }));
                workers.add(pool.submit(() -> { pipelines(port, seed, stop, requests); return null; }));
            }
            workers.add(pool.submit(() -> { hugeSetranges(port, stop, requests, refused); return null; }));
            long peak = 0;
            while (System.currentTimeMillis() < end) {
                peak = Math.max(peak, rss(p.pid()));
                assertTrue(p.isAlive(), Files.readString(dir.resolve("basalt.log")));
                for (Future<?> f : workers) if (f.isDone()) f.get(); // a worker's failure ends the soak
                Thread.sleep(200);
            }
            stop.set(true);
            for (Future<?> f : workers) f.get(120, TimeUnit.SECONDS);
            System.out.printf("soak: %d s, %d requests (%d -OOM), peak RSS %d MiB, ceiling %d MiB%n",
                    seconds, requests.get(), refused.get(), peak / MIB, bound / MIB);
            assertTrue(peak <= bound, "peak RSS " + peak / MIB + " MiB over the ceiling " + bound / MIB + " MiB");
            try (RawClient c = new RawClient(port)) {
                assertEquals("still here", c.call("GET", "sentinel").string());
            }
            assertTrue(p.isAlive());
        } finally {
            pool.shutdownNow();
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** SET a value of 1 to 16 MB (with a TTL), GET it back whole when stored, DEL it. */
    private static void largeValues(int port, int seed, long largest, AtomicBoolean stop, AtomicLong requests,
                                    AtomicLong refused) throws Exception {
        Random rnd = new Random(seed);
        try (Conn c = new Conn(port)) {
            while (!stop.get()) {
                int size = (int) (MIB + rnd.nextInt((int) (largest - MIB)));
                byte[] v = new byte[size];
                rnd.nextBytes(v);
                String key = "large:" + seed + ":" + rnd.nextInt(8);
                RespValue r = c.call(b("SET"), b(key), v, b("EX"), b("3600"));
                requests.incrementAndGet();
                if (r.isError()) {
                    assertTrue(r.string().startsWith("OOM"), r.string());
                    refused.incrementAndGet();
                    continue;
                }
                RespValue got = c.call(b("GET"), b(key));
                requests.incrementAndGet();
                // evicted meanwhile (volatile-lru) or the value just stored
                assertTrue(got.isNull() || java.util.Arrays.equals(v, got.bytes()), "GET " + key);
                if (rnd.nextBoolean()) {
                    c.call(b("DEL"), b(key));
                    requests.incrementAndGet();
                }
            }
        }
    }

    /** Batches of 16 SETs and GETs of 1 KiB values over a million keys, with a TTL. */
    private static void pipelines(int port, int seed, AtomicBoolean stop, AtomicLong requests) throws Exception {
        Random rnd = new Random(100 + seed);
        byte[] value = new byte[1024];
        try (Conn c = new Conn(port)) {
            while (!stop.get()) {
                ByteArrayOutputStream batch = new ByteArrayOutputStream();
                for (int i = 0; i < 16; i++) {
                    String key = "small:" + rnd.nextInt(1_000_000);
                    batch.writeBytes(i % 2 == 0 ? RawClient.encode(b("SET"), b(key), value, b("EX"), b("3600"))
                            : RawClient.encode(b("GET"), b(key)));
                }
                c.out.write(batch.toByteArray());
                for (int i = 0; i < 16; i++) {
                    RespValue r = c.in.read();
                    assertTrue(!r.isError() || r.string().startsWith("OOM"), r.string());
                }
                requests.addAndGet(16);
            }
        }
    }

    /** Every few seconds a 512 MB SETRANGE (17 bytes of request) with a TTL, then its DEL. */
    private static void hugeSetranges(int port, AtomicBoolean stop, AtomicLong requests, AtomicLong refused) throws Exception {
        try (Conn c = new Conn(port)) {
            while (!stop.get()) {
                RespValue r = c.call(b("SETRANGE"), b("huge"), b("536870911"), b("x"));
                requests.incrementAndGet();
                if (r.isError()) {
                    assertTrue(r.string().startsWith("OOM"), r.string());
                    refused.incrementAndGet();
                } else {
                    assertEquals(536870912L, r.number());
                    c.call(b("EXPIRE"), b("huge"), b("3600"));
                    c.call(b("DEL"), b("huge"));
                    requests.addAndGet(2);
                }
                for (int i = 0; i < 50 && !stop.get(); i++) Thread.sleep(100);
            }
        }
    }

    /** A connection with a long timeout: under load one 512 MB allocation can take seconds. */
    private static final class Conn implements AutoCloseable {
        final Socket socket;
        final OutputStream out;
        final RespReader in;

        Conn(int port) throws Exception {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new RespReader(socket.getInputStream());
        }

        RespValue call(byte[]... args) throws Exception {
            out.write(RawClient.encode(args));
            return in.read();
        }

        @Override public void close() throws Exception {
            socket.close();
        }
    }

    private static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return 0;
    }

    private static void awaitPing(int port, Process p) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try (RawClient c = new RawClient(port)) {
                assertEquals("PONG", c.call("PING").string());
                return;
            } catch (java.io.UncheckedIOException e) {
                if (System.currentTimeMillis() > deadline || !p.isAlive()) throw e;
                Thread.sleep(100);
            }
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
