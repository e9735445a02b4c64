package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MIGRATE from redis-server and from Basalt to a third server (a real Redis, with and without a
 * password), replies compared byte for byte; Redis's source lands in target db 1, Basalt's in
 * db 2, and the two are compared key by key. Also Redis migrating into Basalt.
 */
class MigrateDifferentialTest extends DifferentialTest {
    static RedisServerProcess target;
    static RedisServerProcess secured;

    @BeforeAll
    static void targets() {
        target = RedisServerProcess.start();
        secured = RedisServerProcess.start("--requirepass", "sekret");
    }

    @AfterAll
    static void stopTargets() {
        target.stop();
        secured.stop();
    }

    static int closedPort() {
        try {
            return RedisServerProcess.freePort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    String tp() { return Integer.toString(target.port()); }

    /** Runs MIGRATE on both sources, Redis's to target db {@code 1}, Basalt's to db {@code 2}. */
    void migrate(String port, String key, String... rest) {
        String[] r = new String[6 + rest.length];
        r[0] = "MIGRATE";
        r[1] = "127.0.0.1";
        r[2] = port;
        r[3] = key;
        r[5] = "2000";
        System.arraycopy(rest, 0, r, 6, rest.length);
        String[] b = r.clone();
        r[4] = "1";
        b[4] = "2";
        String want = redis.call(r).rawString();
        String got = basalt.call(b).rawString();
        assertEquals(want, got, () -> "reply to " + String.join(" ", r));
    }

    TreeMap<String, String> targetDb(int db) {
        try (RawClient t = new RawClient(target.port())) {
            t.call("SELECT", Integer.toString(db));
            TreeMap<String, String> m = new TreeMap<>();
            RdbInteropTest.describe(t).forEach((k, v) -> {
                if (k.startsWith(db + ":")) m.put(k.substring(k.indexOf(':') + 1), v.replaceAll("exp=\\d{4,}", "exp=set"));
            });
            return m;
        }
    }

    @Test
    void migratesKeysLikeRedis() {
        try (RawClient t = new RawClient(target.port())) {
            t.call("FLUSHALL");
        }
        for (String[] c : new String[][]{
                {"SET", "s", "v"}, {"RPUSH", "l", "a", "b", "1"}, {"HSET", "h", "f", "v"},
                {"SADD", "st", "1", "2"}, {"ZADD", "z", "1", "m"}, {"SET", "ttl", "x", "EX", "1000"},
                {"SET", "k1", "1"}, {"SET", "k2", "2"}, {"SET", "keep", "c"}}) {
            same(c);
        }
        migrate(tp(), "nokey");
        migrate(tp(), "s");
        same("EXISTS", "s");
        migrate(tp(), "l");
        migrate(tp(), "", "KEYS", "h", "st", "z", "ttl", "missing");
        same("EXISTS", "h", "st", "z", "ttl");
        migrate(tp(), "keep", "COPY");
        same("EXISTS", "keep");
        migrate(tp(), "keep", "COPY");
        migrate(tp(), "keep", "COPY", "REPLACE");
        migrate(tp(), "", "KEYS", "k1", "keep", "k2");
        same("EXISTS", "k1", "k2", "keep");
        assertEquals(targetDb(1), targetDb(2));
        // errors
        same("SET", "e", "1");
        migrate(tp(), "e", "KEYS", "e");
        migrate(tp(), "e", "BOGUS");
        migrate(tp(), "e", "AUTH");
        migrate(tp(), "e", "AUTH2", "u");
        same("MIGRATE", "127.0.0.1", tp(), "e", "x", "1000");
        same("MIGRATE", "127.0.0.1", tp(), "e", "0", "x");
        migrate(tp(), "e", "COPY", "AUTH", "pw");
        migrate(Integer.toString(secured.port()), "e", "COPY");
        migrate(Integer.toString(secured.port()), "e", "COPY", "AUTH", "wrong");
        migrate(Integer.toString(secured.port()), "e", "COPY", "AUTH2", "default", "wrong");
        migrate(Integer.toString(secured.port()), "e", "COPY", "AUTH", "sekret");
        migrate(Integer.toString(secured.port()), "e", "COPY", "AUTH2", "default", "sekret", "REPLACE");
        migrate(Integer.toString(closedPort()), "e");
    }

    /** A field of the target's INFO (0 when absent). */
    static long info(RedisServerProcess t, String section, String prefix) {
        try (RawClient c = new RawClient(t.port())) {
            for (String line : c.call("INFO", section).string().split("\r\n")) {
                if (line.startsWith(prefix)) {
                    String v = line.substring(prefix.length());
                    int comma = v.indexOf(',');
                    return Long.parseLong(comma < 0 ? v : v.substring(0, comma));
                }
            }
            return 0;
        }
    }

    /**
     * Redis keeps MIGRATE's connection to a target open for the next MIGRATE, skips SELECT when
     * the cached connection is on the db already, and retries once on a new connection when the
     * target closed the cached one: the target sees the same connections and SELECTs from Basalt.
     */
    @Test
    void cachesTargetConnectionsLikeRedis() {
        RedisServerProcess forRedis = RedisServerProcess.start();
        RedisServerProcess forBasalt = RedisServerProcess.start();
        try {
            long[][] seen = new long[2][];
            RedisServerProcess[] targets = {forRedis, forBasalt};
            for (int side = 0; side < 2; side++) {
                RedisServerProcess t = targets[side];
                String port = Integer.toString(t.port());
                java.util.function.Function<String[], String> call = side == 0
                        ? args -> redis.call(args).rawString()
                        : args -> basalt.call(args).rawString();
                for (int i = 0; i < 7; i++) call.apply(new String[]{"SET", "cache" + i, "v" + i});
                java.util.List<String> replies = new java.util.ArrayList<>();
                String[][] steps = {{"cache0", "5"}, {"cache1", "5"}, {"cache2", "5"}, {"cache3", "6"}, {"cache4", "6"}};
                for (String[] st : steps) {
                    replies.add(call.apply(new String[]{"MIGRATE", "127.0.0.1", port, st[0], st[1], "2000"}));
                }
                // the target drops the cached connection: the next MIGRATE reconnects and SELECTs
                try (RawClient k = new RawClient(t.port())) {
                    replies.add(k.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").rawString());
                }
                replies.add(call.apply(new String[]{"MIGRATE", "127.0.0.1", port, "cache5", "6", "2000"}));
                replies.add(call.apply(new String[]{"MIGRATE", "127.0.0.1", port, "cache6", "6", "2000"}));
                for (String r : replies) assertEquals("+OK\r\n", r.startsWith(":") ? "+OK\r\n" : r, replies.toString());
                seen[side] = new long[]{
                        info(t, "stats", "total_connections_received:"),
                        info(t, "commandstats", "cmdstat_select:calls="),
                        info(t, "keyspace", "db5:keys="),
                        info(t, "keyspace", "db6:keys=")};
            }
            assertEquals(java.util.Arrays.toString(seen[0]), java.util.Arrays.toString(seen[1]),
                    "target's connections, SELECTs, db5 and db6 keys: redis-server's source vs Basalt");
            assertEquals(3, seen[1][1], "SELECT calls on Basalt's target");
        } finally {
            forRedis.stop();
            forBasalt.stop();
        }
    }

    @Test
    void redisMigratesIntoBasalt() {
        BasaltInstance b = BasaltInstance.shared();
        redis.call("RPUSH", "list", "x", "y");
        redis.call("HSET", "hash", "a", "1");
        redis.call("SET", "str", "v", "PX", "100000");
        assertEquals("OK", redis.call("MIGRATE", "127.0.0.1", Integer.toString(b.port()), "", "3", "1000", "KEYS", "list", "hash", "str").string());
        basalt.call("SELECT", "3");
        assertEquals(2, basalt.call("LLEN", "list").number());
        assertEquals("1", basalt.call("HGET", "hash", "a").string());
        long pttl = basalt.call("PTTL", "str").number();
        assertEquals(true, pttl > 90000 && pttl <= 100000, "pttl " + pttl);
        basalt.call("FLUSHDB");
        basalt.call("SELECT", "0");
    }
}
