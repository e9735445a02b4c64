package io.basalt.server.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {

    private static List<String[]> pairs(String... kv) {
        List<String[]> l = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) l.add(new String[]{kv[i], kv[i + 1]});
        return l;
    }

    @Test
    void tableHasEveryRedisName() {
        Config c = Config.defaults();
        Set<String> names = new HashSet<>();
        for (String[] kv : c.matching(List.of("*".getBytes(StandardCharsets.UTF_8)))) names.add(kv[0]);
        // Redis's 192 plus Basalt's own, which must all be listed in BASALT_ONLY
        assertTrue(names.containsAll(ConfigParams.BASALT_ONLY));
        names.removeAll(ConfigParams.BASALT_ONLY);
        assertEquals(192, names.size());
        assertTrue(names.containsAll(Set.of("slave-read-only", "replica-read-only", "hash-max-ziplist-entries",
                "hash-max-listpack-entries", "list-max-ziplist-size", "slaveof", "replicaof")));
        assertTrue(!names.contains("rdb-key-save-delay"), "hidden parameters are not globbed");
        assertEquals("0", c.get("rdb-key-save-delay"));
        assertEquals("", c.get("save"));
        assertEquals("* -::*", c.get("bind"));
        // the operations HTTP listener: on by default, at redis_exporter's port
        assertEquals("9121", c.get("basalt-http-port"));
    }

    /**
     * "AnKE" prints as "AKE" yet keeps new-key events: that memory belongs to one configuration,
     * so a second server in the same JVM printing the same value without 'n' is not affected.
     */
    @Test
    void hiddenNewKeyEventsArePerConfiguration() throws Exception {
        Config a = Config.defaults();
        Config b = Config.defaults();
        a.set(pairs("notify-keyspace-events", "AnKE"));
        b.set(pairs("notify-keyspace-events", "AKE"));
        assertEquals("AKE", a.get("notify-keyspace-events"));
        assertEquals("AKE", b.get("notify-keyspace-events"));
        assertTrue(ConfigParams.keyspaceEventsHideNew(a, "AKE"));
        assertTrue(!ConfigParams.keyspaceEventsHideNew(b, "AKE"));
        a.set(pairs("notify-keyspace-events", "AKE"));
        assertTrue(!ConfigParams.keyspaceEventsHideNew(a, "AKE"), "set again without 'n'");
    }

    @Test
    void setIsAtomicAndUsesRedisErrors() throws Exception {
        Config c = Config.defaults();
        ConfigException e = assertThrows(ConfigException.class, () -> c.set(pairs("timeout", "5", "hz", "x")));
        assertEquals("CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer",
                e.getMessage());
        assertEquals("0", c.get("timeout"));
        e = assertThrows(ConfigException.class, () -> c.set(pairs("databases", "3")));
        assertTrue(e.getMessage().endsWith("can't set immutable config"));
        e = assertThrows(ConfigException.class, () -> c.set(pairs("dir", "/tmp"), true));
        assertTrue(e.getMessage().endsWith("can't set protected config"));
        c.set(pairs("timeout", "5", "slave-priority", "3", "maxmemory", "2gb"));
        assertEquals("5", c.get("timeout"));
        assertEquals("3", c.get("replica-priority"));
        assertEquals(Long.toString(2L << 30), c.get("maxmemory"));
    }

    @Test
    void applyFailureRollsBack() throws Exception {
        Config c = Config.defaults();
        List<String> applied = new ArrayList<>();
        c.bind("timeout", v -> applied.add("timeout=" + v));
        c.bind("maxclients", v -> {
            if (v.equals("7")) throw new ConfigException("nope");
        });
        assertThrows(ConfigException.class, () -> c.set(pairs("timeout", "9", "maxclients", "7")));
        assertEquals("0", c.get("timeout"));
        assertEquals("timeout=0", applied.get(applied.size() - 1));
    }

    @Test
    void startupAccumulatesSaveAndBufferLimits() throws Exception {
        Config c = Config.defaults();
        c.setAtStartup("save", "900 1");
        c.setAtStartup("save", "300 10");
        assertEquals("900 1 300 10", c.get("save"));
        c.setAtStartup("save", "");
        assertEquals("", c.get("save"));
        c.setAtStartup("client-output-buffer-limit", "pubsub 1mb 2mb 3");
        c.setAtStartup("client-output-buffer-limit", "normal 1 2 3");
        assertEquals("normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 2097152 3", c.get("client-output-buffer-limit"));
        List<String> warnings = new ArrayList<>();
        c.warnings(warnings::add);
        c.setAtStartup("no-such-directive", "1");
        assertEquals(1, warnings.size());
    }

    @Test
    void specialValues() throws Exception {
        Config c = Config.defaults();
        c.set(pairs("notify-keyspace-events", "KEA"));
        assertEquals("AKE", c.get("notify-keyspace-events"));
        c.set(pairs("hz", "1000"));
        assertEquals("500", c.get("hz"));
        c.set(pairs("latency-tracking-info-percentiles", "50 99.990 100"));
        assertEquals("50 99.99 100", c.get("latency-tracking-info-percentiles"));
        c.set(pairs("maxmemory-clients", "10%"));
        assertEquals("10%", c.get("maxmemory-clients"));
    }
}
