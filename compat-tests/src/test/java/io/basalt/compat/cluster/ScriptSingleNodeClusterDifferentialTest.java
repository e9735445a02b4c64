package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.data.Slots;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Scripts and functions on a single-node cluster that serves every slot (CLUSTER ADDSLOTSRANGE 0
 * 16383), Basalt against a redis-server 7.0.15 started alike, byte for byte: every key is local,
 * so what is left is Redis's slot discipline (CROSSSLOT for declared keys, the in-script check of
 * keys of several slots unless the script has no shebang or allow-cross-slot-keys, the slot an
 * EXEC's scripts share), the no-cluster flag, and a cluster down with and without
 * cluster-allow-reads-when-down.
 */
class ScriptSingleNodeClusterDifferentialTest {
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;
    private ClusterPair p;

    private static final String LIB = "#!lua name=slib\n"
            + "redis.register_function('touch', function(keys, args) local r = {} for i, k in ipairs(args) do "
            + "r[i] = redis.call('incr', k) end return r end)\n"
            + "redis.register_function{function_name='touchx', callback=function(keys, args) local r = {} for i, k in ipairs(args) do "
            + "r[i] = redis.call('incr', k) end return r end, flags={'allow-cross-slot-keys'}}\n"
            + "redis.register_function{function_name='peek', callback=function(keys, args) return redis.call('mget', unpack(args)) end, flags={'no-writes'}}\n";

    @BeforeAll
    static void start() {
        redis = ClusterPair.startRedis("--cluster-node-timeout", "1000");
        basalt = ClusterPair.startBasalt("--cluster-node-timeout", "1000");
    }

    @AfterAll
    static void stop() {
        if (basalt != null) basalt.stop();
        if (redis != null) redis.stop();
    }

    @BeforeEach
    void serveAllSlots() {
        p = new ClusterPair(basalt.port(), redis.port());
        p.same("FLUSHALL");
        p.same("FUNCTION", "FLUSH");
        p.same("CLUSTER", "FLUSHSLOTS");
        p.same("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        ClusterPair.awaitServing(p.redis, "k");
        ClusterPair.awaitServing(p.basalt, "k");
        p.same("CONFIG", "RESETSTAT");
    }

    @AfterEach
    void close() {
        p.close();
    }

    private static String keyInSlot(int slot) {
        for (int i = 0; ; i++) {
            String k = "k" + i;
            if (Slots.slot(k.getBytes(StandardCharsets.UTF_8)) == slot) return k;
        }
    }

    private void sameErrorStats() {
        String[] s = p.both("INFO", "errorstats");
        assertEquals(s[0], s[1], "INFO errorstats");
    }

    @Test
    void slotsOfDeclaredAndTouchedKeys() {
        assertEquals("-CROSSSLOT Keys in request don't hash to the same slot\r\n", p.same("EVAL", "return 1", "2", "foo", "hello"));
        p.same("EVAL", "return redis.call('mset', KEYS[1], 1, KEYS[2], 2)", "2", "{t}a", "{t}b");
        p.same("EVAL", "return redis.call('mset', 'foo', 1, 'hello', 2)", "0");
        p.same("EVAL", "return redis.call('mget', 'foo', 'hello')", "0");
        p.same("EVAL", "#!lua\nreturn redis.call('mget', 'foo', 'hello')", "0");
        p.same("EVAL", "#!lua\nreturn redis.call('mget', 'foo', '{foo}x')", "0");
        p.same("EVAL", "#!lua\nredis.call('incr', 'foo') return redis.call('incr', 'hello')", "0");
        p.same("EVAL", "#!lua\nredis.call('incr', 'foo') return redis.pcall('incr', 'hello')", "0");
        p.same("EVAL", "#!lua\nreturn redis.call('incr', 'hello')", "1", "foo");
        p.same("EVAL", "#!lua flags=allow-cross-slot-keys\nredis.call('incr', 'foo') return redis.call('incr', 'hello')", "1", "{foo}");
        p.same("EVAL", "#!lua flags=allow-cross-slot-keys,no-writes\nreturn redis.call('mget', 'foo', 'hello')", "0");
        p.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('mget', 'foo', 'hello')", "0");
        p.same("MGET", "foo", "hello");
        // functions
        p.same("FUNCTION", "LOAD", LIB);
        p.same("FCALL", "touch", "0", "foo", "{foo}a");
        p.same("FCALL", "touch", "0", "foo", "hello");
        p.same("FCALL", "touch", "1", "hello", "foo");
        p.same("FCALL", "touchx", "1", "hello", "foo", "bar");
        p.same("FCALL_RO", "peek", "0", "foo", "hello");
        p.same("FCALL_RO", "peek", "0", "foo", "{foo}b");
        p.same("FCALL", "touch", "2", "foo", "hello");
        // one EXEC: the scripts share the slot of its first key
        p.same("MULTI");
        p.same("FCALL", "touch", "0", "foo");
        p.same("EVAL", "return redis.call('incr', 'hello')", "0");
        p.same("EVAL", "#!lua\nreturn redis.call('incr', 'hello')", "0");
        p.same("FCALL", "touch", "0", "{foo}c");
        p.same("EXEC");
        p.same("MULTI");
        p.same("EVAL", "#!lua\nreturn redis.call('incr', 'hello')", "0");
        p.same("INCR", "foo");
        p.same("EXEC");
        p.same("MULTI");
        p.same("EVAL", "#!lua\nreturn 1", "1", "foo");
        p.same("EVAL", "#!lua\nreturn 1", "1", "hello");
        p.same("EXEC");
        p.same("MGET", "foo", "hello", "{foo}a", "{foo}c", "bar");
        // no-cluster
        p.same("EVAL", "#!lua flags=no-cluster\nreturn 1", "0");
        p.same("EVAL", "#!lua flags=no-cluster\nreturn 1", "2", "foo", "hello");
        p.same("EVAL", "return 1", "0");
        sameErrorStats();
    }

    @Test
    void clusterDown() {
        String unassigned = keyInSlot(100);
        p.same("FUNCTION", "LOAD", LIB);
        p.same("SET", "foo", "1");
        try {
            p.same("CLUSTER", "DELSLOTS", "100");
            ClusterPair.await(p.redis, "-CLUSTERDOWN The cluster is down", "GET", "foo");
            ClusterPair.await(p.basalt, "-CLUSTERDOWN The cluster is down", "GET", "foo");
            p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "foo");
            p.same("EVAL", "return redis.call('get', 'foo')", "0");
            p.same("EVAL", "#!lua flags=no-writes\nreturn redis.pcall('get', 'foo')", "0");
            p.same("EVAL", "return redis.call('get', '" + unassigned + "')", "0");
            p.same("FCALL_RO", "peek", "0", "foo");
            p.same("EVAL", "return redis.call('time')[1] ~= nil", "0");
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "yes");
            p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "foo");
            p.same("EVAL", "return redis.call('incr', KEYS[1])", "1", "foo");
            p.same("EVAL", "#!lua\nreturn redis.call('incr', KEYS[1])", "1", "foo");
            p.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "foo");
            p.same("EVAL", "#!lua\nreturn redis.call('incr', 'foo')", "0");
            p.same("EVAL", "return redis.pcall('get', '" + unassigned + "')", "0");
            p.same("FCALL", "touch", "0", "foo");
            p.same("FCALL", "touch", "1", "foo", "foo");
            p.same("FCALL_RO", "peek", "1", "foo", "foo");
            p.same("GET", "foo");
        } finally {
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "no");
            p.same("CLUSTER", "ADDSLOTS", "100");
            ClusterPair.awaitServing(p.redis, "foo");
            ClusterPair.awaitServing(p.basalt, "foo");
        }
        sameErrorStats();
    }
}
