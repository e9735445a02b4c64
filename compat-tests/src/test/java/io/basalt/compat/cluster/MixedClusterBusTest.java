package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Basalt node and a real redis-server 7.0 in one cluster, talking Redis's cluster bus: the
 * handshake (MEET), gossip, slot ownership learnt from PINGs, CLUSTER REPLICATE (Basalt replicates
 * the Redis master it learnt from the bus) and a manual CLUSTER FAILOVER run on Basalt that the
 * Redis master takes part in (MFSTART, the pause, its vote), after which the Redis node follows
 * Basalt. Each step is checked from both nodes' point of view.
 */
class MixedClusterBusTest {
    private static RedisServerProcess redis;
    private static BasaltInstance basalt;
    private static int redisBus;

    @BeforeAll
    static void start() throws Exception {
        redisBus = RedisServerProcess.freePort();
        redis = RedisServerProcess.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(redisBus),
                "--cluster-node-timeout", "2000");
        basalt = BasaltInstance.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(RedisServerProcess.freePort()),
                "--cluster-node-timeout", "2000");
    }

    @AfterAll
    static void stop() {
        if (basalt != null) basalt.stop();
        if (redis != null) redis.stop();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what);
    }

    private static long lines(String nodes, String word) {
        return nodes.lines().filter(l -> l.contains(word)).count();
    }

    @Test
    void basaltAndRedisFormOneClusterAndFailOverToEachOther() throws Exception {
        try (Jedis b = new Jedis("127.0.0.1", basalt.port()); Jedis r = new Jedis("127.0.0.1", redis.port())) {
            String bid = b.clusterMyId();
            String rid = r.clusterMyId();
            assertEquals(40, bid.length());
            Object met = b.sendCommand(Protocol.Command.CLUSTER, "MEET", "127.0.0.1",
                    Integer.toString(redis.port()), Integer.toString(redisBus));
            assertEquals("OK", new String((byte[]) met));
            // both know both, the handshake done (the Redis side learnt Basalt's name from its PONG)
            await("the handshake", () -> {
                String bn = b.clusterNodes(), rn = r.clusterNodes();
                return bn.contains(rid) && rn.contains(bid) && !bn.contains("handshake") && !rn.contains("handshake")
                        && lines(bn, " connected") == 2 && lines(rn, " connected") == 2;
            });
            assertTrue(b.clusterNodes().lines().anyMatch(l -> l.startsWith(bid) && l.contains("myself,master")));

            // Redis takes every slot: Basalt learns it from Redis's pings and reports the cluster up
            r.clusterAddSlotsRange(0, 16383);
            await("Basalt sees the slots", () -> b.clusterInfo().contains("cluster_state:ok")
                    && r.clusterInfo().contains("cluster_state:ok")
                    && b.clusterNodes().lines().anyMatch(l -> l.startsWith(rid) && l.endsWith(" 0-16383")));
            assertTrue(b.clusterInfo().contains("cluster_slots_assigned:16384"));
            assertTrue(b.clusterInfo().contains("cluster_known_nodes:2"));
            for (int i = 0; i < 100; i++) r.set("{k}" + i, "v" + i);

            // Basalt replicates the Redis master it knows from the bus
            assertEquals("OK", b.clusterReplicate(rid));
            await("Basalt syncs from Redis", () -> b.info("replication").contains("master_link_status:up")
                    && b.dbSize() == 100);
            await("Redis sees its replica", () -> r.clusterNodes().lines()
                    .anyMatch(l -> l.startsWith(bid) && l.contains(" slave " + rid)));

            // a manual failover started on Basalt: Redis pauses, sends its offset, votes
            assertEquals("OK", b.clusterFailover());
            await("Basalt becomes the master", () -> b.role().get(0).equals("master")
                    && r.clusterNodes().lines().anyMatch(l -> l.startsWith(bid) && l.contains("master") && l.endsWith(" 0-16383")));
            await("Redis follows Basalt", () -> r.role().get(0).equals("slave")
                    && r.info("replication").contains("master_link_status:up"));
            b.set("{k}after", "failover");
            await("the write reaches Redis", () -> r.dbSize() == 101);
            assertEquals(b.clusterInfo().lines().filter(l -> l.startsWith("cluster_current_epoch")).findFirst().get(),
                    r.clusterInfo().lines().filter(l -> l.startsWith("cluster_current_epoch")).findFirst().get());
        }
    }
}
