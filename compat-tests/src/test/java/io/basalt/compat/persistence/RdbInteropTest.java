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
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * RDB files and DUMP payloads move between redis-server 7.0 and Basalt in both directions: a
 * keyspace with every type in every encoding, TTLs and several databases is saved by one server
 * and loaded by the other, and the two keyspaces are compared key by key (type, encoding,
 * content, absolute expiry).
 */
class RdbInteropTest {
    @TempDir
    Path tmp;


    /** Fills db 0..2 with every type and encoding (the same commands work on both servers). */
    static void populate(RawClient c) {
        long exp = System.currentTimeMillis() + 3_600_000;
        c.call("SELECT", "0");
        c.call("SET", "int", "12345");
        c.call("SET", "negint", "-9223372036854775808");
        c.call("SET", "embstr", "hello world");
        c.call("SET", "raw", "r".repeat(100));
        c.call("SET", "random", "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0");
        c.call("SET", "bin", "\u0000\u0001\u00ff binary");
        c.call("SET", "ttlstr", "v", "PXAT", Long.toString(exp));
        for (int i = 0; i < 10; i++) c.call("RPUSH", "smalllist", i % 2 == 0 ? "e" + i : Integer.toString(i * 100000));
        for (int i = 0; i < 2000; i++) c.call("RPUSH", "biglist", "element-" + i, Integer.toString(i - 1000));
        c.call("RPUSH", "hugeelem", "x".repeat(20000), "y");
        c.call("PEXPIREAT", "biglist", Long.toString(exp + 1));
        for (int i = 0; i < 20; i++) c.call("SADD", "intset", Integer.toString(i * 1000 - 5000));
        c.call("SADD", "intset64", "9223372036854775807", "-1");
        for (int i = 0; i < 30; i++) c.call("SADD", "htset", "member" + i);
        for (int i = 0; i < 600; i++) c.call("SADD", "bigintset", Integer.toString(i));
        c.call("HSET", "lphash", "a", "1", "b", "two", "c", "-300000");
        for (int i = 0; i < 600; i++) c.call("HSET", "bighash", "field" + i, "value" + i);
        c.call("HSET", "longvalhash", "f", "v".repeat(100));
        c.call("PEXPIREAT", "lphash", Long.toString(exp + 2));
        c.call("ZADD", "lpzset", "1", "a", "2.5", "b", "-inf", "c", "1e300", "d", "0.1", "e");
        for (int i = 0; i < 300; i++) c.call("ZADD", "bigzset", Double.toString(i / 7.0), "m" + i);
        c.call("ZADD", "longzset", "3", "m".repeat(100));
        c.call("PEXPIREAT", "bigzset", Long.toString(exp + 3));
        c.call("SELECT", "1");
        c.call("SET", "db1key", "in db 1");
        c.call("HSET", "db1hash", "x", "y");
        c.call("SELECT", "9");
        c.call("RPUSH", "db9list", "a", "b", "c");
        c.call("SELECT", "0");
    }

    /** Key by key description of dbs 0..15: type, encoding, expiry time and content. */
    static TreeMap<String, String> describe(RawClient c) {
        TreeMap<String, String> all = new TreeMap<>();
        for (int db = 0; db < 16; db++) {
            c.call("SELECT", Integer.toString(db));
            RespValue keys = c.call("KEYS", "*");
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i).string();
                String type = c.call("TYPE", k).string();
                StringBuilder sb = new StringBuilder(type).append(' ')
                        .append(c.call("OBJECT", "ENCODING", k).string()).append(" exp=")
                        .append(c.call("PEXPIRETIME", k).number()).append(' ');
                switch (type) {
                    case "string" -> sb.append(c.call("GET", k).string());
                    case "list" -> sb.append(strings(c.call("LRANGE", k, "0", "-1"), false));
                    case "set" -> sb.append(strings(c.call("SMEMBERS", k), true));
                    case "hash" -> sb.append(strings(c.call("HGETALL", k), true));
                    case "zset" -> sb.append(strings(c.call("ZRANGE", k, "0", "-1", "WITHSCORES"), false));
                    default -> fail("unexpected type " + type);
                }
                all.put(db + ":" + k, sb.toString());
            }
        }
        c.call("SELECT", "0");
        return all;
    }

    static List<String> strings(RespValue v, boolean sort) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) l.add(v.get(i).string());
        if (sort) l.sort(null);
        return l;
    }

    @Test
    void basaltLoadsWhatRedisSaves() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "rdb-from-redis");
        RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString(), "--rdbcompression", "yes");
        TreeMap<String, String> want;
        try (RawClient r = new RawClient(redis.port())) {
            populate(r);
            want = describe(r);
            assertEquals("OK", r.call("SAVE").string());
        } finally {
            redis.stop();
        }
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            assertEquals(want, describe(c));
            String info = c.call("INFO", "persistence").string();
            assertTrue(info.contains("rdb_last_load_keys_loaded:" + want.size() + "\r\n"), info);
        } finally {
            b.stop();
        }
    }

    @Test
    void redisLoadsWhatBasaltSaves() throws Exception {
        for (String compression : new String[]{"yes", "no"}) {
            Path dir = Files.createTempDirectory(tmp, "rdb-from-basalt");
            BasaltInstance b = BasaltInstance.start("--dir", dir.toString(), "--rdbcompression", compression);
            TreeMap<String, String> want;
            try (RawClient c = new RawClient(b.port())) {
                populate(c);
                want = describe(c);
                assertEquals("OK", c.call("SAVE").string());
            } finally {
                b.stop();
            }
            Process check = new ProcessBuilder("redis-check-rdb", dir.resolve("dump.rdb").toString())
                    .redirectErrorStream(true).start();
            String out = new String(check.getInputStream().readAllBytes());
            assertEquals(0, check.waitFor(), out);
            assertTrue(out.contains("RDB looks OK!"), out);
            RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString());
            try (RawClient r = new RawClient(redis.port())) {
                assertEquals(want, describe(r));
            } finally {
                redis.stop();
            }
        }
    }

    @Test
    void dumpPayloadsMoveBothWays() throws Exception {
        RedisServerProcess redis = RedisServerProcess.start();
        BasaltInstance b = BasaltInstance.start("--dir", Files.createTempDirectory(tmp, "dump").toString());
        try (RawClient r = new RawClient(redis.port()); RawClient c = new RawClient(b.port())) {
            populate(r);
            TreeMap<String, String> want = describe(r);
            // Redis -> Basalt, db 0
            RespValue keys = r.call("KEYS", "*");
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i).string();
                byte[] payload = r.call("DUMP", k).bytes();
                long at = r.call("PEXPIRETIME", k).number();
                RespValue res = c.call("RESTORE".getBytes(), k.getBytes(), Long.toString(Math.max(at, 0)).getBytes(), payload, "ABSTTL".getBytes());
                assertEquals("OK", res.string(), k);
            }
            TreeMap<String, String> got = describe(c);
            want.keySet().removeIf(k -> !k.startsWith("0:"));
            assertEquals(want, got);
            // Basalt -> Redis, into db 5 of Redis
            r.call("SELECT", "5");
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i).string();
                byte[] payload = c.call("DUMP", k).bytes();
                long at = c.call("PEXPIRETIME", k).number();
                RespValue res = r.call("RESTORE".getBytes(), k.getBytes(), Long.toString(Math.max(at, 0)).getBytes(), payload, "ABSTTL".getBytes());
                assertEquals("OK", res.string(), k);
            }
            r.call("SELECT", "0");
            TreeMap<String, String> back = new TreeMap<>();
            describe(r).forEach((k, v) -> {
                if (k.startsWith("5:")) back.put("0:" + k.substring(2), v);
            });
            assertEquals(got, back);
        } finally {
            redis.stop();
            b.stop();
        }
    }

    /**
     * Under an LRU policy both servers record each key's idle time (RDB_OPCODE_IDLE), under LFU its
     * counter (RDB_OPCODE_FREQ), and the loading side restores it.
     */
    @Test
    void idleAndFreqTravelWithThePolicy() throws Exception {
        for (String policy : new String[]{"allkeys-lru", "allkeys-lfu"}) {
            boolean lfu = policy.endsWith("lfu");
            for (boolean fromRedis : new boolean[]{true, false}) {
                Path dir = Files.createTempDirectory(tmp, "rdb-lru");
                String[] args = {"--dir", dir.toString(), "--maxmemory-policy", policy};
                RedisServerProcess redis = fromRedis ? RedisServerProcess.start(args) : null;
                BasaltInstance basalt = fromRedis ? null : BasaltInstance.start(args);
                try (RawClient c = new RawClient(fromRedis ? redis.port() : basalt.port())) {
                    c.call("SET", "src", "v");
                    byte[] p = c.call("DUMP", "src").bytes();
                    RespValue r = c.call("RESTORE".getBytes(), "k".getBytes(), "0".getBytes(), p,
                            (lfu ? "FREQ" : "IDLETIME").getBytes(), (lfu ? "42" : "5000").getBytes());
                    assertEquals("OK", r.string());
                    assertEquals("OK", c.call("SAVE").string());
                } finally {
                    if (redis != null) redis.stop();
                    if (basalt != null) basalt.stop();
                }
                RedisServerProcess redis2 = fromRedis ? null : RedisServerProcess.start(args);
                BasaltInstance basalt2 = fromRedis ? BasaltInstance.start(args) : null;
                try (RawClient c = new RawClient(fromRedis ? basalt2.port() : redis2.port())) {
                    if (lfu) {
                        assertEquals(42, c.call("OBJECT", "FREQ", "k").number(), policy + " from redis " + fromRedis);
                    } else {
                        long idle = c.call("OBJECT", "IDLETIME", "k").number();
                        assertTrue(idle >= 5000 && idle <= 5010, policy + " from redis " + fromRedis + ": " + idle);
                    }
                } finally {
                    if (redis2 != null) redis2.stop();
                    if (basalt2 != null) basalt2.stop();
                }
            }
        }
    }
}
