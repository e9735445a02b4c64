package io.basalt.compat.cluster;

import io.basalt.compat.cluster.ClusterNodes.Layout;
import io.basalt.compat.cluster.ClusterNodes.Node;
import io.basalt.server.cli.BasaltCli;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.params.MigrateParams;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code basalt cluster plan|rebalance} end to end on a live cluster: 3 masters loaded with keys,
 * a 4th empty master joined with {@code redis-cli --cluster add-node}, the rebalance (exactly a
 * quarter of the slots move, all to the newcomer, ±1 balance, {@code redis-cli --cluster check}
 * clean, every key readable through JedisCluster), a second plan with nothing to do, then a
 * drain by weight 0. By default the cluster mixes redis-server and Basalt nodes, so slots move in
 * both directions between the two (MIGRATE, RESTORE-ASKING, SETSLOT on each); the commands the
 * tool sends are the ones redis-cli sends. {@code BASALT_CLUSTER_NODES=all} runs it on
 * redis-server alone and Basalt alone too.
 */
class ClusterRebalanceTest {
    private static final int KEYS = 2000;
    /** A key that is not valid UTF-8: GETKEYSINSLOT → MIGRATE must carry it byte for byte. */
    private static final byte[] BINARY_KEY = {(byte) 0xff, (byte) 0xfe, 'b', 'i', 'n', (byte) 0xc3};

    record Cli(int code, String out, String err) {}

    static Cli basalt(String... args) {
        long t0 = System.nanoTime();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BasaltCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        // in the test's output file: how long a rebalance takes here (SETSLOT saves nodes.conf)
        System.out.printf("basalt %s: exit %d in %d ms%n", String.join(" ", args), code, (System.nanoTime() - t0) / 1_000_000);
        if (args[1].equals("plan")) System.out.print(out.toString(StandardCharsets.UTF_8));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void joinRebalanceAndDrain(Layout layout) {
        assumeTrue(layout.enabled(Layout.MIXED), layout + " clusters run with BASALT_CLUSTER_NODES=" + layout.name().toLowerCase());
        try (ClusterNodes c = ClusterNodes.start(layout.kinds(3), 2000)) {
            c.create(0);
            String seedPort = Integer.toString(c.node(0).port());
            try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", c.node(0).port()))) {
                for (int i = 0; i < KEYS; i++) jc.set("key:" + i, "v" + i);
                jc.hset("a-hash", Map.of("f1", "1", "f2", "2"));
                jc.rpush("a-list", "x", "y", "z");
                jc.set(BINARY_KEY, BINARY_KEY);
            }

            // created balanced: nothing to do
            Cli first = basalt("cluster", "plan", "-p", seedPort);
            assertEquals(0, first.code(), first.out() + first.err());
            assertTrue(first.out().contains("Nothing to move"), first.out());

            Node fresh = c.add(layout.extra());
            c.addNode(fresh, null);
            Cli plan = basalt("cluster", "plan", "-p", seedPort);
            assertEquals(0, plan.code(), plan.out() + plan.err());
            assertTrue(plan.out().contains(">>> 4096 slot moves"), plan.out());
            assertEquals(3, plan.out().lines().filter(l -> l.contains(" to " + fresh.address() + ": ")).count(), plan.out());
            // reproducible: the same table gives the same plan
            assertEquals(plan.out(), basalt("cluster", "plan", "-p", seedPort).out());

            String busyKey = leaveACopyOnTheTarget(c, plan.out(), fresh);

            Cli run = basalt("cluster", "rebalance", "-p", seedPort, "--pipeline", "25", "--yes");
            assertEquals(0, run.code(), run.out() + run.err());
            assertTrue(run.out().contains(">>> Done: 4096 slots moved"), tail(run.out()));
            c.awaitHealthy(Duration.ofSeconds(30));
            assertEquals(Map.of(c.node(0).id(), 4096, c.node(1).id(), 4096, c.node(2).id(), 4096, fresh.id(), 4096),
                    slotCounts(c.node(1)));
            assertTrue(fresh.call(j -> j.dbSize()) > KEYS / 8, "keys migrated to the newcomer");
            assertTrue(run.out().contains("target key exists; comparing values... the same; replacing..."), tail(run.out()));
            assertAllKeys(c, fresh);
            try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", fresh.port()))) {
                assertEquals("same", jc.get(busyKey));
            }
            Cli again = basalt("cluster", "plan", "-p", Integer.toString(fresh.port()));
            assertTrue(again.out().contains("Nothing to move"), again.out());

            // drain the first master: its 4096 slots go to the other three, 5461/5461/5462
            Node drained = c.node(0);
            Cli drain = basalt("cluster", "rebalance", "-p", Integer.toString(fresh.port()),
                    "--weight", drained.id().substring(0, 8) + "=0", "--yes");
            assertEquals(0, drain.code(), drain.out() + drain.err());
            assertTrue(drain.out().contains(">>> Done: 4096 slots moved"), tail(drain.out()));
            c.awaitHealthy(Duration.ofSeconds(30));
            Map<String, Integer> counts = slotCounts(fresh);
            assertEquals(null, counts.get(drained.id()), counts.toString());
            int[] sorted = counts.values().stream().mapToInt(Integer::intValue).sorted().toArray();
            assertArrayEquals(new int[]{5461, 5461, 5462}, sorted, counts.toString());
            // a master that gives its last slot away turns replica of the node that took it
            // (cluster-allow-replica-migration); as a master it would have to be empty
            if (drained.role().equals("master")) assertEquals(0L, (long) drained.call(j -> j.dbSize()), "keys left behind");
            assertAllKeys(c, fresh);
        }
    }

    /**
     * What a migration cut short after MIGRATE ... COPY leaves behind: a key of a slot that the
     * plan moves to the newcomer, with the same value on the newcomer and its owner. The
     * rebalance meets BUSYKEY there and must compare values and replace, as redis-cli does.
     */
    private static String leaveACopyOnTheTarget(ClusterNodes c, String plan, Node fresh) {
        // "    1366 from 127.0.0.1:P to 127.0.0.1:F: 5469,5474-5475,..."
        String line = plan.lines().filter(l -> l.contains(" to " + fresh.address() + ": ")).findFirst().orElseThrow();
        Node src = c.nodes().stream().filter(n -> line.contains(" from " + n.address() + " ")).findFirst().orElseThrow();
        int slot = Integer.parseInt(line.substring(line.lastIndexOf(": ") + 2).split("[,-]")[0]);
        String key = null;
        for (int i = 0; key == null; i++) {
            if (JedisClusterCRC16.getSlot("busy:" + i) == slot) key = "busy:" + i;
        }
        String k = key;
        src.call(j -> j.set(k, "same"));
        fresh.call(j -> j.clusterSetSlotImporting(slot, src.id()));
        src.call(j -> j.clusterSetSlotMigrating(slot, fresh.id()));
        src.call(j -> j.migrate("127.0.0.1", fresh.port(), 0, 5000, MigrateParams.migrateParams().copy(), k));
        src.call(j -> j.clusterSetSlotStable(slot));
        fresh.call(j -> j.clusterSetSlotStable(slot));
        assertEquals(1L, (long) fresh.call(j -> j.dbSize()), "the copy is on the newcomer");
        return key;
    }

    /**
     * Slots no master serves (here removed from every node's table with DELSLOTS, as after a
     * botched resharding) are claimed by the masters that are short of their share, and the
     * cluster, down without full coverage, comes back up.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void unassignedSlotsAreClaimed(Layout layout) {
        assumeTrue(layout.enabled(Layout.MIXED), layout + " clusters run with BASALT_CLUSTER_NODES=" + layout.name().toLowerCase());
        try (ClusterNodes c = ClusterNodes.start(layout.kinds(3), 2000)) {
            c.create(0);
            // slots of the first master (0-5460), forgotten by every node
            for (Node n : c.nodes()) {
                n.call(j -> j.clusterDelSlots(100, 101, 102, 5000));
            }
            c.await(Duration.ofSeconds(10), "cluster down", () -> c.node(1).clusterInfo().contains("cluster_state:fail"));
            Cli plan = basalt("cluster", "plan", "-p", Integer.toString(c.node(1).port()));
            assertEquals(0, plan.code(), plan.out() + plan.err());
            assertTrue(plan.out().contains("16380 of 16384 slots assigned"), plan.out());
            assertTrue(plan.out().contains("4 from (unassigned) to " + c.node(0).address() + ": 100-102,5000"), plan.out());

            Cli run = basalt("cluster", "rebalance", "-p", Integer.toString(c.node(1).port()), "--yes");
            assertEquals(0, run.code(), run.out() + run.err());
            assertTrue(run.out().contains("Assigning slot 5000 to " + c.node(0).address()), run.out());
            c.awaitHealthy(Duration.ofSeconds(30));
            assertEquals(5461, slotCounts(c.node(2)).get(c.node(0).id()));
            try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", c.node(2).port()))) {
                for (int i = 0; i < 100; i++) jc.set("after:" + i, "x");
            }
        }
    }

    private static void assertAllKeys(ClusterNodes c, Node seed) {
        try (JedisCluster jc = new JedisCluster(new HostAndPort("127.0.0.1", seed.port()))) {
            for (int i = 0; i < KEYS; i++) assertEquals("v" + i, jc.get("key:" + i), "key:" + i);
            assertEquals(Map.of("f1", "1", "f2", "2"), jc.hgetAll("a-hash"));
            assertEquals(List.of("x", "y", "z"), jc.lrange("a-list", 0, -1));
            assertTrue(Arrays.equals(BINARY_KEY, jc.get(BINARY_KEY)), "the binary key survived");
        }
        assertTrue(ClusterNodes.checkPassed(c.check()), c.check().out());
    }

    /** Slots per master id, from one node's CLUSTER NODES. */
    static Map<String, Integer> slotCounts(Node n) {
        Map<String, Integer> m = new TreeMap<>();
        for (String line : n.clusterNodes().split("\n")) {
            String[] f = line.trim().split(" ");
            if (!f[2].contains("master")) continue;
            int count = 0;
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) continue;
                String[] r = f[i].split("-");
                count += r.length == 1 ? 1 : Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
            }
            if (count > 0) m.put(f[0], count);
        }
        return m;
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
