package io.basalt.compat.persistence;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.FunctionLists;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Function libraries persist as Redis persists them and move between the servers: RDB files
 * (RDB_OPCODE_FUNCTION2, compressed or not) saved by one are loaded by the other, an AOF (FUNCTION
 * LOAD records, a rewrite's base in RDB or command form) restarts with the same libraries on
 * Basalt and on redis-server, and DEBUG RELOAD keeps them.
 */
class FunctionPersistenceTest {
    @TempDir
    Path tmp;

    static final String LIB_A = "#!lua name=liba\n"
            + "redis.register_function('fa', function(keys, args) return redis.call('incrby', keys[1], args[1]) end)\n"
            + "redis.register_function{function_name='fa_ro', callback=function(keys) return redis.call('get', keys[1]) end,"
            + " flags={'no-writes', 'allow-stale'}, description='reads ' .. 'the counter'}\n";
    static final String LIB_B = "#!lua name=libb\nredis.register_function('fb', function() return 'b' end)";

    /** Each library (by name) as FUNCTION LIST ... WITHCODE shows it, and what its functions answer. */
    static Map<String, String> functions(int port) {
        AofFiles.awaitLoaded(port);
        Map<String, String> all = new TreeMap<>();
        try (RawClient c = new RawClient(port)) {
            RespValue list = c.call("FUNCTION", "LIST");
            for (RespValue lib : list.elements()) {
                String name = lib.get(1).string();
                all.put(name, FunctionLists.canonical(c.call("FUNCTION", "LIST", "LIBRARYNAME", name, "WITHCODE")));
            }
            all.put("stats", wire(c.call("FUNCTION", "STATS")));
            all.put("fa_ro", wire(c.call("FCALL_RO", "fa_ro", "1", "counter")));
            all.put("fb", wire(c.call("FCALL", "fb", "0")));
        }
        return all;
    }

    private static String wire(RespValue v) {
        return new String(v.raw(), StandardCharsets.ISO_8859_1);
    }

    private static void fill(RawClient c) {
        assertEquals("liba", c.call("FUNCTION", "LOAD", LIB_A).string());
        assertEquals("libb", c.call("FUNCTION", "LOAD", LIB_B).string());
        c.call("FCALL", "fa", "1", "counter", "5");
        c.call("SET", "plain", "key");
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void redisLoadsBasaltsRdb(String compression) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "from-basalt");
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString(), "--rdbcompression", compression);
        Map<String, String> want;
        try (RawClient c = new RawClient(b.port())) {
            fill(c);
            want = functions(b.port());
            assertEquals("OK", c.call("SAVE").string());
        } finally {
            b.stop();
        }
        Process check = new ProcessBuilder("redis-check-rdb", dir.resolve("dump.rdb").toString()).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes());
        assertEquals(0, check.waitFor(), out);
        assertTrue(out.contains("RDB looks OK!"), out);
        RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString());
        try (RawClient r = new RawClient(redis.port())) {
            assertEquals(want, functions(redis.port()));
            assertEquals("5", r.call("GET", "counter").string());
        } finally {
            redis.stop();
        }
    }

    @Test
    void basaltLoadsRedisRdb() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "from-redis");
        RedisServerProcess redis = RedisServerProcess.start("--dir", dir.toString());
        Map<String, String> want;
        try (RawClient r = new RawClient(redis.port())) {
            fill(r);
            want = functions(redis.port());
            assertEquals("OK", r.call("SAVE").string());
        } finally {
            redis.stop();
        }
        BasaltInstance b = BasaltInstance.start("--dir", dir.toString());
        try (RawClient c = new RawClient(b.port())) {
            assertEquals(want, functions(b.port()));
            // DEBUG RELOAD saves and loads them back
            assertEquals("OK", c.call("DEBUG", "RELOAD").string());
            assertEquals(want, functions(b.port()));
        } finally {
            b.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no"})
    void aofRoundTrip(String preamble) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "aof");
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString(), "--aof-use-rdb-preamble", preamble);
        Map<String, String> want;
        Map<String, String> keys;
        try (RawClient c = new RawClient(b.port())) {
            assertEquals("liba", c.call("FUNCTION", "LOAD", LIB_A).string());
            assertEquals("gone", c.call("FUNCTION", "LOAD", "#!lua name=gone\nredis.register_function('g', function() end)").string());
            c.call("FCALL", "fa", "1", "counter", "2");
            c.call("BGREWRITEAOF");
            AofFiles.awaitRewrite(b.port());
            // after the rewrite: in the incremental file
            assertEquals("libb", c.call("FUNCTION", "LOAD", LIB_B).string());
            assertEquals("OK", c.call("FUNCTION", "DELETE", "gone").string());
            c.call("FCALL", "fa", "1", "counter", "3");
            want = functions(b.port());
            keys = AofFiles.dump(b.port());
        } finally {
            b.stop();
        }
        String ext = preamble.equals("yes") ? "rdb" : "aof";
        assertTrue(Files.exists(dir.resolve("appendonlydir/appendonly.aof.2.base." + ext)));
        String incr = AofFiles.incr(dir.resolve("appendonlydir"));
        assertTrue(incr.contains("FUNCTION\r\n$4\r\nLOAD"), incr);
        Path copy = tmp.resolve("aof-copy-" + preamble);
        AofFiles.copyDir(dir.resolve("appendonlydir"), copy.resolve("appendonlydir"));
        BasaltInstance again = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try {
            assertEquals(want, functions(again.port()));
            assertEquals(keys, AofFiles.dump(again.port()));
        } finally {
            again.stop();
        }
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", copy.toString());
        try {
            assertEquals(want, functions(redis.port()));
            assertEquals(keys, AofFiles.dump(redis.port()));
        } finally {
            redis.stop();
        }
    }

    @Test
    void basaltLoadsRedisAof() throws Exception {
        Path dir = Files.createTempDirectory(tmp, "redis-aof");
        RedisServerProcess redis = RedisServerProcess.start("--appendonly", "yes", "--dir", dir.toString(), "--aof-use-rdb-preamble", "no");
        Map<String, String> want;
        try (RawClient r = new RawClient(redis.port())) {
            assertEquals("liba", r.call("FUNCTION", "LOAD", LIB_A).string());
            r.call("BGREWRITEAOF");
            AofFiles.awaitRewrite(redis.port());
            assertEquals("libb", r.call("FUNCTION", "LOAD", LIB_B).string());
            want = functions(redis.port());
        } finally {
            redis.stop();
        }
        BasaltInstance b = BasaltInstance.start("--appendonly", "yes", "--dir", dir.toString());
        try {
            assertEquals(want, functions(b.port()));
        } finally {
            b.stop();
        }
    }
}
