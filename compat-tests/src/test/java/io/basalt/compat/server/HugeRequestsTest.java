package io.basalt.compat.server;

import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The requests of issue 12 that used to end the JVM (heap exhausted by one request, and
 * -XX:+ExitOnOutOfMemoryError): a 512 MB SETRANGE/SETBIT/BITFIELD from a few bytes, 100 MB SETs,
 * four of each at once. Each scenario runs against redis-server with the same flags, then against
 * Basalt started by the real launcher (bin/basalt-server, which sizes the heap), one after the
 * other so both never hold their gigabytes at the same time. The replies must be the same, and
 * Basalt must still be up at the end with every key it acknowledged.
 */
class HugeRequestsTest {
    private static final int HUNDRED_MB = 100_000_000;

    @Test
    void underMaxmemoryTheServerAnswersAsRedisAndStaysUp(@TempDir Path dir) throws Exception {
        compare(dir, "--maxmemory", "50mb");
    }

    @Test
    void withoutMaxmemoryTheServerAnswersAsRedisAndStaysUp(@TempDir Path dir) throws Exception {
        compare(dir);
    }

    private static void compare(Path dir, String... flags) throws Exception {
        Path launcher = Path.of("..", "bin", "basalt-server").toAbsolutePath().normalize();
        Path target = launcher.getParent().getParent().resolve("server").resolve("target");
        Assumptions.assumeTrue(Files.isDirectory(target) && Files.list(target)
                .anyMatch(f -> f.getFileName().toString().endsWith("-all.jar")), "server jar not packaged");
        List<String> expected;
        RedisServerProcess redis = RedisServerProcess.start(flags);
        try {
            expected = scenario(redis.port(), flags.length > 0);
        } finally {
            redis.stop();
        }
        int port = RedisServerProcess.freePort();
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "--port", Integer.toString(port), "--save", "",
                "--basalt-http-port", "0"));
        cmd.addAll(Arrays.asList(flags));
        Path log = dir.resolve("basalt.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("BASALT_JAVA_OPTS");
        Process p = pb.start();
        try {
            awaitPing(port, p, log);
            List<String> got = scenario(port, flags.length > 0);
            assertEquals(expected, got, Files.readString(log));
            assertTrue(p.isAlive(), Files.readString(log));
        } finally {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /**
     * The requests, each reply recorded (as its exact bytes) for comparison; also checks that a
     * small key set first survives everything. Concurrent requests are recorded as counts of
     * each distinct reply, since which one wins differs from run to run. A large argument is
     * sent on a connection of its own, closed after: Redis keeps a query buffer of that size
     * for the connection, and that would count in used memory for the requests after it.
     */
    private static List<String> scenario(int port, boolean maxmemory) throws Exception {
        List<String> r = new ArrayList<>();
        r.add(call(port, "SET", "keep", "small"));
        if (maxmemory) {
            // a 20 MB argument counts twice in used memory (argument and value): fits under 50mb
            r.add(set(port, "v20", 20_000_000, 'b'));
            r.add(call(port, "STRLEN", "v20"));
            r.add(call(port, "DEL", "v20"));
            settle(port);
            // 100 MB of argument is over 50mb by itself
            r.add(set(port, "v100", HUNDRED_MB, 'a'));
            settle(port);
        } else {
            r.add(set(port, "v100", HUNDRED_MB, 'a'));
            r.add(call(port, "STRLEN", "v100"));
            r.add(call(port, "DEL", "v100"));
        }
        // 17 bytes of request, 512 MB of value: Redis admits it below maxmemory
        r.add(call(port, "SETRANGE", "big", "536870911", "x"));
        r.add(call(port, "STRLEN", "big"));
        r.add(call(port, "GETRANGE", "big", "536870908", "-1"));
        // over maxmemory now: any write is refused
        r.add(call(port, "SET", "k", "v"));
        r.add(call(port, "DEL", "big"));
        r.add(call(port, "SETBIT", "bits", "4294967295", "1"));
        r.add(call(port, "DEL", "bits"));
        r.add(call(port, "BITFIELD", "bf", "SET", "u8", "4294967288", "255"));
        r.add(call(port, "DEL", "bf"));
        r.add(concurrently(port, i -> new byte[][] {bytes("SETRANGE"), bytes("c" + i), bytes("536870911"), bytes("x")}));
        r.add(call(port, "DEL", "c0", "c1", "c2", "c3"));
        settle(port);
        r.add(concurrentSets(port));
        r.add(call(port, "DEL", "s0", "s1", "s2", "s3"));
        r.add(call(port, "GET", "keep"));
        r.add(call(port, "DBSIZE"));
        r.add(call(port, "PING"));
        return r;
    }

    /** One request on a connection of its own; its exact reply. */
    private static String call(int port, String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = bytes(args[i]);
        return call(port, b);
    }

    /**
     * Like RawClient.call, with a minute to answer instead of 10 s: four 512 MB allocations at
     * once on a loaded two-core machine take several seconds in both servers.
     */
    private static String call(int port, byte[]... args) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(RawClient.encode(args));
            return new io.basalt.resp.RespReader(s.getInputStream()).read().rawString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until used_memory is back under 40 MB (closed connections' buffers freed). */
    private static void settle(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            String info = call(port, "INFO", "memory");
            long used = Long.parseLong(info.replaceAll("(?s).*\\r\\nused_memory:([0-9]+)\\r\\n.*", "$1"));
            if (used < 40_000_000) return;
            Thread.sleep(50);
        }
    }

    /**
     * SET key to {@code size} bytes of {@code c}, streamed from a 1 MB chunk: this JVM also runs
     * in-process servers for other tests, whose timing must not suffer from 100 MB arrays here.
     */
    private static String set(int port, String key, int size, char c) {
        byte[] chunk = new byte[1 << 20];
        Arrays.fill(chunk, (byte) c);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(60_000);
            java.io.OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 1 << 16);
            out.write(bytes("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$" + size + "\r\n"));
            for (int left = size; left > 0; left -= chunk.length) out.write(chunk, 0, Math.min(left, chunk.length));
            out.write(bytes("\r\n"));
            out.flush();
            return new io.basalt.resp.RespReader(s.getInputStream()).read().rawString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Four 100 MB SETs at once; how many got each reply, sorted. */
    private static String concurrentSets(int port) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String key = "s" + i;
                replies.add(pool.submit(() -> set(port, key, HUNDRED_MB, 'z')));
            }
            java.util.TreeMap<String, Integer> counts = new java.util.TreeMap<>();
            for (Future<String> f : replies) counts.merge(f.get(120, TimeUnit.SECONDS), 1, Integer::sum);
            return counts.toString();
        } finally {
            pool.shutdownNow();
        }
    }

    private interface Request {
        byte[][] args(int i);
    }

    /** Four clients send their request at once; returns how many got each reply, sorted. */
    private static String concurrently(int port, Request request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                replies.add(pool.submit(() -> call(port, request.args(n))));
            }
            java.util.TreeMap<String, Integer> counts = new java.util.TreeMap<>();
            for (Future<String> f : replies) counts.merge(f.get(120, TimeUnit.SECONDS), 1, Integer::sum);
            return counts.toString();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitPing(int port, Process p, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            try (RawClient c = new RawClient(port)) {
                assertEquals("PONG", c.call("PING").string());
                return;
            } catch (java.io.UncheckedIOException e) {
                if (System.currentTimeMillis() > deadline || !p.isAlive()) throw new AssertionError(Files.readString(log), e);
                Thread.sleep(100);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
