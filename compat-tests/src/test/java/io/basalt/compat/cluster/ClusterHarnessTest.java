package io.basalt.compat.cluster;

import io.basalt.compat.cluster.ClusterNodes.Layout;
import io.basalt.compat.cluster.ClusterNodes.Node;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The multi-process harness end to end, on the scenario of Redis's cluster tutorial
 * (research/cluster.md §6): {@code redis-cli --cluster create} with 3 masters and 3 replicas,
 * Jedis and Lettuce cluster clients reading and writing across all slots, kill -9 of a master
 * and its replica's promotion, then the killed node restarted from its nodes.conf, rejoining
 * as a replica. It runs on Basalt nodes and on mixed Basalt/redis-server nodes by default;
 * {@code BASALT_CLUSTER_NODES=redis} (or {@code all}) runs it on redis-server alone, the reference.
 */
class ClusterHarnessTest {
    private static final int KEYS = 300;

    @ParameterizedTest
    @EnumSource(Layout.class)
    void createServeFailOverAndRejoin(Layout layout) {
        assumeTrue(layout.enabled(Layout.BASALT, Layout.MIXED), layout + " clusters run with BASALT_CLUSTER_NODES=" + layout.name().toLowerCase());
        try (ClusterNodes c = ClusterNodes.start(layout.kinds(6), 2000)) {
            c.create(1);
            List<Node> masters = new ArrayList<>();
            for (Node n : c.nodes()) if (n.role().equals("master")) masters.add(n);
            assertEquals(3, masters.size(), c.views());

            // Jedis: keys in every slot range, each landing on the master that owns its slot
            try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", c.node(0).port()))) {
                for (int i = 0; i < KEYS; i++) jc.set("key:" + i, "v" + i);
                for (int i = 0; i < KEYS; i++) assertEquals("v" + i, jc.get("key:" + i));
                // a multi-key command within one slot, by hash tag
                jc.mset("{user1}:a", "1", "{user1}:b", "2");
                assertEquals(List.of("1", "2"), jc.mget("{user1}:a", "{user1}:b"));
            }
            long total = 0;
            for (Node m : masters) {
                long n = m.call(j -> j.dbSize());
                assertTrue(n > 0, m + " holds none of the keys: slots not spread");
                total += n;
            }
            assertEquals(KEYS + 2, total);

            // Lettuce: its own topology discovery (CLUSTER NODES) and a cross-slot MGET it splits
            RedisClusterClient lettuce = RedisClusterClient.create(RedisURI.create("127.0.0.1", c.node(1).port()));
            try (StatefulRedisClusterConnection<String, String> conn = lettuce.connect()) {
                RedisAdvancedClusterCommands<String, String> cmd = conn.sync();
                assertEquals(3, conn.getPartitions().getPartitions().stream().filter(p -> !p.getSlots().isEmpty()).count());
                List<KeyValue<String, String>> got = cmd.mget("key:1", "key:2", "key:3", "key:150");
                assertEquals(List.of("v1", "v2", "v3", "v150"), got.stream().map(KeyValue::getValue).toList());
                for (int i = 0; i < 50; i++) cmd.set("lettuce:" + i, Integer.toString(i));
                for (int i = 0; i < 50; i++) assertEquals(Integer.toString(i), cmd.get("lettuce:" + i));
            } finally {
                lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }

            // kill -9 the master of key:0's slot once its replica has every write
            int slot = JedisClusterCRC16.getSlot("key:0");
            Node victim = ownerOf(c, slot);
            Node replica = replicaOf(c, victim);
            c.await(Duration.ofSeconds(10), "replica in sync", () ->
                    victim.infoField("replication", "master_repl_offset")
                            .equals(replica.infoField("replication", "slave_repl_offset")));
            victim.kill();
            c.await(Duration.ofSeconds(30), replica + " promoted", () -> {
                if (!replica.role().equals("master")) return false;
                for (Node n : c.nodes()) if (n.alive() && !n.clusterInfo().contains("cluster_state:ok")) return false;
                return true;
            });
            try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", replica.port()))) {
                for (int i = 0; i < KEYS; i++) assertEquals("v" + i, jc.get("key:" + i), "after failover");
                jc.set("key:0", "after");
            }

            // restarted from its directory, the old master rejoins as a replica of its successor
            victim.restart();
            c.awaitHealthy(Duration.ofSeconds(30));
            c.await(Duration.ofSeconds(20), victim + " replicates " + replica, () ->
                    victim.role().equals("slave")
                            && String.valueOf(replica.port()).equals(victim.infoField("replication", "master_port"))
                            && "up".equals(victim.infoField("replication", "master_link_status")));
            assertEquals(victim.id(), victim.call(j -> j.clusterMyId()), "nodes.conf kept its identity");
            try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", victim.port()))) {
                assertEquals("after", jc.get("key:0"));
                for (int i = 1; i < KEYS; i++) assertEquals("v" + i, jc.get("key:" + i));
            }
            assertTrue(ClusterNodes.checkPassed(c.check()), c.check().out());
        }
    }

    /** The live master whose CLUSTER NODES line lists the slot, as the cluster sees it. */
    static Node ownerOf(ClusterNodes c, int slot) {
        Node seed = c.nodes().stream().filter(Node::alive).findFirst().orElseThrow();
        for (String line : seed.clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (!f[2].contains("master")) continue;
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) continue;
                String[] r = f[i].split("-");
                int lo = Integer.parseInt(r[0]), hi = r.length > 1 ? Integer.parseInt(r[1]) : lo;
                if (slot >= lo && slot <= hi) return byAddress(c, f[1]);
            }
        }
        throw new AssertionError("no owner for slot " + slot + "\n" + c.views());
    }

    static Node replicaOf(ClusterNodes c, Node master) {
        String id = master.id();
        Set<String> seen = new HashSet<>();
        for (String line : master.clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (f[3].equals(id)) return byAddress(c, f[1]);
            seen.add(line);
        }
        throw new AssertionError(master + " has no replica: " + seen);
    }

    /** The node of a CLUSTER NODES address field, ip:port@cport[,hostname]. */
    static Node byAddress(ClusterNodes c, String field) {
        int port = Integer.parseInt(field.substring(field.indexOf(':') + 1, field.indexOf('@')));
        return c.nodes().stream().filter(n -> n.port() == port).findFirst().orElseThrow();
    }
}
