package io.basalt.compat.cluster;

import io.basalt.cluster.ClusterNode;
import io.basalt.cluster.ClusterState;
import io.basalt.cluster.Slots;
import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What cluster mode does on Basalt that a one- or two-master redis-server oracle cannot show (a
 * replica, other nodes' endpoints), with the slot table built directly (the cluster bus is the
 * engine's): READONLY reads on a replica, a master that gives away its last slot becoming a
 * replica of its new owner, the endpoint MOVED names, the configuration bound live. The replies
 * are the ones redis-server 7.0.15 gives in the same states (getNodeByQuery, clusterCommand).
 */
class ClusterModeTest {
    private static ClusterNode node(ClusterState s, int port) {
        ClusterNode n = new ClusterNode(ClusterState.randomName(), ClusterNode.MASTER, System.currentTimeMillis());
        n.ip = "127.0.0.1";
        n.port = port;
        s.addNode(n);
        return n;
    }

    private static int slot(String key) { return io.basalt.data.Slots.slot(key.getBytes()); }

    @Test
    void replicaServesReadsToReadonlyConnections() {
        BasaltInstance b = ClusterPair.startBasalt();
        try (RawClient c = new RawClient(b.port())) {
            ClusterState s = b.server().cluster().state();
            ClusterNode m = node(s, 7000);
            for (int j = 0; j < Slots.COUNT; j++) s.addSlot(m, j);
            s.setMaster(m);
            s.todo(ClusterState.TODO_UPDATE_STATE);
            String moved = "-MOVED " + slot("k") + " 127.0.0.1:7000\r\n";
            ClusterPair.await(c, moved, "GET", "k");
            assertEquals("+OK\r\n", c.call("READONLY").rawString());
            assertTrue(c.call("CLIENT", "INFO").string().contains(" flags=r "));
            assertEquals("$-1\r\n", c.call("GET", "k").rawString());
            assertEquals("*2\r\n$-1\r\n$-1\r\n", c.call("MGET", "{k}1", "{k}2").rawString());
            // writes still go to the master
            assertEquals(moved, c.call("SET", "k", "v").rawString());
            assertEquals("+OK\r\n", c.call("MULTI").rawString());
            assertEquals("+QUEUED\r\n", c.call("GET", "k").rawString());
            assertEquals("*1\r\n$-1\r\n", c.call("EXEC").rawString());
            assertEquals("+OK\r\n", c.call("MULTI").rawString());
            assertEquals(moved, c.call("SET", "k", "v").rawString());
            assertEquals("-EXECABORT Transaction discarded because of previous errors.\r\n", c.call("EXEC").rawString());
            assertEquals("+OK\r\n", c.call("READWRITE").rawString());
            assertEquals(moved, c.call("GET", "k").rawString());
            // shard channels of the master's slots are served by its replicas to anyone
            assertEquals(":0\r\n", c.call("SPUBLISH", "k", "m").rawString());
            assertEquals("+OK\r\n", c.call("READONLY").rawString());
            assertEquals("+RESET\r\n", c.call("RESET").rawString());
            assertEquals(moved, c.call("GET", "k").rawString());
        } finally {
            b.stop();
        }
    }

    private static String nodesConf(BasaltInstance b) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(b.server().config().get("dir"), "nodes.conf"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aMasterGivingAwayItsLastSlotReplicatesTheNewOwner() {
        BasaltInstance b = ClusterPair.startBasalt();
        try (RawClient c = new RawClient(b.port())) {
            ClusterState s = b.server().cluster().state();
            ClusterNode n = node(s, 7001);
            for (int j = 3; j < Slots.COUNT; j++) s.addSlot(n, j);
            assertEquals("+OK\r\n", c.call("CLUSTER", "ADDSLOTS", "0", "1", "2").rawString());
            // cluster-allow-replica-migration no: it stays a master without slots
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "cluster-allow-replica-migration", "no").rawString());
            assertEquals("+OK\r\n", c.call("CLUSTER", "SETSLOT", "0", "NODE", n.name).rawString());
            assertEquals("+OK\r\n", c.call("CLUSTER", "SETSLOT", "1", "NODE", n.name).rawString());
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "cluster-allow-replica-migration", "yes").rawString());
            assertTrue(s.myself().isMaster());
            assertFalse(b.server().masterLink().isReplica());
            assertEquals("+OK\r\n", c.call("CLUSTER", "SETSLOT", "2", "NODE", n.name).rawString());
            assertTrue(s.myself().isReplica());
            assertSame(n, s.myself().master);
            assertTrue(b.server().masterLink().isReplicaOf("127.0.0.1", 7001));
            // saved before the reply, as Redis's beforeSleep saves before the next command is read
            assertTrue(nodesConf(b).lines().anyMatch(l -> l.contains("myself,slave " + n.name)), nodesConf(b));
            // a replica does not take SETSLOT
            assertEquals("-ERR Please use SETSLOT only with masters.\r\n", c.call("CLUSTER", "SETSLOT", "2", "STABLE").rawString());
        } finally {
            b.stop();
        }
    }

    @Test
    void movedNamesThePreferredEndpoint() {
        BasaltInstance b = ClusterPair.startBasalt("--cluster-require-full-coverage", "no");
        try (RawClient c = new RawClient(b.port())) {
            ClusterState s = b.server().cluster().state();
            ClusterNode n = node(s, 7002);
            int slot = slot("k");
            s.addSlot(n, slot);
            s.todo(ClusterState.TODO_UPDATE_STATE);
            ClusterPair.await(c, "-MOVED " + slot + " 127.0.0.1:7002", "GET", "k");
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "cluster-preferred-endpoint-type", "hostname").rawString());
            assertEquals("-MOVED " + slot + " ?:7002\r\n", c.call("GET", "k").rawString());
            n.hostname = "node-n.example";
            assertEquals("-MOVED " + slot + " node-n.example:7002\r\n", c.call("GET", "k").rawString());
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "cluster-preferred-endpoint-type", "unknown-endpoint").rawString());
            assertEquals("-MOVED " + slot + " ?:7002\r\n", c.call("GET", "k").rawString());
            // a node it is migrating a slot to, likewise for ASK
            assertEquals("+OK\r\n", c.call("CONFIG", "SET", "cluster-preferred-endpoint-type", "ip").rawString());
            int mine = slot("hello");
            assertEquals("+OK\r\n", c.call("CLUSTER", "ADDSLOTS", Integer.toString(mine)).rawString());
            ClusterPair.awaitServing(c, "hello");
            assertEquals("+OK\r\n", c.call("CLUSTER", "SETSLOT", Integer.toString(mine), "MIGRATING", n.name).rawString());
            assertEquals("-ASK " + mine + " 127.0.0.1:7002\r\n", c.call("GET", "hello").rawString());
            assertEquals("+OK\r\n", c.call("CLUSTER", "SETSLOT", Integer.toString(mine), "NODE", n.name).rawString());
            // no keys: the migration ended with the slot given away
            assertEquals(null, s.migratingTo(mine));
            assertEquals("-MOVED " + mine + " 127.0.0.1:7002\r\n", c.call("GET", "hello").rawString());
        } finally {
            b.stop();
        }
    }

    @Test
    void optionsFollowConfigSet() {
        BasaltInstance b = ClusterPair.startBasalt("--cluster-node-timeout", "1234", "--cluster-announce-hostname", "a.b");
        try (RawClient c = new RawClient(b.port())) {
            var o = b.server().cluster().options();
            assertEquals(1234, o.nodeTimeout);
            assertEquals("a.b", o.announceHostname);
            c.call("CONFIG", "SET", "cluster-node-timeout", "5000", "cluster-migration-barrier", "3", "cluster-slave-validity-factor", "7");
            assertEquals(5000, o.nodeTimeout);
            assertEquals(3, o.migrationBarrier);
            assertEquals(7, o.replicaValidityFactor);
            c.call("CONFIG", "SET", "cluster-replica-no-failover", "yes", "cluster-link-sendbuf-limit", "1mb", "cluster-announce-ip", "10.0.0.1");
            assertTrue(o.replicaNoFailover);
            assertEquals(1 << 20, o.linkSendbufLimit);
            assertEquals("10.0.0.1", o.announceIp);
            assertEquals("# Cluster\r\ncluster_enabled:1\r\n", c.call("INFO", "cluster").string());
        } finally {
            b.stop();
        }
    }
}
