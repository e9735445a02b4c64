package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * maxmemory against a real redis-server: the OOM error paths of Redis 7.0's processCommand
 * (denyoom commands, MULTI queuing, EXEC of queued denyoom commands), what keeps working at the
 * limit, CONFIG SET/GET of the maxmemory and LFU directives, OBJECT FREQ / IDLETIME per policy
 * and the INFO fields. Each test runs private servers of both kinds (the settings are global).
 */
class MaxmemoryDifferentialTest {
    private RedisServerProcess redisServer;
    private BasaltInstance basaltServer;
    private RawClient redis;
    private RawClient basalt;

    private void start(String... args) {
        redisServer = RedisServerProcess.start(args);
        basaltServer = BasaltInstance.start(args);
        redis = new RawClient(redisServer.port());
        basalt = new RawClient(basaltServer.port());
    }

    @AfterEach
    void stop() {
        if (redis != null) redis.close();
        if (basalt != null) basalt.close();
        if (basaltServer != null) basaltServer.stop();
        if (redisServer != null) redisServer.stop();
    }

    private void same(String... cmd) {
        String expected = redis.call(cmd).rawString();
        String actual = basalt.call(cmd).rawString();
        assertEquals(expected, actual, () -> "reply to " + String.join(" ", cmd));
    }

    private static final String OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

    @Test
    void denyoomCommandsAreRefusedReadsAndDeletesWork() {
        start();
        same("SET", "k", "v");
        same("RPUSH", "l", "a", "b");
        same("SET", "t", "v");
        same("CONFIG", "SET", "maxmemory", "1");
        // denyoom commands
        assertEquals(OOM, basalt.call("SET", "x", "1").rawString());
        same("SET", "x", "1");
        same("SET", "k", "w");
        same("INCR", "n");
        same("APPEND", "k", "x");
        same("LPUSH", "l", "c");
        same("HSET", "h", "f", "v");
        same("SADD", "s", "m");
        same("ZADD", "z", "1", "m");
        same("SETRANGE", "k", "0", "x");
        same("MSET", "a", "1", "b", "2");
        // not denyoom: reads, deletes, expiry, flushes, pops
        same("GET", "k");
        same("LRANGE", "l", "0", "-1");
        same("EXISTS", "k", "l");
        same("LPOP", "l");
        same("EXPIRE", "k", "100");
        same("PERSIST", "k");
        same("TTL", "k");
        same("DEL", "k");
        same("UNLINK", "t");
        same("DBSIZE");
        same("PING");
        same("CONFIG", "GET", "maxmemory");
        same("FLUSHDB");
        same("FLUSHALL");
        same("DBSIZE");
        // an empty keyspace under an evicting policy: nothing to evict, still OOM
        same("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        same("SET", "x", "1");
        same("CONFIG", "SET", "maxmemory-policy", "volatile-ttl");
        same("SET", "x", "1");
    }

    @Test
    void transactionsAtTheLimit() {
        start();
        // inside MULTI everything but EXEC/DISCARD/QUIT/RESET is refused, and dooms the transaction
        same("CONFIG", "SET", "maxmemory", "1");
        same("MULTI");
        same("GET", "k");
        same("SET", "k", "v");
        same("PING");
        same("EXEC");
        same("MULTI");
        same("GET", "k");
        same("DISCARD");
        // EXEC of a queued denyoom command, queued before the limit was reached
        same("CONFIG", "SET", "maxmemory", "0");
        same("MULTI");
        same("SET", "k", "v");
        same("GET", "k");
        try (RawClient r2 = new RawClient(redisServer.port()); RawClient b2 = new RawClient(basaltServer.port())) {
            assertEquals(r2.call("CONFIG", "SET", "maxmemory", "1").rawString(),
                    b2.call("CONFIG", "SET", "maxmemory", "1").rawString());
        }
        same("EXEC");
        same("GET", "k");
        // an EXEC of reads only runs
        same("CONFIG", "SET", "maxmemory", "0");
        same("MULTI");
        same("GET", "k");
        same("EXISTS", "k");
        try (RawClient r2 = new RawClient(redisServer.port()); RawClient b2 = new RawClient(basaltServer.port())) {
            r2.call("CONFIG", "SET", "maxmemory", "1");
            b2.call("CONFIG", "SET", "maxmemory", "1");
        }
        same("EXEC");
        // a CONFIG SET inside the transaction applies to what follows, not to the EXEC's own commands
        same("CONFIG", "SET", "maxmemory", "0");
        same("MULTI");
        same("CONFIG", "SET", "maxmemory", "1");
        same("SET", "k", "v");
        same("EXEC");
        same("SET", "k", "w");
        same("GET", "k");
    }

    @Test
    void evictingPolicyMakesRoomByEvicting() {
        // unlimited tenacity: a cold JVM may otherwise hit the time limit, and the rest of the
        // eviction goes to the cron (a legitimate EVICT_RUNNING that lets the command through)
        start("--maxmemory-policy", "allkeys-lru", "--maxmemory-eviction-tenacity", "100");
        for (int i = 0; i < 50; i++) same("SET", "key:" + i, "value");
        same("CONFIG", "SET", "maxmemory", "1");
        // everything is evicted, then nothing is left: OOM
        same("SET", "new", "v");
        same("DBSIZE");
        same("INFO", "keyspace");
        assertEquals(fields(redis.call("INFO", "stats").string()).get("evicted_keys"),
                fields(basalt.call("INFO", "stats").string()).get("evicted_keys"));
        same("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
        same("CONFIG", "SET", "maxmemory", "0");
        same("SET", "p", "persistent");
        same("SET", "v", "volatile", "EX", "100");
        same("CONFIG", "SET", "maxmemory", "1");
        // volatile-*: only the key with a TTL goes, the persistent one stays
        same("SET", "x", "1");
        same("EXISTS", "v");
        same("EXISTS", "p");
    }

    @Test
    void configDirectives() {
        start();
        for (String p : new String[]{"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
                "lfu-log-factor", "lfu-decay-time"}) {
            same("CONFIG", "GET", p);
        }
        same("CONFIG", "SET", "maxmemory", "10mb");
        same("CONFIG", "GET", "maxmemory");
        same("CONFIG", "SET", "maxmemory", "1gb");
        same("CONFIG", "GET", "maxmemory");
        same("CONFIG", "SET", "maxmemory", "-1");
        same("CONFIG", "SET", "maxmemory", "abc");
        same("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
        same("CONFIG", "GET", "maxmemory-policy");
        same("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LRU");
        same("CONFIG", "GET", "maxmemory-policy");
        same("CONFIG", "SET", "maxmemory-policy", "lru");
        same("CONFIG", "SET", "maxmemory-samples", "0");
        same("CONFIG", "SET", "maxmemory-samples", "10");
        same("CONFIG", "SET", "maxmemory-eviction-tenacity", "101");
        same("CONFIG", "SET", "maxmemory-eviction-tenacity", "100");
        same("CONFIG", "SET", "lfu-log-factor", "-1");
        same("CONFIG", "SET", "lfu-log-factor", "0");
        same("CONFIG", "SET", "lfu-decay-time", "0");
    }

    @Test
    void objectFreqAndIdletimePerPolicy() {
        // lfu-log-factor 0: every access increments the counter, so the figures are exact; a
        // maxmemory keeps Redis from sharing small integers (whose clock all their keys share)
        start("--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lfu", "--lfu-log-factor", "0");
        same("SET", "a", "1");
        same("OBJECT", "FREQ", "a");
        for (int i = 0; i < 10; i++) same("GET", "a");
        same("OBJECT", "FREQ", "a");
        // an overwrite keeps the counter (after its own access)
        same("SET", "a", "a much longer value than before, so not rewritten in place");
        same("OBJECT", "FREQ", "a");
        same("SET", "a", "2");
        same("OBJECT", "FREQ", "a");
        same("HSET", "h", "f", "v");
        same("OBJECT", "FREQ", "h");
        same("HGET", "h", "f");
        same("OBJECT", "FREQ", "h");
        same("RPUSH", "l", "x");
        same("LRANGE", "l", "0", "-1");
        same("OBJECT", "FREQ", "l");
        same("INCR", "n");
        same("INCR", "n");
        same("OBJECT", "FREQ", "n");
        same("OBJECT", "FREQ", "missing");
        // which lookups count as an access (LOOKUP_NOTOUCH or not)
        same("SET", "t", "value");
        for (String[] cmd : new String[][]{{"EXISTS", "t"}, {"TYPE", "t"}, {"TTL", "t"}, {"PTTL", "t"},
                {"MEMORY", "USAGE", "t"}, {"OBJECT", "ENCODING", "t"}, {"SCAN", "0"}, {"KEYS", "*"}, {"RANDOMKEY"},
                {"EXPIRETIME", "t"}, {"STRLEN", "t"}, {"GETRANGE", "t", "0", "1"}, {"MGET", "t", "a"},
                {"EXPIRE", "t", "100"}, {"PERSIST", "t"}, {"APPEND", "t", "x"}, {"GETEX", "t"}}) {
            redis.call(cmd);
            basalt.call(cmd);
            same("OBJECT", "FREQ", "t");
        }
        same("OBJECT", "IDLETIME", "a");
        same("OBJECT", "IDLETIME", "missing");
        // OBJECT itself does not count as an access
        same("OBJECT", "FREQ", "a");
        same("TOUCH", "a");
        same("OBJECT", "FREQ", "a");
        // switching to LRU: FREQ refuses, IDLETIME answers
        same("CONFIG", "SET", "maxmemory-policy", "volatile-lru");
        same("OBJECT", "FREQ", "a");
        same("GET", "a");
        same("OBJECT", "IDLETIME", "a");
        same("CONFIG", "SET", "maxmemory-policy", "noeviction");
        same("OBJECT", "FREQ", "a");
        same("CONFIG", "SET", "maxmemory-policy", "volatile-lfu");
        same("SET", "b", "x");
        same("OBJECT", "FREQ", "b");
    }

    private static java.util.Map<String, String> fields(String info) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String line : info.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) m.put(line.substring(0, colon), line.substring(colon + 1));
        }
        return m;
    }

    @Test
    void infoFields() {
        start("--maxmemory", "10mb", "--maxmemory-policy", "allkeys-lfu");
        var r = fields(redis.call("INFO", "memory").string());
        var b = fields(basalt.call("INFO", "memory").string());
        for (String f : new String[]{"maxmemory", "maxmemory_human", "maxmemory_policy"}) {
            assertEquals(r.get(f), b.get(f), f);
        }
        for (String f : new String[]{"used_memory", "used_memory_rss", "used_memory_peak", "used_memory_overhead",
                "used_memory_startup", "used_memory_dataset", "mem_fragmentation_bytes"}) {
            assertTrue(b.get(f) != null && b.get(f).matches("-?\\d+"), f + ": " + b.get(f));
        }
        for (String f : new String[]{"used_memory_human", "used_memory_rss_human", "used_memory_peak_human"}) {
            assertTrue(b.get(f).matches("\\d+(\\.\\d\\d)?[BKMGT]"), f + ": " + b.get(f));
        }
        assertTrue(b.get("mem_fragmentation_ratio").matches("\\d+\\.\\d\\d"), b.get("mem_fragmentation_ratio"));
        assertTrue(b.get("used_memory_dataset_perc").matches("\\d+\\.\\d\\d%"), b.get("used_memory_dataset_perc"));
        // every field Redis reports in the section, Basalt does too, in the same order; then
        // Basalt's own (basalt_*, string compression), and nothing else
        assertEquals(java.util.List.copyOf(r.keySet()), b.keySet().stream().filter(k -> !k.startsWith("basalt_")).toList());
        assertEquals(java.util.List.of("basalt_compressed_values", "basalt_compression_saved_bytes"),
                b.keySet().stream().skip(r.size()).toList());
        long used = Long.parseLong(b.get("used_memory"));
        long dataset = Long.parseLong(b.get("used_memory_dataset"));
        long overhead = Long.parseLong(b.get("used_memory_overhead"));
        assertEquals(used, dataset + overhead);
        var rs = fields(redis.call("INFO", "stats").string());
        var bs = fields(basalt.call("INFO", "stats").string());
        for (String f : new String[]{"evicted_keys", "total_eviction_exceeded_time", "current_eviction_exceeded_time"}) {
            assertTrue(rs.containsKey(f) && bs.get(f).matches("\\d+"), f);
        }
        same("CONFIG", "SET", "maxmemory", "123456789");
        assertEquals(fields(redis.call("INFO", "memory").string()).get("maxmemory_human"),
                fields(basalt.call("INFO", "memory").string()).get("maxmemory_human"));
    }
}
