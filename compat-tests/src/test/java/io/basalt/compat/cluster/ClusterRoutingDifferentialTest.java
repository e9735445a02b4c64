package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.data.Slots;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Redirects (getNodeByQuery / clusterRedirectClient) Basalt against redis-server 7.0, byte for
 * byte. The oracle is a two-node redis-server cluster: node A serves slots 0-8191, node B
 * 8192-16383, joined with CLUSTER MEET. Basalt plays A: it serves 0-8191 itself and knows B
 * (same name, 127.0.0.1 and B's port) from its slot table, built directly because CLUSTER MEET
 * and the bus are the cluster engine's. Every command goes to A and to Basalt; the replies must
 * be identical: MOVED, ASK, TRYAGAIN, ASKING, CROSSSLOT, the CLUSTERDOWN variants, MULTI/EXEC,
 * shard Pub/Sub, blocked clients.
 */
class ClusterRoutingDifferentialTest {
    private static RedisServerProcess redisA;
    private static RedisServerProcess redisB;
    private static BasaltInstance basalt;
    private static String idB;
    private static String portB;
    private ClusterPair p;

    /** Slots of A (and Basalt): "hello" 866, "{user1000}..." 3443. Of B: "foo" 12182. */
    private static final int HELLO = TwoNodeOracle.HELLO;
    private static final int FOO = TwoNodeOracle.FOO;

    private static TwoNodeOracle oracle;

    @BeforeAll
    static void start() throws Exception {
        oracle = TwoNodeOracle.start();
        redisA = oracle.redisA;
        redisB = oracle.redisB;
        basalt = oracle.basalt;
        idB = oracle.idB;
        portB = oracle.portB;
    }

    @AfterAll
    static void stop() {
        if (oracle != null) oracle.stop();
    }

    @BeforeEach
    void connect() {
        p = new ClusterPair(basalt.port(), redisA.port());
        p.same("FLUSHALL");
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

    @Test
    void movedCrossslotAndKeylessCommands() {
        assertEquals("-MOVED " + FOO + " 127.0.0.1:" + portB + "\r\n", p.same("GET", "foo"));
        p.same("SET", "foo", "v");
        p.same("EXISTS", "foo");
        p.same("MSET", "{foo}a", "1", "{foo}b", "2");
        p.same("MSET", "foo", "1", "hello", "2");
        p.same("MSET", "hello", "1", "foo", "2");
        p.same("MSET", "hello", "1", "{hello}a", "2");
        p.same("MGET", "hello", "{hello}a", "hello");
        // the same key twice is one key
        p.same("RPOPLPUSH", "foo", "foo");
        p.same("WATCH", "foo");
        p.same("WATCH", "hello");
        p.same("UNWATCH");
        // commands without keys run here
        p.same("PING");
        p.same("DBSIZE");
        p.same("ECHO", "foo");
        // READONLY changes nothing on a master
        p.same("READONLY");
        p.same("GET", "foo");
        p.same("READWRITE");
        // shard channels are routed by their slot
        p.same("SPUBLISH", "foo", "m");
        p.same("SPUBLISH", "hello", "m");
        p.same("SSUBSCRIBE", "foo");
        p.same("SSUBSCRIBE", "foo", "hello");
        p.same("EVAL", "return 1", "1", "foo");
        p.same("EVAL", "return 1", "0");
    }

    @Test
    void transactions() {
        // a redirect while queuing dooms the transaction
        p.same("MULTI");
        p.same("SET", "foo", "1");
        p.same("SET", "hello", "1");
        p.same("EXEC");
        // keys of different slots in different commands: EXEC refused as a whole, discarded
        p.same("MULTI");
        p.same("SET", "hello", "1");
        p.same("SET", "{user1000}.following", "1");
        p.same("EXEC");
        p.same("EXEC");
        p.same("GET", "hello");
        p.same("MULTI");
        p.same("SET", "hello", "1");
        p.same("GET", "{hello}x");
        p.same("PING");
        p.same("EXEC");
        // a transaction with no keys
        p.same("MULTI");
        p.same("PING");
        p.same("EXEC");
    }

    @Test
    void migratingSlotAsksForMissingKeys() {
        String slot = Integer.toString(HELLO);
        try {
            p.same("SET", "hello", "v");
            p.same("SET", "{hello}e", "v", "PX", "1");
            p.same("CLUSTER", "SETSLOT", slot, "MIGRATING", idB);
            // present: served here; missing: asked of the target; some missing: TRYAGAIN
            p.same("GET", "hello");
            assertEquals("-ASK " + HELLO + " 127.0.0.1:" + portB + "\r\n", p.same("GET", "{hello}x"));
            p.same("SET", "{hello}x", "v");
            p.same("MGET", "hello", "{hello}x");
            p.same("MGET", "{hello}x", "hello");
            p.same("MGET", "{hello}x", "{hello}y");
            p.same("DEL", "hello", "hello");
            sleep(20);
            // a key past its expiry is missing
            p.same("GET", "{hello}e");
            // a missing key cannot be created here while migrating: ASK
            p.same("SET", "hello", "v");
            p.same("CLUSTER", "SETSLOT", slot, "STABLE");
            p.same("SET", "hello", "v");
            p.same("CLUSTER", "SETSLOT", slot, "MIGRATING", idB);
            // checked when queued, then again at EXEC
            p.same("MULTI");
            p.same("GET", "hello");
            p.same("GET", "{hello}x");
            p.same("EXEC");
            p.same("MULTI");
            p.same("GET", "hello");
            p.same("SET", "hello", "w");
            p.same("EXEC");
            // the slot still holds a key: it cannot be given away
            assertEquals("-ERR Can't assign hashslot " + HELLO + " to a different node while I still hold keys for this hash slot.\r\n",
                    p.same("CLUSTER", "SETSLOT", slot, "NODE", idB));
        } finally {
            p.same("DEL", "hello");
            p.same("CLUSTER", "SETSLOT", slot, "STABLE");
        }
        p.same("GET", "{hello}x");
    }

    @Test
    void importingSlotServesAskingClients() {
        String slot = Integer.toString(FOO);
        try {
            p.same("CLUSTER", "SETSLOT", slot, "IMPORTING", idB);
            p.same("GET", "foo");
            p.same("ASKING");
            p.same("GET", "foo");
            // one command only
            p.same("GET", "foo");
            p.same("ASKING");
            p.same("SET", "foo", "v");
            p.same("ASKING");
            p.same("MGET", "foo", "{foo}x");
            p.same("ASKING");
            p.same("MGET", "foo", "foo");
            p.same("ASKING");
            p.same("PING");
            p.same("GET", "foo");
            p.same("ASKING");
            p.same("ASKING");
            p.same("GET", "foo");
            p.same("ASKING");
            p.same("NOSUCHCOMMAND");
            p.same("GET", "foo");
            p.same("ASKING");
            p.same("GET");
            p.same("GET", "foo");
            // kept through MULTI ... EXEC (checked when queued and at EXEC), dropped after it
            p.same("ASKING");
            p.same("MULTI");
            p.same("GET", "foo");
            p.same("SET", "{foo}y", "1");
            p.same("EXEC");
            p.same("GET", "foo");
            p.same("MULTI");
            p.same("ASKING");
            p.same("GET", "foo");
            p.same("EXEC");
            // RESTORE-ASKING asks by itself: it reaches the payload check, RESTORE is MOVED
            assertEquals("-ERR DUMP payload version or checksum are wrong\r\n", p.same("RESTORE-ASKING", "{foo}r", "0", "x"));
            p.same("RESTORE", "{foo}r", "0", "x");
            // a key of a slot this node does not own can be given to it
            p.same("CLUSTER", "COUNTKEYSINSLOT", slot);
        } finally {
            p.same("ASKING");
            p.same("DEL", "foo", "{foo}y", "{foo}r");
            p.same("CLUSTER", "SETSLOT", slot, "STABLE");
        }
    }

    @Test
    void clusterDownVariants() {
        String unassigned = keyInSlot(100);
        try {
            p.same("SET", "hello", "v");
            p.same("CLUSTER", "DELSLOTS", "100");
            ClusterPair.await(p.redis, "-CLUSTERDOWN The cluster is down", "GET", "hello");
            ClusterPair.await(p.basalt, "-CLUSTERDOWN The cluster is down", "GET", "hello");
            assertEquals("-CLUSTERDOWN Hash slot not served\r\n", p.same("GET", unassigned));
            // the first key decides: its slot unassigned comes before CROSSSLOT
            p.same("MGET", unassigned, "hello");
            p.same("MGET", "hello", unassigned);
            p.same("PING");
            p.same("SPUBLISH", "hello", "m");
            p.same("CONFIG", "SET", "cluster-allow-pubsubshard-when-down", "no");
            p.same("SPUBLISH", "hello", "m");
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "yes");
            p.same("GET", "hello");
            p.same("SET", "hello", "w");
            p.same("SPUBLISH", "hello", "m");
            p.same("MULTI");
            p.same("GET", "hello");
            p.same("EXEC");
            p.same("MULTI");
            p.same("SET", "hello", "w");
            p.same("EXEC");
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "no");
            // without full coverage the cluster is up with a slot unassigned
            p.same("CONFIG", "SET", "cluster-require-full-coverage", "no");
            ClusterPair.await(p.redis, "$1", "GET", "hello");
            ClusterPair.await(p.basalt, "$1", "GET", "hello");
            p.same("GET", unassigned);
        } finally {
            p.same("CONFIG", "SET", "cluster-allow-pubsubshard-when-down", "yes");
            p.same("CONFIG", "SET", "cluster-allow-reads-when-down", "no");
            p.same("CONFIG", "SET", "cluster-require-full-coverage", "yes");
            p.same("CLUSTER", "ADDSLOTS", "100");
            ClusterPair.awaitServing(p.redis, "hello");
            ClusterPair.awaitServing(p.basalt, "hello");
        }
    }

    @Test
    void blockedClientsAreRedirectedWhenTheirSlotGoes() {
        String slot = Integer.toString(HELLO);
        try (ClusterPair blocked = new ClusterPair(basalt.port(), redisA.port())) {
            blocked.redis.send("BLPOP", "{hello}list", "0");
            blocked.basalt.send("BLPOP", "{hello}list", "0");
            sleep(200);
            // the slot (without keys) given to B: the waiting client is sent there
            p.same("CLUSTER", "SETSLOT", slot, "NODE", idB);
            String r = blocked.redis.read().rawString();
            assertEquals("-MOVED " + HELLO + " 127.0.0.1:" + portB + "\r\n", r);
            assertEquals(r, blocked.basalt.read().rawString());
            for (String stats : p.both("INFO", "errorstats")) assertTrue(stats.contains("errorstat_MOVED"), stats);
        } finally {
            try (RawClient a = new RawClient(redisA.port())) {
                a.call("CLUSTER", "SETSLOT", slot, "NODE", a.call("CLUSTER", "MYID").string());
            }
            basalt.server().cluster().state().delSlot(HELLO);
            basalt.server().cluster().state().addSlot(basalt.server().cluster().state().myself(), HELLO);
        }
        p.same("GET", "hello");
    }

    @Test
    void blockedClientsGetClusterDown() {
        try (ClusterPair blocked = new ClusterPair(basalt.port(), redisA.port())) {
            blocked.redis.send("BLPOP", "{hello}list", "0");
            blocked.basalt.send("BLPOP", "{hello}list", "0");
            sleep(200);
            p.same("CLUSTER", "DELSLOTS", "100");
            String r = blocked.redis.read().rawString();
            assertEquals("-CLUSTERDOWN The cluster is down\r\n", r);
            assertEquals(r, blocked.basalt.read().rawString());
        } finally {
            p.same("CLUSTER", "ADDSLOTS", "100");
            ClusterPair.awaitServing(p.redis, "hello");
            ClusterPair.awaitServing(p.basalt, "hello");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
