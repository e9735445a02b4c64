package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * CLUSTER KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT, ADDSLOTS[RANGE], DELSLOTS[RANGE], FLUSHSLOTS
 * and SETSLOT on a single-node cluster, Basalt against redis-server 7.0 started the same way:
 * the replies, errors included, must be byte-identical. Every test starts from an empty node
 * serving all 16384 slots (cluster-node-timeout 1000 keeps the rejoin delay a master waits after
 * serving no slot at 1 s instead of 5).
 */
class ClusterSlotCommandsDifferentialTest {
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;
    private ClusterPair p;

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
        p.same("CLUSTER", "FLUSHSLOTS");
        p.same("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        ClusterPair.awaitServing(p.redis, "k");
        ClusterPair.awaitServing(p.basalt, "k");
    }

    @AfterEach
    void close() {
        p.close();
    }

    private String basaltId() { return basalt.server().cluster().state().myself().name; }

    private String redisId() { return p.redis.call("CLUSTER", "MYID").string(); }

    @Test
    void keyslotVectors() {
        // research/cluster.md §1.1: hash tags, empty tags, nested braces
        for (String key : new String[] {"123456789", "foo", "hello", "somekey", "{user1000}.following",
                "{user1000}.followers", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}", "{}foo", "", "{", "}{a}"}) {
            p.same("CLUSTER", "KEYSLOT", key);
        }
        assertEquals(":12739\r\n", p.same("CLUSTER", "KEYSLOT", "123456789"));
        p.same("CLUSTER", "KEYSLOT");
        p.same("CLUSTER", "KEYSLOT", "a", "b");
    }

    @Test
    void countAndGetKeysAfterWritesDeletesRenamesAndExpiry() {
        int slot = Integer.parseInt(p.same("CLUSTER", "KEYSLOT", "t").substring(1).trim());
        String s = Integer.toString(slot);
        p.same("CLUSTER", "COUNTKEYSINSLOT", s);
        for (int i = 1; i <= 5; i++) p.same("SET", "{t}" + i, "v");
        p.same("RPUSH", "{t}list", "a", "b");
        p.same("SET", "other", "v");
        p.same("CLUSTER", "COUNTKEYSINSLOT", s);
        // newest first, as Redis's per-slot lists
        p.same("CLUSTER", "GETKEYSINSLOT", s, "100");
        p.same("CLUSTER", "GETKEYSINSLOT", s, "2");
        p.same("CLUSTER", "GETKEYSINSLOT", s, "0");
        p.same("DEL", "{t}3");
        // an overwrite keeps the key's place, a rename is a delete and an insert
        p.same("SET", "{t}2", "again");
        p.same("RENAME", "{t}1", "{t}9");
        p.same("LPOP", "{t}list", "2");
        p.same("CLUSTER", "GETKEYSINSLOT", s, "100");
        p.same("SET", "{t}exp", "v", "PX", "1");
        p.same("CLUSTER", "COUNTKEYSINSLOT", s);
        sleep(20);
        // the lookup removes the expired key
        p.same("GET", "{t}exp");
        p.same("CLUSTER", "COUNTKEYSINSLOT", s);
        p.same("CLUSTER", "GETKEYSINSLOT", s, "100");
        p.same("FLUSHALL");
        p.same("CLUSTER", "COUNTKEYSINSLOT", s);
        p.same("CLUSTER", "GETKEYSINSLOT", s, "10");
    }

    @Test
    void keysInSlotErrors() {
        p.same("CLUSTER", "COUNTKEYSINSLOT", "-1");
        p.same("CLUSTER", "COUNTKEYSINSLOT", "16384");
        p.same("CLUSTER", "COUNTKEYSINSLOT", "x");
        p.same("CLUSTER", "COUNTKEYSINSLOT", "1.5");
        p.same("CLUSTER", "GETKEYSINSLOT", "16384", "1");
        p.same("CLUSTER", "GETKEYSINSLOT", "1", "-1");
        p.same("CLUSTER", "GETKEYSINSLOT", "x", "1");
        p.same("CLUSTER", "GETKEYSINSLOT", "1", "x");
        p.same("CLUSTER", "GETKEYSINSLOT", "1");
        p.same("CLUSTER", "COUNTKEYSINSLOT");
    }

    @Test
    void addAndDelSlotsChecks() {
        p.same("CLUSTER", "ADDSLOTS", "0");
        p.same("CLUSTER", "DELSLOTS", "5");
        p.same("CLUSTER", "DELSLOTS", "5");
        p.same("CLUSTER", "ADDSLOTS", "5", "5");
        // every argument is parsed before any slot is checked or changed
        p.same("CLUSTER", "ADDSLOTS", "5", "x");
        p.same("CLUSTER", "ADDSLOTS", "5", "16384");
        p.same("CLUSTER", "ADDSLOTS", "5", "-1");
        p.same("CLUSTER", "DELSLOTS", "4", "5");
        p.same("CLUSTER", "ADDSLOTS");
        p.same("CLUSTER", "ADDSLOTS", "5");
        p.same("CLUSTER", "DELSLOTSRANGE", "10", "20");
        p.same("CLUSTER", "DELSLOTSRANGE", "10", "20");
        p.same("CLUSTER", "ADDSLOTSRANGE", "10", "20", "30");
        p.same("CLUSTER", "ADDSLOTSRANGE", "20", "10");
        p.same("CLUSTER", "ADDSLOTSRANGE", "10", "15", "12", "20");
        p.same("CLUSTER", "ADDSLOTSRANGE", "10", "x");
        p.same("CLUSTER", "ADDSLOTSRANGE", "10");
        p.same("CLUSTER", "ADDSLOTSRANGE", "10", "15", "16", "20");
        p.same("CLUSTER", "DELSLOTSRANGE", "0", "16383");
        p.same("GET", "k");
        p.same("CLUSTER", "DELSLOTSRANGE", "0", "0");
    }

    @Test
    void flushslotsNeedsAnEmptyDatabase() {
        p.same("SET", "k", "v");
        p.same("CLUSTER", "FLUSHSLOTS");
        p.same("DEL", "k");
        p.same("CLUSTER", "FLUSHSLOTS");
        p.same("GET", "k");
        p.same("CLUSTER", "FLUSHSLOTS", "x");
    }

    @Test
    void setslotChecks() {
        String unknown = "0123456789012345678901234567890123456789";
        p.same("CLUSTER", "SETSLOT", "5", "MIGRATING", "abc");
        p.same("CLUSTER", "SETSLOT", "5", "MIGRATING", unknown);
        p.same("CLUSTER", "SETSLOT", "5", "IMPORTING", unknown);
        p.same("CLUSTER", "SETSLOT", "5", "NODE", "abc");
        p.same("CLUSTER", "SETSLOT", "5", "NODE", unknown);
        p.same("CLUSTER", "SETSLOT", "5", "STABLE");
        p.same("CLUSTER", "SETSLOT", "5", "stable", "x");
        p.same("CLUSTER", "SETSLOT", "5", "FOO");
        p.same("CLUSTER", "SETSLOT", "5", "NODE");
        p.same("CLUSTER", "SETSLOT", "x", "STABLE");
        p.same("CLUSTER", "SETSLOT", "16384", "STABLE");
        p.same("CLUSTER", "SETSLOT", "5");
        p.same("CLUSTER", "DELSLOTS", "5");
        assertEquals("-ERR I'm not the owner of hash slot 5\r\n", p.both("CLUSTER", "SETSLOT", "5", "MIGRATING", unknown)[0]);
        p.same("CLUSTER", "SETSLOT", "5", "MIGRATING", unknown);
    }

    @Test
    void setslotNodeOfAnImportedSlotBumpsTheEpoch() {
        p.same("CLUSTER", "DELSLOTS", "5");
        // importing from itself (the only master known): accepted, as in Redis
        assertEquals("+OK\r\n", p.redis.call("CLUSTER", "SETSLOT", "5", "IMPORTING", redisId()).rawString());
        assertEquals("+OK\r\n", p.basalt.call("CLUSTER", "SETSLOT", "5", "IMPORTING", basaltId()).rawString());
        long before = basalt.server().cluster().state().myself().configEpoch;
        String info = p.redis.call("CLUSTER", "INFO").string();
        long redisBefore = epoch(info);
        assertEquals("+OK\r\n", p.redis.call("CLUSTER", "SETSLOT", "5", "NODE", redisId()).rawString());
        assertEquals("+OK\r\n", p.basalt.call("CLUSTER", "SETSLOT", "5", "NODE", basaltId()).rawString());
        long redisAfter = epoch(p.redis.call("CLUSTER", "INFO").string());
        long after = basalt.server().cluster().state().myself().configEpoch;
        assertEquals(redisAfter - redisBefore, after - before);
        // the import ended: a second NODE does not bump again (the epoch is already the greatest)
        p.redis.call("CLUSTER", "SETSLOT", "5", "NODE", redisId());
        p.basalt.call("CLUSTER", "SETSLOT", "5", "NODE", basaltId());
        assertEquals(redisAfter, epoch(p.redis.call("CLUSTER", "INFO").string()));
        assertEquals(after, basalt.server().cluster().state().myself().configEpoch);
        p.same("GET", "{5}");
    }

    private static long epoch(String info) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith("cluster_my_epoch:")) return Long.parseLong(line.substring(17));
        }
        throw new AssertionError(info);
    }

    @Test
    void slotCommandsInsideMulti() {
        // redis-cli --cluster fix sends its slot changes as one transaction
        p.same("SET", "{x}a", "1");
        int slot = Integer.parseInt(p.same("CLUSTER", "KEYSLOT", "x").substring(1).trim());
        String s = Integer.toString(slot);
        p.same("MULTI");
        p.same("CLUSTER", "DELSLOTS", "7");
        p.same("CLUSTER", "ADDSLOTS", "7");
        p.same("CLUSTER", "SETSLOT", "7", "STABLE");
        p.same("CLUSTER", "COUNTKEYSINSLOT", s);
        p.same("CLUSTER", "GETKEYSINSLOT", s, "5");
        p.same("CLUSTER", "ADDSLOTS", "7");
        p.same("EXEC");
    }

    @Test
    void shardChannelsOfAnUnassignedSlotAreUnsubscribed() {
        try (ClusterPair sub = new ClusterPair(basalt.port(), redis.port())) {
            // channels of different slots are CROSSSLOT, as keys
            sub.same("SSUBSCRIBE", "{c}1", "{d}1");
            sub.same("SSUBSCRIBE", "{c}1", "{c}2");
            assertEquals(sub.redis.read().rawString(), sub.basalt.read().rawString());
            sub.same("SSUBSCRIBE", "{d}1");
            String slot = p.same("CLUSTER", "KEYSLOT", "c").substring(1).trim();
            p.same("CLUSTER", "DELSLOTS", slot);
            // one sunsubscribe push per channel of the slot, with the count left
            for (int i = 0; i < 2; i++) assertEquals(sub.redis.read().rawString(), sub.basalt.read().rawString());
            p.same("CLUSTER", "ADDSLOTS", slot);
            sub.same("SUNSUBSCRIBE", "{d}1");
        }
    }

    @Test
    void selectIsRefusedInClusterMode() {
        p.same("SELECT", "1");
        p.same("SELECT", "0");
        p.same("SELECT", "x");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
