package io.basalt.compat.cluster;

import io.basalt.cluster.ClusterNode;
import io.basalt.cluster.ClusterState;
import io.basalt.cluster.Slots;
import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The oracle of the two-node differential tests: redis-server A (slots 0-8191) and B (8192-16383)
 * joined with MEET, and a Basalt node playing A, with A's half by command and B in its table
 * directly (so B needs no bus link to Basalt). Commands sent to A and to Basalt must then get
 * the same replies, redirects to B included.
 */
final class TwoNodeOracle {
    /** A slot of A (and Basalt): "hello". A slot of B: "foo". */
    static final int HELLO = 866;
    static final int FOO = 12182;

    final RedisServerProcess redisA;
    final RedisServerProcess redisB;
    final BasaltInstance basalt;
    final String idB;
    final String portB;

    private TwoNodeOracle(RedisServerProcess redisA, RedisServerProcess redisB, BasaltInstance basalt, String idB) {
        this.redisA = redisA;
        this.redisB = redisB;
        this.basalt = basalt;
        this.idB = idB;
        this.portB = Integer.toString(redisB.port());
    }

    static TwoNodeOracle start() throws Exception {
        int busA = RedisServerProcess.freePort(), busB = RedisServerProcess.freePort();
        RedisServerProcess redisA = RedisServerProcess.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(busA));
        RedisServerProcess redisB = RedisServerProcess.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(busB));
        BasaltInstance basalt = ClusterPair.startBasalt();
        String portB = Integer.toString(redisB.port());
        String idB;
        try (RawClient a = new RawClient(redisA.port()); RawClient b = new RawClient(redisB.port())) {
            idB = b.call("CLUSTER", "MYID").string();
            assertEquals("+OK\r\n", a.call("CLUSTER", "ADDSLOTSRANGE", "0", "8191").rawString());
            assertEquals("+OK\r\n", b.call("CLUSTER", "ADDSLOTSRANGE", "8192", "16383").rawString());
            assertEquals("+OK\r\n", a.call("CLUSTER", "MEET", "127.0.0.1", portB, Integer.toString(busB)).rawString());
            // A knows B's slots once B's pings reached it; then both turn ok
            ClusterPair.await(a, "-MOVED " + FOO + " 127.0.0.1:" + portB, "GET", "foo");
            ClusterPair.await(a, "$-1", "GET", "hello");
            ClusterPair.await(b, "$-1", "GET", "foo");
        }
        // Basalt: A's half by command, B from the table
        ClusterState s = basalt.server().cluster().state();
        ClusterNode b = new ClusterNode(idB, ClusterNode.MASTER, System.currentTimeMillis());
        b.ip = "127.0.0.1";
        b.port = redisB.port();
        s.addNode(b);
        for (int j = 8192; j < Slots.COUNT; j++) s.addSlot(b, j);
        try (RawClient c = new RawClient(basalt.port())) {
            assertEquals("+OK\r\n", c.call("CLUSTER", "ADDSLOTSRANGE", "0", "8191").rawString());
            ClusterPair.awaitServing(c, "hello");
        }
        return new TwoNodeOracle(redisA, redisB, basalt, idB);
    }

    void stop() {
        basalt.stop();
        redisA.stop();
        redisB.stop();
    }
}
