package io.basalt.compat.cluster;

import io.basalt.compat.cluster.ClusterNodes.Layout;
import io.basalt.compat.cluster.ClusterNodes.Node;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.HostAndPort;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Live resharding under load (Redis's tests/cluster 04, the tutorial's consistency test): writer
 * threads INCR 1000 counters through Jedis's cluster client while a new master joins
 * ({@code redis-cli --cluster add-node}) and {@code basalt cluster rebalance} moves a quarter of
 * the slots to it, key by key (MIGRATE, ASK, SETSLOT NODE): clients see MOVED and ASK and must
 * never lose an acknowledged increment nor see one nobody sent ({@link CounterWorkload}).
 * Slots move between redis-server and Basalt in both directions in the default mixed cluster.
 *
 * <p>{@code BASALT_CLUSTER_SOAK=n} (or {@code -Dbasalt.cluster.soak=n}) adds n rounds of draining
 * a master and filling it again, under the same load, checking after each.
 */
class ClusterReshardUnderLoadTest {
    private static final int KEYS = 1000;

    static int soakRounds() {
        String v = System.getProperty("basalt.cluster.soak", System.getenv("BASALT_CLUSTER_SOAK"));
        if (v == null || v.isBlank()) return 0;
        try {
            return Math.max(0, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return 1; // "yes", "true": one round
        }
    }

    @ParameterizedTest
    @EnumSource(Layout.class)
    void rebalanceToANewMasterUnderIncrLoad(Layout layout) {
        assumeTrue(layout.enabled(Layout.MIXED), layout + " clusters run with BASALT_CLUSTER_NODES=" + layout.name().toLowerCase());
        // 5 s node timeout: four JVMs plus writers plus the MIGRATE traffic on two cores must
        // not make nodes suspect each other (no replicas here: a false FAIL would stop the test)
        try (ClusterNodes c = ClusterNodes.start(layout.kinds(3), 5000)) {
            c.create(0);
            HostAndPort seed = new HostAndPort("127.0.0.1", c.node(0).port());
            String seedPort = Integer.toString(c.node(0).port());
            long t0 = System.nanoTime();
            try (CounterWorkload w = new CounterWorkload("ctr:", KEYS, 4, Duration.ofMillis(1), seed)) {
                w.start();
                w.awaitProgress(2000, Duration.ofSeconds(60), "before the join");

                Node fresh = c.add(layout.extra());
                c.addNode(fresh, null);
                ClusterRebalanceTest.Cli run = ClusterRebalanceTest.basalt("cluster", "rebalance", "-p", seedPort, "--yes");
                assertEquals(0, run.code(), tail(run.out()) + run.err());
                assertTrue(run.out().contains(">>> Done: 4096 slots moved"), tail(run.out()));
                long ackedAfterMove = w.acked();
                // the counters now served by the newcomer take writes through it
                w.awaitProgress(1000, Duration.ofSeconds(60), "after the rebalance");

                for (int round = 1; round <= soakRounds(); round++) {
                    // the newcomer takes twice its share (2/5 of the slots), then gives it back:
                    // every round moves ~2450 slots each way, all nodes staying masters
                    String id = fresh.id().substring(0, 12);
                    ClusterRebalanceTest.Cli more = ClusterRebalanceTest.basalt("cluster", "rebalance", "-p", seedPort,
                            "--weight", id + "=2", "--yes");
                    assertEquals(0, more.code(), tail(more.out()) + more.err());
                    w.awaitProgress(1000, Duration.ofSeconds(60), "after soak round " + round + ", weight 2");
                    ClusterRebalanceTest.Cli back = ClusterRebalanceTest.basalt("cluster", "rebalance", "-p", seedPort, "--yes");
                    assertEquals(0, back.code(), tail(back.out()) + back.err());
                    w.awaitProgress(1000, Duration.ofSeconds(60), "after soak round " + round + ", weight 1");
                    System.out.printf("[%s] soak round %d done, %d increments acknowledged so far%n", layout, round, w.acked());
                }
                w.stop();
                long seconds = Math.max(1, (System.nanoTime() - t0) / 1_000_000_000L);

                c.awaitHealthy(Duration.ofSeconds(60));
                ClusterNodes.Cli check = c.check();
                assertTrue(ClusterNodes.checkPassed(check), check.out());
                Map<String, Integer> counts = ClusterRebalanceTest.slotCounts(fresh);
                assertEquals(Map.of(c.node(0).id(), 4096, c.node(1).id(), 4096, c.node(2).id(), 4096, fresh.id(), 4096), counts);
                long onFresh = fresh.call(j -> j.dbSize());
                CounterWorkload.Report r = w.check(seed);
                System.out.printf("[%s] reshard under load: %d s, %.0f calls/s, %d acknowledged after the move, %d counters on the newcomer; %s%n",
                        layout, seconds, (double) r.calls() / seconds, r.acked() - ackedAfterMove, onFresh, r);
                assertNull(w.unexpected(), () -> "writer failed: " + w.unexpected());
                assertTrue(r.ok(), r.toString());
                assertTrue(onFresh > KEYS / 8, "counters migrated to the newcomer: " + onFresh);
            }
        }
    }

    /**
     * Soak only (slow: a failover, a restart, a fix): kill -9 of a source master while its slots
     * migrate to the newcomer. Its replica takes over; the rebalance fails on the dead node and
     * the slot it was moving stays open (IMPORTING on the newcomer) until {@code redis-cli
     * --cluster fix}. Replication is asynchronous, so increments acknowledged by the dead master
     * may be lost, but only in the slots it served: elsewhere none may be, and nowhere may a
     * counter exceed the INCRs sent.
     */
    @ParameterizedTest
    @EnumSource(Layout.class)
    void sourceMasterKilledDuringRebalance(Layout layout) {
        assumeTrue(soakRounds() > 0, "a soak test: BASALT_CLUSTER_SOAK=1");
        assumeTrue(layout.enabled(Layout.MIXED), layout + " clusters run with BASALT_CLUSTER_NODES=" + layout.name().toLowerCase());
        try (ClusterNodes c = ClusterNodes.start(layout.kinds(6), 3000)) {
            c.create(1);
            java.util.List<Node> masters = ClusterFaultsTest.masters(c);
            Node victim = masters.stream().filter(m -> ClusterHarnessTest.replicaOf(c, m).kind() == layout.extra())
                    .findFirst().orElse(masters.get(0));
            Node replica = ClusterHarnessTest.replicaOf(c, victim);
            Node seedNode = masters.stream().filter(m -> m != victim).findFirst().orElseThrow();
            HostAndPort seed = new HostAndPort("127.0.0.1", seedNode.port());
            java.util.Set<Integer> victimSlots = ClusterFaultsTest.slotSet(ClusterFaultsTest.slotsOf(victim, victim.id()));
            try (CounterWorkload w = new CounterWorkload("kr:", KEYS, 4, Duration.ofMillis(1), seed)) {
                java.util.function.IntPredicate inVictimSlots = i -> victimSlots.contains(redis.clients.jedis.util.JedisClusterCRC16.getSlot(w.key(i)));
                w.start();
                w.awaitProgress(2000, Duration.ofSeconds(60), "before the join");
                Node fresh = c.add(layout.extra());
                c.addNode(fresh, null);

                java.util.concurrent.CompletableFuture<ClusterRebalanceTest.Cli> rebalance = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                        ClusterRebalanceTest.basalt("cluster", "rebalance", "-p", Integer.toString(seedNode.port()), "--yes"));
                // kill it while one of its slots is MIGRATING ("[slot->-target]" in its own view)
                c.await(Duration.ofSeconds(120), victim + " migrating a slot", () -> victim.clusterNodes().contains("->-"));
                victim.kill();
                ClusterRebalanceTest.Cli run = rebalance.join();
                System.out.printf("[%s] rebalance with %s killed: exit %d%n%s%n", layout, victim, run.code(), tail(run.out() + run.err()));
                c.await(Duration.ofSeconds(60), replica + " promoted", () -> replica.role().equals("master"));
                w.awaitProgress(500, Duration.ofSeconds(60), inVictimSlots, "on the dead master's slots, after the failover");

                // back as a replica of its successor, then the open slot closed, then balanced
                victim.restart();
                c.await(Duration.ofSeconds(60), "every node up", () -> c.nodes().stream().allMatch(n -> n.clusterInfo().contains("cluster_state:ok")) && c.rolesAgree());
                ClusterNodes.Cli fix = ClusterNodes.cli(Duration.ofSeconds(120), "--cluster", "fix", seed.toString(), "--cluster-yes");
                System.out.printf("[%s] redis-cli --cluster fix: exit %d%n%s%n", layout, fix.code(), tail(fix.out()));
                ClusterRebalanceTest.Cli again = ClusterRebalanceTest.basalt("cluster", "rebalance", "-p", Integer.toString(seedNode.port()), "--yes");
                assertEquals(0, again.code(), tail(again.out()) + again.err());
                w.awaitProgress(1000, Duration.ofSeconds(60), "after the second rebalance");
                w.stop();

                c.awaitHealthy(Duration.ofSeconds(60));
                CounterWorkload.Report elsewhere = w.check(seed, inVictimSlots.negate());
                CounterWorkload.Report onVictim = w.check(seed, inVictimSlots);
                System.out.printf("[%s] kill -9 during rebalance: elsewhere %s%n  on the killed master's slots: %d increments lost; %s%n",
                        layout, elsewhere, onVictim.lostIncrements(), onVictim);
                assertNull(w.unexpected(), () -> "writer failed: " + w.unexpected());
                assertTrue(elsewhere.ok(), "outside the killed master's slots: " + elsewhere);
                assertTrue(onVictim.phantom().isEmpty(), "on the killed master's slots: " + onVictim);
            }
        }
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
