package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node, topology and epoch subcommands of CLUSTER (INFO, MYID, NODES, SLOTS, SHARDS, MEET,
 * FORGET, REPLICATE, REPLICAS, COUNT-FAILURE-REPORTS, FAILOVER, RESET, SAVECONFIG,
 * SET-CONFIG-EPOCH, BUMPEPOCH, LINKS, HELP) on a fresh node, Basalt against redis-server 7.0 in
 * the same position: byte-identical replies, errors included; where a reply names the node
 * itself (its id, port, times), the reply with those substituted.
 */
class ClusterCommandsDifferentialTest {
    private RedisServerProcess redis;
    private BasaltInstance basalt;
    private ClusterPair p;

    @BeforeEach
    void start() {
        redis = ClusterPair.startRedis("--cluster-node-timeout", "1000");
        basalt = ClusterPair.startBasalt("--cluster-node-timeout", "1000");
        p = new ClusterPair(basalt.port(), redis.port());
    }

    @AfterEach
    void stop() {
        if (p != null) p.close();
        if (basalt != null) basalt.stop();
        if (redis != null) redis.stop();
    }

    private String id(boolean ofRedis) {
        return (ofRedis ? p.redis : p.basalt).call("CLUSTER", "MYID").string();
    }

    /** A reply with the node's own id and port replaced, so two nodes' replies can be compared. */
    private String normalized(boolean ofRedis, String reply) {
        int port = ofRedis ? redis.port() : basalt.port();
        return reply.replace(id(ofRedis), "<id>").replace(":" + port + "\r\n", ":<port>\r\n")
                .replace(":" + port + "@", ":<port>@");
    }

    /** Until cluster_state:ok (a master waits 2 s after its first evaluation). */
    private static void awaitOk(io.basalt.compat.harness.RawClient c) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!c.call("CLUSTER", "INFO").string().startsWith("cluster_state:ok") && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertTrue(c.call("CLUSTER", "INFO").string().startsWith("cluster_state:ok"));
    }

    @Test
    void aFreshNode() {
        String[] myid = p.both("CLUSTER", "MYID");
        assertTrue(myid[0].startsWith("$40\r\n") && myid[1].startsWith("$40\r\n"), myid[1]);
        p.same("CLUSTER", "INFO");
        p.same("CLUSTER", "SLOTS");
        p.same("CLUSTER", "LINKS");
        p.same("CLUSTER", "HELP");
        p.same("CLUSTER", "SAVECONFIG");
        p.same("CLUSTER", "COUNT-FAILURE-REPORTS", "0000000000000000000000000000000000000000");
        assertEquals(normalized(true, p.redis.call("CLUSTER", "SHARDS").rawString()),
                normalized(false, p.basalt.call("CLUSTER", "SHARDS").rawString()));
        // "<id> :<port>@<cport> myself,master - 0 0 0 connected": the address is unknown until a MEET
        String[] nodes = {p.redis.call("CLUSTER", "NODES").string(), p.basalt.call("CLUSTER", "NODES").string()};
        for (int i = 0; i < 2; i++) {
            String[] f = nodes[i].trim().split(" ");
            assertEquals(8, f.length, nodes[i]);
            assertEquals("myself,master", f[2], nodes[i]);
            assertEquals("- 0 0 0 connected", String.join(" ", f[3], f[4], f[5], f[6], f[7]), nodes[i]);
        }
    }

    @Test
    void slotsAndShardsOfANodeServingSlots() {
        // (not every slot served: without full coverage required the node still serves its own)
        p.same("CONFIG", "SET", "cluster-require-full-coverage", "no");
        p.same("CLUSTER", "ADDSLOTSRANGE", "0", "100", "200", "300");
        p.same("CLUSTER", "ADDSLOTS", "5000");
        awaitOk(p.redis);
        awaitOk(p.basalt);
        for (String sub : new String[] {"SLOTS", "SHARDS", "NODES", "INFO"}) {
            String r = p.redis.call("CLUSTER", sub).rawString(), b = p.basalt.call("CLUSTER", sub).rawString();
            if (sub.equals("NODES")) {
                // ping/pong times are each node's own
                // ping/pong times and the bus port are each node's own
                r = r.replaceAll(" 0 \\d+ 0 connected", " 0 <t> 0 connected").replaceAll("@\\d+ ", "@<cport> ");
                b = b.replaceAll(" 0 \\d+ 0 connected", " 0 <t> 0 connected").replaceAll("@\\d+ ", "@<cport> ");
            }
            assertEquals(normalized(true, r), normalized(false, b), "CLUSTER " + sub);
        }
        // HELLO says "cluster" (the client ids differ)
        String[] hello = p.both("HELLO", "3");
        assertEquals(hello[0].replaceAll("\\$2\r\nid\r\n:\\d+", "id"), hello[1].replaceAll("\\$2\r\nid\r\n:\\d+", "id"));
        assertTrue(hello[1].contains("$4\r\nmode\r\n$7\r\ncluster\r\n"), hello[1]);
        assertTrue(p.basalt.call("INFO", "server").string().contains("redis_mode:cluster"));
        for (String sub : new String[] {"SLOTS", "SHARDS"}) {
            assertEquals(normalized(true, p.redis.call("CLUSTER", sub).rawString()),
                    normalized(false, p.basalt.call("CLUSTER", sub).rawString()), "RESP3 CLUSTER " + sub);
        }
    }

    @Test
    void errors() {
        String unknown = "f".repeat(40);
        p.same("CLUSTER", "MEET", "127.0.0.1", "abc");
        p.same("CLUSTER", "MEET", "127.0.0.1", "7000", "x");
        p.same("CLUSTER", "MEET", "999.1.1.1", "7000");
        p.same("CLUSTER", "MEET", "localhost", "7000");
        p.same("CLUSTER", "MEET", "127.0.0.1", "70000");
        p.same("CLUSTER", "MEET", "127.0.0.1");
        p.same("CLUSTER", "FORGET", unknown);
        p.same("CLUSTER", "FORGET", "short");
        p.same("CLUSTER", "REPLICATE", unknown);
        p.same("CLUSTER", "REPLICAS", unknown);
        p.same("CLUSTER", "SLAVES", unknown);
        p.same("CLUSTER", "COUNT-FAILURE-REPORTS", unknown);
        p.same("CLUSTER", "FAILOVER");
        p.same("CLUSTER", "FAILOVER", "FORCE");
        p.same("CLUSTER", "FAILOVER", "nope");
        p.same("CLUSTER", "FAILOVER", "FORCE", "extra");
        p.same("CLUSTER", "RESET", "nope");
        p.same("CLUSTER", "RESET", "SOFT", "extra");
        p.same("CLUSTER", "SET-CONFIG-EPOCH", "abc");
        p.same("CLUSTER", "SET-CONFIG-EPOCH", "-1");
        p.same("CLUSTER", "NOSUCH");
        p.same("CLUSTER", "INFO", "extra");
        // the node itself
        assertEquals("-ERR I tried hard but I can't forget myself...\r\n", p.basalt.call("CLUSTER", "FORGET", id(false)).rawString());
        assertEquals(p.redis.call("CLUSTER", "FORGET", id(true)).rawString(), p.basalt.call("CLUSTER", "FORGET", id(false)).rawString());
        assertEquals(p.redis.call("CLUSTER", "REPLICATE", id(true)).rawString(), p.basalt.call("CLUSTER", "REPLICATE", id(false)).rawString());
        assertEquals(p.redis.call("CLUSTER", "REPLICAS", id(true)).rawString(), p.basalt.call("CLUSTER", "REPLICAS", id(false)).rawString());
        assertEquals(p.redis.call("CLUSTER", "COUNT-FAILURE-REPORTS", id(true)).rawString(),
                p.basalt.call("CLUSTER", "COUNT-FAILURE-REPORTS", id(false)).rawString());
    }

    @Test
    void epochs() {
        p.same("CLUSTER", "BUMPEPOCH");
        p.same("CLUSTER", "BUMPEPOCH");
        p.same("CLUSTER", "SET-CONFIG-EPOCH", "7");
        p.same("CLUSTER", "RESET", "HARD");
        p.same("CLUSTER", "SET-CONFIG-EPOCH", "7");
        p.same("CLUSTER", "SET-CONFIG-EPOCH", "8");
        p.same("CLUSTER", "BUMPEPOCH");
        p.same("CLUSTER", "INFO");
        // a master holding keys may not reset; in MULTI, as redis-cli --cluster fix sends them
        p.same("CLUSTER", "ADDSLOTSRANGE", "0", "16383");
        ClusterPair.awaitServing(p.redis, "k");
        ClusterPair.awaitServing(p.basalt, "k");
        p.same("SET", "k", "v");
        p.same("CLUSTER", "RESET");
        p.same("MULTI");
        p.same("CLUSTER", "DELSLOTS", "1");
        p.same("CLUSTER", "ADDSLOTS", "1");
        p.same("CLUSTER", "SETSLOT", "1", "STABLE");
        p.same("CLUSTER", "BUMPEPOCH");
        p.same("EXEC");
        p.same("FLUSHALL");
        p.same("CLUSTER", "RESET", "SOFT");
        p.same("CLUSTER", "INFO");
    }

    @Test
    void meetAndForget() throws Exception {
        // each node meets a third, real node; then both forget it
        RedisServerProcess third = ClusterPair.startRedis("--cluster-node-timeout", "1000");
        try (io.basalt.compat.harness.RawClient t = new io.basalt.compat.harness.RawClient(third.port())) {
            String tid = t.call("CLUSTER", "MYID").string();
            String bus = t.call("CONFIG", "GET", "cluster-port").elements().get(1).string();
            p.same("CLUSTER", "MEET", "127.0.0.1", Integer.toString(third.port()), bus);
            for (io.basalt.compat.harness.RawClient c : new io.basalt.compat.harness.RawClient[] {p.redis, p.basalt}) {
                long deadline = System.currentTimeMillis() + 15_000;
                while (!(c.call("CLUSTER", "NODES").string().contains(tid) && !c.call("CLUSTER", "NODES").string().contains("handshake"))
                        && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(c.call("CLUSTER", "NODES").string().contains(tid), c.call("CLUSTER", "NODES").string());
            }
            for (io.basalt.compat.harness.RawClient c : new io.basalt.compat.harness.RawClient[] {p.redis, p.basalt}) {
                assertTrue(c.call("CLUSTER", "INFO").string().contains("cluster_known_nodes:2"));
            }
            p.same("CLUSTER", "REPLICAS", tid);
            p.same("CLUSTER", "COUNT-FAILURE-REPORTS", tid);
            p.same("CLUSTER", "FAILOVER");
            p.same("CLUSTER", "FORGET", tid);
            p.same("CLUSTER", "FORGET", tid);
            assertEquals(p.redis.call("CLUSTER", "NODES").string().lines().count(), p.basalt.call("CLUSTER", "NODES").string().lines().count());
        } finally {
            third.stop();
        }
    }
}
