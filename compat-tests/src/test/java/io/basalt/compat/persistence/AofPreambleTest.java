package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code aof-use-rdb-preamble} against redis-server 7.0: with yes (the default) an AOF rewrite
 * writes the base as an RDB image ({@code appendonly.aof.<n>.base.rdb}), with no as RESP commands
 * ({@code .base.aof}), named and listed in the manifest as Redis does; each server loads the
 * other's directory key by key (every type and encoding, TTLs, several databases).
 */
class AofPreambleTest {
    @TempDir
    Path tmp;

    private static List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir.resolve("appendonlydir"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String manifest(Path dir) throws Exception {
        return Files.readString(dir.resolve("appendonlydir/appendonly.aof.manifest"));
    }

    private static String head(Path file, int n) throws Exception {
        byte[] b = Files.readAllBytes(file);
        return new String(b, 0, Math.min(n, b.length), StandardCharsets.ISO_8859_1);
    }

    /** A fresh start with appendonly yes creates the same files and manifest as Redis. */
    @Test
    void freshStartCreatesTheSameLayoutAsRedis() throws Exception {
        for (String preamble : new String[]{"yes", "no"}) {
            Path rd = Files.createTempDirectory(tmp, "redis");
            Path bd = Files.createTempDirectory(tmp, "basalt");
            RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--aof-use-rdb-preamble", preamble,
                    "--dir", rd.toString());
            BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--aof-use-rdb-preamble", preamble,
                    "--dir", bd.toString());
            try {
                assertEquals(files(rd), files(bd), preamble);
                assertEquals(manifest(rd), manifest(bd), preamble);
                if (preamble.equals("yes")) {
                    Path base = bd.resolve("appendonlydir/appendonly.aof.1.base.rdb");
                    assertEquals("REDIS0010", head(base, 9));
                    assertTrue(head(base, 200).contains("aof-base"), "aux field aof-base");
                }
            } finally {
                redis.stop();
                basalt.stop();
            }
        }
    }

    /**
     * BGREWRITEAOF and CONFIG SET aof-use-rdb-preamble on both servers: the same sequence of file
     * names and manifests (rdb, then aof after "no", then rdb again), and CONFIG GET/SET replies.
     */
    @Test
    void rewritesNameAndRecordBasesAsRedis() throws Exception {
        Path rd = Files.createTempDirectory(tmp, "redis");
        Path bd = Files.createTempDirectory(tmp, "basalt");
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", rd.toString());
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--dir", bd.toString());
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            for (String[] step : new String[][]{{"yes", "rdb"}, {"no", "aof"}, {"yes", "rdb"}}) {
                for (RawClient c : new RawClient[]{r, b}) {
                    assertEquals("OK", c.call("CONFIG", "SET", "aof-use-rdb-preamble", step[0]).string());
                    assertEquals(step[0], c.call("CONFIG", "GET", "aof-use-rdb-preamble").get(1).string());
                    c.call("SET", "k", step[0]);
                    c.call("RPUSH", "l", step[1]);
                    assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
                }
                AofFiles.awaitRewrite(redis.port());
                AofFiles.awaitRewrite(basalt.port());
                assertEquals(files(rd), files(bd));
                assertEquals(manifest(rd), manifest(bd));
                String base = manifest(bd).lines().filter(l -> l.endsWith("type b")).findFirst().orElseThrow().split(" ")[1];
                assertTrue(base.endsWith(".base." + step[1]), base);
                assertEquals(step[1].equals("rdb") ? "REDIS" : "*", head(bd.resolve("appendonlydir").resolve(base), step[1].equals("rdb") ? 5 : 1));
            }
            for (String bad : new String[]{"maybe", ""}) {
                assertEquals(r.call("CONFIG", "SET", "aof-use-rdb-preamble", bad).rawString(),
                        b.call("CONFIG", "SET", "aof-use-rdb-preamble", bad).rawString());
            }
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    /**
     * Basalt's RDB base (plus an incremental file written during and after the rewrite) loads in
     * redis-server and in Basalt to the same keyspace: types, encodings, absolute TTLs, values.
     */
    @Test
    void redisAndBasaltLoadBasaltsRdbBase() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "basalt");
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        TreeMap<String, String> want;
        try (RawClient c = new RawClient(basalt.port())) {
            RdbInteropTest.populate(c);
            assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
            c.call("SET", "during", "rewrite");
            c.call("INCR", "counter");
            AofFiles.awaitRewrite(basalt.port());
            c.call("INCR", "counter");
            c.call("SELECT", "3");
            c.call("SET", "after", "rewrite", "PX", "3600000");
            c.call("SELECT", "0");
            want = RdbInteropTest.describe(c);
        } finally {
            basalt.stop();
        }
        assertEquals("file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n", manifest(dir));
        assertEquals("REDIS0010", head(dir.resolve("appendonlydir/appendonly.aof.2.base.rdb"), 9));
        assertEquals("2", want.get("0:counter").replaceAll(".* ", ""));
        Process check = new ProcessBuilder("redis-check-rdb", dir.resolve("appendonlydir/appendonly.aof.2.base.rdb").toString())
                .redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), out);
        Process checkAof = new ProcessBuilder("redis-check-aof", dir.resolve("appendonlydir/appendonly.aof.manifest").toString())
                .redirectErrorStream(true).start();
        String aofOut = new String(checkAof.getInputStream().readAllBytes());
        assertEquals(0, checkAof.waitFor(), aofOut);
        assertTrue(aofOut.contains("All AOF files and manifest are valid"), aofOut);
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient r = new RawClient(redis.port())) {
            AofFiles.awaitLoaded(redis.port());
            assertEquals(want, RdbInteropTest.describe(r));
        } finally {
            redis.stop();
        }
        BasaltInstance again = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient c = new RawClient(again.port())) {
            assertEquals(want, RdbInteropTest.describe(c));
        } finally {
            again.stop();
        }
    }

    /** BGREWRITEAOF with appendonly no writes an RDB base too, which redis-server then loads. */
    @Test
    void rewriteWithAppendonlyNoWritesAnRdbBase() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "basalt");
        BasaltInstance basalt = BasaltInstance.start("--dir", dir.toString());
        TreeMap<String, String> want;
        try (RawClient c = new RawClient(basalt.port())) {
            RdbInteropTest.populate(c);
            assertEquals("Background append only file rewriting started", c.call("BGREWRITEAOF").string());
            AofFiles.awaitRewrite(basalt.port());
            want = RdbInteropTest.describe(c);
        } finally {
            basalt.stop();
        }
        assertEquals("file appendonly.aof.1.base.rdb seq 1 type b\n", manifest(dir));
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", dir.toString());
        try (RawClient r = new RawClient(redis.port())) {
            AofFiles.awaitLoaded(redis.port());
            assertEquals(want, RdbInteropTest.describe(r));
        } finally {
            redis.stop();
        }
    }
}
