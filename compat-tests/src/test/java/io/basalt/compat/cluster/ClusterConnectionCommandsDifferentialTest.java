package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ASKING, READONLY and READWRITE, and every cluster command without cluster mode, Basalt against
 * redis-server byte for byte: in cluster mode they answer +OK and READONLY shows as CLIENT LIST's
 * 'r' flag until READWRITE or RESET; standalone, they and every CLUSTER subcommand answer "This
 * instance has cluster support disabled" (lettuce opens read connections with READONLY and
 * closes them on an error, so the exact reply matters).
 */
class ClusterConnectionCommandsDifferentialTest {
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

    private static String flags(RawClient c) {
        String info = c.call("CLIENT", "INFO").string();
        int i = info.indexOf(" flags=");
        return info.substring(i + 1, info.indexOf(' ', i + 1));
    }

    @Test
    void connectionFlagsInClusterMode() {
        try (ClusterPair p = new ClusterPair(basalt.port(), redis.port())) {
            p.same("ASKING");
            p.same("READONLY");
            assertEquals(flags(p.redis), flags(p.basalt));
            assertEquals("flags=r", flags(p.basalt));
            p.same("READWRITE");
            assertEquals(flags(p.redis), flags(p.basalt));
            p.same("READONLY");
            p.same("RESET");
            assertEquals(flags(p.redis), flags(p.basalt));
            p.same("READONLY", "x");
            p.same("ASKING", "x");
            p.same("READWRITE", "x");
            p.same("MULTI");
            p.same("READONLY");
            p.same("ASKING");
            p.same("EXEC");
            p.same("INFO", "cluster");
        }
    }

    @Test
    void everythingIsRefusedStandalone() {
        try (ClusterPair p = new ClusterPair(BasaltInstance.shared().port(), RedisServerProcess.shared().port())) {
            p.same("ASKING");
            p.same("READONLY");
            p.same("READWRITE");
            p.same("CLUSTER", "KEYSLOT", "foo");
            p.same("CLUSTER", "COUNTKEYSINSLOT", "1");
            p.same("CLUSTER", "GETKEYSINSLOT", "1", "1");
            p.same("CLUSTER", "ADDSLOTS", "1");
            p.same("CLUSTER", "ADDSLOTSRANGE", "1", "2");
            p.same("CLUSTER", "DELSLOTS", "1");
            p.same("CLUSTER", "DELSLOTSRANGE", "1", "2");
            p.same("CLUSTER", "FLUSHSLOTS");
            p.same("CLUSTER", "SETSLOT", "1", "STABLE");
            p.same("CLUSTER", "SETSLOT", "x", "bogus");
            // arity is checked before the mode
            p.same("CLUSTER", "KEYSLOT");
            p.same("INFO", "cluster");
            p.same("MULTI");
            p.same("CLUSTER", "KEYSLOT", "foo");
            p.same("EXEC");
        }
    }
}
