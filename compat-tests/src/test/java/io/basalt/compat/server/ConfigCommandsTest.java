package io.basalt.compat.server;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import io.basalt.server.config.ConfigParams;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigCommandsTest extends DifferentialTest {

    /** Parameters whose values legitimately differ (ports, paths, Basalt's deliberate defaults). */
    static final Set<String> DIFFERENT = Set.of("port", "bind", "dir", "save", "io-threads", "logfile", "pidfile",
            "enable-debug-command", "appendonly", "daemonize", "protected-mode");

    private static TreeSet<String> withoutBasaltOnly(java.util.Collection<String> names) {
        TreeSet<String> t = new TreeSet<>(names);
        t.removeAll(ConfigParams.BASALT_ONLY);
        return t;
    }

    private static Map<String, String> pairs(RespValue v) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i + 1 < v.size(); i += 2) m.put(v.get(i).string(), v.get(i + 1).string());
        return m;
    }

    @Test
    void getStarReportsEveryRedisParameterWithRedisDefaults() {
        Map<String, String> r = pairs(redis.call("CONFIG", "GET", "*"));
        Map<String, String> b = pairs(basalt.call("CONFIG", "GET", "*"));
        // Basalt's own directives are reported too, and are the only difference
        assertTrue(b.keySet().containsAll(ConfigParams.BASALT_ONLY), b.keySet().toString());
        assertEquals(new TreeSet<>(r.keySet()), withoutBasaltOnly(b.keySet()));
        for (Map.Entry<String, String> e : r.entrySet()) {
            if (DIFFERENT.contains(e.getKey())) continue;
            assertEquals(e.getValue(), b.get(e.getKey()), e.getKey());
        }
    }

    @Test
    void getSingleNamesAliasesAndCase() {
        same("CONFIG", "GET", "maxmemory");
        same("CONFIG", "GET", "MAXMEMORY");
        same("CONFIG", "GET", "slave-read-only");
        same("CONFIG", "GET", "hash-max-ziplist-entries");
        same("CONFIG", "GET", "nosuch");
        same("CONFIG", "GET", "rdb-key-save-delay");
        same("CONFIG", "GET", "client-output-buffer-limit");
        same("CONFIG", "GET", "maxmemory-polic?");
        same("CONFIG", "GET", "notify-keyspace-events", "notify-keyspace-events");
        same("CONFIG", "GET");
        resp3();
        same("CONFIG", "GET", "maxmemory");
        same("CONFIG", "GET", "nosuch");
    }

    @Test
    void getGlobsMatchTheSameSet() {
        for (String glob : new String[]{"*max-*-entries*", "slave*", "repl-*", "*", "tls-*", "[hz]*", "lazyfree-*"}) {
            assertEquals(new TreeSet<>(pairs(redis.call("CONFIG", "GET", glob)).keySet()),
                    withoutBasaltOnly(pairs(basalt.call("CONFIG", "GET", glob)).keySet()), glob);
        }
        assertEquals(new TreeSet<>(pairs(redis.call("CONFIG", "GET", "maxmemory*", "hz", "timeout")).keySet()),
                new TreeSet<>(pairs(basalt.call("CONFIG", "GET", "maxmemory*", "hz", "timeout")).keySet()));
    }

    @Test
    void setErrorsMatchRedis() {
        same("CONFIG", "SET", "nosuch", "1");
        same("CONFIG", "SET", "maxmemory");
        same("CONFIG", "SET", "maxmemory", "1", "hz");
        same("CONFIG", "SET", "databases", "4");
        same("CONFIG", "SET", "daemonize", "yes");
        same("CONFIG", "SET", "dir", "/tmp");
        same("CONFIG", "SET", "dbfilename", "x.rdb");
        same("CONFIG", "SET", "appendfsync", "sometimes");
        same("CONFIG", "SET", "loglevel", "nothing");
        same("CONFIG", "SET", "maxmemory-policy", "lru");
        same("CONFIG", "SET", "activerehashing", "maybe");
        same("CONFIG", "SET", "timeout", "abc");
        same("CONFIG", "SET", "timeout", "+5");
        same("CONFIG", "SET", "timeout", "05");
        same("CONFIG", "SET", "timeout", "-1");
        same("CONFIG", "SET", "maxclients", "0");
        same("CONFIG", "SET", "maxmemory", "-1");
        same("CONFIG", "SET", "maxmemory", "1.5mb");
        same("CONFIG", "SET", "maxmemory", "12xb");
        same("CONFIG", "SET", "proto-max-bulk-len", "100");
        same("CONFIG", "SET", "slowlog-log-slower-than", "-2");
        same("CONFIG", "SET", "active-expire-effort", "11");
        same("CONFIG", "SET", "save", "100");
        same("CONFIG", "SET", "save", "a b");
        same("CONFIG", "SET", "notify-keyspace-events", "Q");
        same("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2");
        same("CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3");
        same("CONFIG", "SET", "maxmemory-clients", "abc");
        // a percentage parses, then fails the bound check with its own message
        same("CONFIG", "SET", "maxmemory-clients", "200%");
        same("CONFIG", "SET", "maxmemory-clients", "101%");
        same("CONFIG", "SET", "maxmemory-clients", "-1%");
        same("CONFIG", "SET", "maxmemory-clients", "%");
        same("CONFIG", "SET", "maxmemory-clients", "99999999999999999999%");
        same("CONFIG", "SET", "oom-score-adj-values", "1 2");
        same("CONFIG", "SET", "oom-score-adj-values", "1 2 3000");
        same("CONFIG", "SET", "latency-tracking-info-percentiles", "50 abc");
        same("CONFIG", "SET", "latency-tracking-info-percentiles", "101");
        same("CONFIG", "SET", "timeout", "1", "timeout", "2");
        same("CONFIG", "SET", "timeout", "1", "nosuch", "2");
        same("CONFIG", "SET", "timeout", "1", "hz", "abc");
        same("CONFIG", "SET", "MAXMEMORY", "abc");
        same("CONFIG", "SET", "DATABASES", "1");
        same("CONFIG", "SET", "Nosuch", "1");
        same("CONFIG", "SET", "slave-priority", "abc");
        same("CONFIG", "SET", "timeout", "1", "TIMEOUT", "2");
        same("CONFIG", "SET", "timeout", "abc", "nosuch", "1");
        same("CONFIG", "SET", "databases", "1", "nosuch", "1");
        same("CONFIG", "SET", "timeout", "abc", "databases", "1");
        // the failed multi-set changed nothing
        same("CONFIG", "GET", "timeout");
    }

    @Test
    void setNormalizesValuesLikeRedis() {
        try {
            sameAll(cmd("CONFIG", "SET", "maxmemory", "1GB"), cmd("CONFIG", "GET", "maxmemory"),
                    cmd("CONFIG", "SET", "maxmemory", "5k"), cmd("CONFIG", "GET", "maxmemory"),
                    cmd("CONFIG", "SET", "maxmemory", "05"), cmd("CONFIG", "GET", "maxmemory"),
                    cmd("CONFIG", "SET", "loglevel", "WARNING"), cmd("CONFIG", "GET", "loglevel"),
                    cmd("CONFIG", "SET", "appendfsync", "ALWAYS"), cmd("CONFIG", "GET", "appendfsync"),
                    cmd("CONFIG", "SET", "lazyfree-lazy-expire", "YES"), cmd("CONFIG", "GET", "lazyfree-lazy-expire"),
                    cmd("CONFIG", "SET", "hz", "600"), cmd("CONFIG", "GET", "hz"),
                    cmd("CONFIG", "SET", "hz", "0"), cmd("CONFIG", "GET", "hz"),
                    cmd("CONFIG", "SET", "notify-keyspace-events", "KEA"), cmd("CONFIG", "GET", "notify-keyspace-events"),
                    cmd("CONFIG", "SET", "notify-keyspace-events", "Exg"), cmd("CONFIG", "GET", "notify-keyspace-events"),
                    cmd("CONFIG", "SET", "notify-keyspace-events", "g$lshzxetdKE"), cmd("CONFIG", "GET", "notify-keyspace-events"),
                    cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 2mb 3"),
                    cmd("CONFIG", "GET", "client-output-buffer-limit"),
                    cmd("CONFIG", "SET", "maxmemory-clients", "10%"), cmd("CONFIG", "GET", "maxmemory-clients"),
                    cmd("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.99 100"),
                    cmd("CONFIG", "GET", "latency-tracking-info-percentiles"),
                    cmd("CONFIG", "SET", "slave-priority", "7"), cmd("CONFIG", "GET", "replica-priority"),
                    cmd("CONFIG", "SET", "slave-priority", "1", "replica-priority", "2"), cmd("CONFIG", "GET", "slave-priority"),
                    cmd("CONFIG", "SET", "maxmemory", "2mb", "maxmemory-policy", "allkeys-lru"),
                    cmd("CONFIG", "GET", "maxmemory"), cmd("CONFIG", "GET", "maxmemory-policy"));
        } finally {
            for (var cl : new io.basalt.compat.harness.RawClient[]{redis, basalt}) {
                cl.call("CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction", "loglevel", "notice",
                        "appendfsync", "everysec", "lazyfree-lazy-expire", "no", "hz", "10", "notify-keyspace-events", "",
                        "client-output-buffer-limit", "pubsub 32mb 8mb 60", "maxmemory-clients", "0",
                        "latency-tracking-info-percentiles", "50 99 99.9", "replica-priority", "100");
            }
        }
        same("CONFIG", "GET", "client-output-buffer-limit");
    }

    @Test
    void resetstatHelpAndRewriteWithoutFile() {
        same("CONFIG", "HELP");
        same("CONFIG", "NOSUCH");
        same("CONFIG", "RESETSTAT", "x");
        same("CONFIG", "REWRITE");
        basalt.call("GET", "x");
        basalt.call("NOSUCHCMD");
        assertEquals("OK", basalt.call("CONFIG", "RESETSTAT").string());
        String info = basalt.call("INFO", "stats", "commandstats", "errorstats").string();
        assertTrue(info.contains("total_error_replies:0\r\n"), info);
        assertTrue(info.contains("keyspace_misses:0\r\n"), info);
        assertTrue(!info.contains("cmdstat_get:"), info);
        assertTrue(!info.contains("errorstat_ERR"), info);
    }

    @Test
    void portAndBindChangeAtRuntime() throws Exception {
        io.basalt.compat.harness.BasaltInstance b = io.basalt.compat.harness.BasaltInstance.start();
        try {
            int oldPort = b.port();
            int newPort;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                newPort = probe.getLocalPort();
            }
            try (io.basalt.compat.harness.RawClient c = new io.basalt.compat.harness.RawClient(oldPort)) {
                assertEquals("OK", c.call("CONFIG", "SET", "port", Integer.toString(newPort)).string());
                // the connection that asked keeps working; new ones go to the new port
                assertEquals("PONG", c.call("PING").string());
                assertEquals("ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.",
                        c.call("CONFIG", "SET", "bind", "203.0.113.7").string());
                assertEquals("127.0.0.1", c.call("CONFIG", "GET", "bind").get(1).string());
            }
            assertEquals(newPort, b.port());
            try (io.basalt.compat.harness.RawClient c = new io.basalt.compat.harness.RawClient(newPort)) {
                assertEquals(Integer.toString(newPort), c.call("CONFIG", "GET", "port").get(1).string());
            }
            assertTrue(!canConnect(oldPort), "the old port is closed");
        } finally {
            b.stop();
        }
    }

    private static boolean canConnect(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
