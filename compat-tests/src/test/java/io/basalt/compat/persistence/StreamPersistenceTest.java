package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Streams in files, both ways between redis-server 7.0 and Basalt: DUMP payloads (byte for byte
 * equal, RESTOREd by the other), RDB files, the AOF rewrite's RESP base, and what the AOF logs
 * for the commands whose propagated form Redis rewrites (XADD *, approximate trims, XREADGROUP,
 * XCLAIM, XAUTOCLAIM).
 */
class StreamPersistenceTest {
    @TempDir
    Path tmp;

    /** Streams with tombstones, several nodes, groups, consumers with and without pending entries. */
    static void populate(RawClient c) {
        for (int i = 1; i <= 250; i++) {
            String v = i % 9 == 0 ? "v".repeat(i) : Integer.toString(i * 7919 - 100000);
            if (i % 4 == 0) c.call("XADD", "big", i + "-1", "f", v, "g", "x");
            else c.call("XADD", "big", i + "-1", "f", v);
        }
        c.call("XDEL", "big", "3-1", "100-1", "250-1");
        c.call("XTRIM", "big", "MINID", "10");
        c.call("XGROUP", "CREATE", "big", "g1", "0");
        c.call("XGROUP", "CREATE", "big", "g2", "50", "ENTRIESREAD", "7");
        c.call("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "big", ">");
        c.call("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "3", "STREAMS", "big", ">");
        c.call("XGROUP", "CREATECONSUMER", "big", "g1", "idle");
        c.call("XCLAIM", "big", "g1", "bob", "0", "12-1", "TIME", "1700000000000", "RETRYCOUNT", "4");
        c.call("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM");
        c.call("XADD", "gone", "1-1", "a", "b");
        c.call("XDEL", "gone", "1-1");
        c.call("XSETID", "gone", "5-5", "ENTRIESADDED", "9", "MAXDELETEDID", "2-2");
        c.call("XADD", "ttl", "1-1", "a", "b");
        c.call("PEXPIREAT", "ttl", Long.toString(System.currentTimeMillis() + 3_600_000));
    }

    static final String[] KEYS = {"big", "empty", "gone", "ttl"};

    /** Everything a stream holds, in Redis's own words (times included: they travel in RDB). */
    static String describe(RawClient c, String key) {
        return stream(c, key) + c.call("PEXPIRETIME", key).rawString();
    }

    /** {@link #describe} without the expiry (RESTORE ... 0 gives none). */
    static String stream(RawClient c, String key) {
        return c.call("XINFO", "STREAM", key, "FULL", "COUNT", "0").rawString() + c.call("XINFO", "GROUPS", key).rawString()
                + c.call("OBJECT", "ENCODING", key).rawString();
    }

    @Test
    void dumpPayloadsAreRedisBytesAndMoveBothWays() {
        RedisServerProcess redis = RedisServerProcess.start();
        BasaltInstance basalt = BasaltInstance.start("--dir", tmp.toString());
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            populate(r);
            for (RawClient[] pair : new RawClient[][] {{r, b}, {b, r}}) {
                for (String k : KEYS) {
                    byte[] payload = pair[0].call("DUMP", k).bytes();
                    pair[1].call("DEL", "copy");
                    assertEquals("OK", pair[1].call("RESTORE".getBytes(), "copy".getBytes(), "0".getBytes(), payload).string());
                    assertEquals(stream(pair[0], k), stream(pair[1], "copy"), k);
                    assertArrayEquals(payload, pair[1].call("DUMP", "copy").bytes(), k);
                }
                populate(b);
            }
            // a payload with a broken node is refused, not loaded
            byte[] payload = r.call("DUMP", "big").bytes();
            payload[40] ^= 0x55;
            assertTrue(b.call("RESTORE".getBytes(), "bad".getBytes(), "0".getBytes(), payload).isError());
        } finally {
            redis.stop();
            basalt.stop();
        }
    }

    @Test
    void rdbFilesMoveBothWays() throws Exception {
        Path rd = Files.createDirectories(tmp.resolve("r"));
        RedisServerProcess redis = RedisServerProcess.start("--dir", rd.toString());
        List<String> want = new ArrayList<>();
        try (RawClient r = new RawClient(redis.port())) {
            populate(r);
            for (String k : KEYS) want.add(describe(r, k));
            assertEquals("OK", r.call("SAVE").string());
        } finally {
            redis.stop();
        }
        BasaltInstance basalt = BasaltInstance.start("--dir", rd.toString());
        try (RawClient b = new RawClient(basalt.port())) {
            List<String> got = new ArrayList<>();
            for (String k : KEYS) got.add(describe(b, k));
            assertEquals(want, got);
            b.call("XADD", "big", "999-0", "after", "load");
            want.clear();
            for (String k : KEYS) want.add(describe(b, k));
            assertEquals("OK", b.call("SAVE").string());
        } finally {
            basalt.stop();
        }
        RedisServerProcess back = RedisServerProcess.start("--dir", rd.toString());
        try (RawClient r = new RawClient(back.port())) {
            List<String> got = new ArrayList<>();
            for (String k : KEYS) got.add(describe(r, k));
            assertEquals(want, got);
        } finally {
            back.stop();
        }
    }

    @Test
    void aofRewriteBaseRecreatesStreams() throws Exception {
        BasaltInstance basalt = BasaltInstance.start("--dir", tmp.toString(), "--appendonly", "yes", "--aof-use-rdb-preamble", "no");
        List<String> want = new ArrayList<>();
        try (RawClient b = new RawClient(basalt.port())) {
            populate(b);
            for (String k : KEYS) want.add(masked(b, k));
            b.call("BGREWRITEAOF");
            AofFiles.awaitRewrite(basalt.port());
        } finally {
            basalt.stop();
        }
        // Basalt and redis-server both load the rewritten directory to the same streams
        BasaltInstance again = BasaltInstance.start("--dir", tmp.toString(), "--appendonly", "yes", "--aof-use-rdb-preamble", "no");
        try (RawClient b = new RawClient(again.port())) {
            List<String> got = new ArrayList<>();
            for (String k : KEYS) got.add(masked(b, k));
            assertEquals(want, got);
        } finally {
            again.stop();
        }
        RedisServerProcess redis = RedisServerProcess.start("--dir", tmp.toString(), "--appendonly", "yes");
        try (RawClient r = new RawClient(redis.port())) {
            AofFiles.awaitLoaded(redis.port());
            List<String> got = new ArrayList<>();
            for (String k : KEYS) got.add(masked(r, k));
            assertEquals(want, got);
        } finally {
            redis.stop();
        }
    }

    /** {@link #describe} without consumers' seen times (an AOF replay sets them to its own clock). */
    private static String masked(RawClient c, String key) {
        return describe(c, key).replaceAll("seen-time\r\n:\\d+", "seen-time\r\n:T");
    }

    static final String[][] PROPAGATED = {
            {"XADD", "s", "*", "a", "1"},
            {"XADD", "s", "1-*", "a", "2"},
            {"XADD", "t", "5-*", "a", "2"},
            {"XADD", "t", "MAXLEN", "~", "1", "6-1", "b", "3"},
            {"XADD", "t", "MINID", "~", "6", "LIMIT", "10", "7-1", "b", "3"},
            {"XTRIM", "t", "MAXLEN", "~", "0"},
            {"XTRIM", "t", "MAXLEN", "1"},
            {"XGROUP", "CREATE", "t", "g", "0"},
            {"XADD", "t", "8-1", "c", "4"},
            {"XADD", "t", "9-1", "c", "5"},
            {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "t", ">"},
            {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "t", "0"},
            {"XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "t", ">"},
            {"XADD", "t", "10-1", "c", "6"},
            {"XREADGROUP", "GROUP", "g", "carol", "NOACK", "STREAMS", "t", ">"},
            {"XCLAIM", "t", "g", "dave", "0", "8-1", "TIME", "1700000000000"},
            {"XCLAIM", "t", "g", "dave", "0", "9", "JUSTID", "LASTID", "20-0"},
            {"XCLAIM", "t", "g", "dave", "0", "1-1", "LASTID", "30-0"},
            {"XDEL", "t", "9-1"},
            {"XAUTOCLAIM", "t", "g", "erin", "0", "0", "JUSTID"},
            {"XACK", "t", "g", "8-1", "1-1"},
            {"XGROUP", "SETID", "t", "g", "$", "ENTRIESREAD", "3"},
            {"XGROUP", "CREATECONSUMER", "t", "g", "frank"},
            {"XGROUP", "DELCONSUMER", "t", "g", "frank"},
            {"XSETID", "t", "99-0"},
            {"XGROUP", "DESTROY", "t", "g"},
    };

    @Test
    void logsWhatRedisLogs() throws Exception {
        Path r = Files.createDirectories(tmp.resolve("redis"));
        Path b = Files.createDirectories(tmp.resolve("basalt"));
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--appendfsync", "always",
                "--aof-use-rdb-preamble", "no", "--dir", r.toString());
        BasaltInstance basalt = BasaltInstance.start("--appendonly", "yes", "--appendfsync", "always",
                "--aof-use-rdb-preamble", "no", "--dir", b.toString());
        try (RawClient rc = new RawClient(redis.port()); RawClient bc = new RawClient(basalt.port())) {
            for (String[] cmd : PROPAGATED) {
                RespValue x = rc.call(cmd), y = bc.call(cmd);
                assertEquals(x.isError(), y.isError(), String.join(" ", cmd));
            }
            String expected = AofFiles.normalized(AofFiles.incr(r.resolve("appendonlydir"))).replaceAll("\\d{13}-0", "<id>");
            String actual = AofFiles.normalized(AofFiles.incr(b.resolve("appendonlydir"))).replaceAll("\\d{13}-0", "<id>");
            assertEquals(expected, actual);
        } finally {
            redis.stop();
            basalt.stop();
        }
    }
}
