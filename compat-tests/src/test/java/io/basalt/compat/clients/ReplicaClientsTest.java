package io.basalt.compat.clients;

import io.basalt.compat.harness.BasaltInstance;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.masterreplica.StatefulRedisMasterReplicaConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Clients using a Basalt master with a Basalt replica as they use Redis: Lettuce's master/replica
 * connection discovers the replica from INFO replication and reads from it (ReadFrom.REPLICA),
 * Jedis waits for the replica with WAIT and gets READONLY writing to it.
 */
class ReplicaClientsTest {
    private static BasaltInstance master;
    private static BasaltInstance replica;

    @BeforeAll
    static void start() throws Exception {
        master = BasaltInstance.start("--dir", Files.createTempDirectory("basalt-m").toString(), "--repl-diskless-sync-delay", "0");
        replica = BasaltInstance.start("--dir", Files.createTempDirectory("basalt-r").toString(),
                "--replicaof", "127.0.0.1 " + master.port());
        try (Jedis m = new Jedis("127.0.0.1", master.port())) {
            long deadline = System.currentTimeMillis() + 20_000;
            while (!m.info("replication").contains("state=online")) {
                if (System.currentTimeMillis() > deadline) fail("replica never came online: " + m.info("replication"));
                Thread.sleep(20);
            }
        }
    }

    @AfterAll
    static void stop() {
        replica.stop();
        master.stop();
    }

    @Test
    void lettuceReadsFromTheReplica() {
        RedisClient client = RedisClient.create();
        try (StatefulRedisMasterReplicaConnection<String, String> conn = MasterReplica.connect(client, StringCodec.UTF8,
                RedisURI.create("redis://127.0.0.1:" + master.port()))) {
            conn.setReadFrom(ReadFrom.REPLICA);
            conn.sync().set("lettuce-key", "v1");
            // the write reached the replica once WAIT says so; the read then goes to the replica
            assertEquals(1L, conn.sync().waitForReplication(1, 5000));
            assertEquals("v1", conn.sync().get("lettuce-key"));
            try (Jedis r = new Jedis("127.0.0.1", replica.port())) {
                String stats = r.info("commandstats");
                assertTrue(stats.contains("cmdstat_get:calls="), "the GET ran on the replica: " + stats);
            }
        } finally {
            client.shutdown(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void jedisWaitsAndGetsReadonlyFromTheReplica() {
        try (Jedis m = new Jedis("127.0.0.1", master.port()); Jedis r = new Jedis("127.0.0.1", replica.port())) {
            m.set("jedis-key", "v2");
            assertEquals(1L, m.waitReplicas(1, 5000));
            assertEquals("v2", r.get("jedis-key"));
            JedisDataException e = assertThrows(JedisDataException.class, () -> r.set("jedis-key", "x"));
            assertEquals("READONLY You can't write against a read only replica.", e.getMessage());
            assertTrue(r.info("replication").contains("master_link_status:up"));
        }
    }
}
