package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cluster-* directives as redis-server 7.0.15 has them: names, aliases, defaults, what CONFIG
 * GET shows, what CONFIG SET accepts and its errors (immutable ones, ranges, the announced
 * hostname's characters and length).
 */
class ClusterConfigDifferentialTest {
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;

    @BeforeAll
    static void start() {
        redis = ClusterPair.startRedis();
        basalt = ClusterPair.startBasalt();
    }

    @AfterAll
    static void stop() {
        if (basalt != null) basalt.stop();
        if (redis != null) redis.stop();
    }

    private static Map<String, String> asMap(RespValue v) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i + 1 < v.size(); i += 2) m.put(v.get(i).string(), v.get(i + 1).string());
        return m;
    }

    @Test
    void configGetAndSet() {
        try (ClusterPair p = new ClusterPair(basalt.port(), redis.port())) {
            Map<String, String> r = asMap(p.redis.call("CONFIG", "GET", "cluster-*"));
            Map<String, String> b = asMap(p.basalt.call("CONFIG", "GET", "cluster-*"));
            // cluster-port was given to redis-server (its bus needs a free port here)
            r.remove("cluster-port");
            b.remove("cluster-port");
            assertEquals(r, b);
            String[][] sets = {
                {"cluster-enabled", "no"}, {"cluster-config-file", "x.conf"}, {"cluster-port", "5"},
                {"cluster-node-timeout", "-1"}, {"cluster-node-timeout", "abc"}, {"cluster-node-timeout", "2000"},
                {"cluster-announce-port", "65536"}, {"cluster-announce-port", "7000"}, {"cluster-announce-bus-port", "-1"},
                {"cluster-announce-tls-port", "0"}, {"cluster-announce-hostname", "a_b"}, {"cluster-announce-hostname", "x".repeat(256)},
                {"cluster-announce-hostname", "x".repeat(255)}, {"cluster-announce-hostname", "foo.Bar-1"}, {"cluster-announce-hostname", ""},
                {"cluster-announce-ip", "10.1.2.3"}, {"cluster-announce-ip", ""},
                {"cluster-preferred-endpoint-type", "HOSTNAME"}, {"cluster-preferred-endpoint-type", "bogus"},
                {"cluster-preferred-endpoint-type", "unknown-endpoint"}, {"cluster-preferred-endpoint-type", "ip"},
                {"cluster-slave-validity-factor", "3"}, {"cluster-replica-validity-factor", "-1"},
                {"cluster-slave-no-failover", "yes"}, {"cluster-replica-no-failover", "maybe"},
                {"cluster-require-full-coverage", "no"}, {"cluster-require-full-coverage", "yes"},
                {"cluster-allow-reads-when-down", "yes"}, {"cluster-allow-reads-when-down", "no"},
                {"cluster-allow-pubsubshard-when-down", "no"}, {"cluster-allow-pubsubshard-when-down", "yes"},
                {"cluster-allow-replica-migration", "no"}, {"cluster-allow-replica-migration", "yes"},
                {"cluster-migration-barrier", "2"}, {"cluster-migration-barrier", "-1"},
                {"cluster-link-sendbuf-limit", "1gb"}, {"cluster-link-sendbuf-limit", "-1"}, {"cluster-link-sendbuf-limit", "x"},
            };
            for (String[] s : sets) p.same("CONFIG", "SET", s[0], s[1]);
            r = asMap(p.redis.call("CONFIG", "GET", "cluster-*"));
            b = asMap(p.basalt.call("CONFIG", "GET", "cluster-*"));
            r.remove("cluster-port");
            b.remove("cluster-port");
            assertEquals(r, b);
            p.same("CONFIG", "GET", "cluster-slave-validity-factor");
        }
    }
}
