package io.basalt.compat.replication;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static io.basalt.compat.replication.ReplicationTest.awaitInSync;
import static io.basalt.compat.replication.ReplicationTest.dump;
import static io.basalt.compat.replication.ReplicationTest.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Basalt as the replica of a real redis-server 7.0 (the way in from Redis), and in the middle of
 * a chain: full sync by disk and from the socket, the stream, a partial resync after the link
 * drops, promotion with REPLICAOF NO ONE (its own replica and the old master continue with a
 * partial resync), WAIT acknowledged by Basalt, and a replica's rules: read-only, no expiry of
 * its own, stale-data refusal. The keyspaces are compared whole after every phase and the
 * offsets must agree byte for byte.
 */
class BasaltReplicaTest {

    @Test
    void basaltReplicatesRedisDiskLoad() throws Exception {
        replicate(new String[] {"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"}, "disabled");
    }

    @Test
    void basaltReplicatesRedisSocketLoadFromDiskBasedMaster() throws Exception {
        replicate(new String[] {"--repl-diskless-sync", "no"}, "on-empty-db");
    }

    private void replicate(String[] masterArgs, String disklessLoad) throws Exception {
        RedisServerProcess master = RedisServerProcess.start(masterArgs);
        BasaltInstance replica = null;
        try (RawClient m = new RawClient(master.port())) {
            ReplicationTest.Workload w = new ReplicationTest.Workload(new Random(11));
            w.run(m, 1500);
            replica = replicaOf(master.port(), "--repl-diskless-load", disklessLoad);
            try (RawClient r = new RawClient(replica.port())) {
                awaitInSync(m, r);
                assertEquals(dump(m), dump(r), "after the full sync");
                w.run(m, 1500);
                awaitInSync(m, r);
                assertEquals(dump(m), dump(r), "after streaming");

                // a replica refuses writes from its clients, not reads
                assertEquals("READONLY You can't write against a read only replica.", r.call("SET", "k", "v").string());
                assertEquals("OK", r.call("MULTI").string());
                assertEquals("READONLY You can't write against a read only replica.", r.call("INCR", "n").string());
                assertTrue(r.call("EXEC").string().startsWith("EXECABORT"));

                // WAIT on the master counts Basalt's acknowledgement
                m.call("SET", "acked", "1");
                assertEquals(1, m.call("WAIT", "1", "5000").number());

                // the link drops: Basalt continues from the master's backlog
                assertEquals(1, r.call("CLIENT", "KILL", "TYPE", "master").number());
                w.run(m, 300);
                awaitInSync(m, r);
                assertEquals(dump(m), dump(r), "after a partial resync");
                String stats = m.call("INFO", "stats").string();
                assertTrue(stats.contains("sync_full:1\r\n"), stats);
                assertTrue(stats.contains("sync_partial_ok:1\r\n"), stats);

                String info = r.call("INFO", "replication").string();
                assertTrue(info.contains("role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" + master.port() + "\r\n"
                        + "master_link_status:up\r\n"), info);
                assertEquals(value(m.call("INFO", "replication").string(), "master_replid"), value(info, "master_replid"));
                RespValue role = r.call("ROLE");
                assertEquals("slave", role.elements().get(0).string());
                assertEquals(master.port(), role.elements().get(2).number());
                assertEquals("connected", role.elements().get(3).string());
                assertTrue(r.call("CLIENT", "LIST", "TYPE", "master").string().contains(" flags=M "));
            }
        } finally {
            if (replica != null) replica.stop();
            master.stop();
        }
    }

    /**
     * redis-server -> Basalt -> redis-server: the middle node proxies its master's stream, so the
     * last replica has the same ids and offsets; then Basalt is promoted, and both its replica
     * and the old master (made its replica) continue with partial resyncs.
     */
    @Test
    void chainThroughBasaltAndPromotion() throws Exception {
        RedisServerProcess top = RedisServerProcess.start("--repl-diskless-sync-delay", "0");
        BasaltInstance middle = null;
        RedisServerProcess bottom = null;
        try (RawClient t = new RawClient(top.port())) {
            ReplicationTest.Workload w = new ReplicationTest.Workload(new Random(5));
            w.run(t, 800);
            middle = replicaOf(top.port(), "--repl-diskless-sync-delay", "0");
            try (RawClient mid = new RawClient(middle.port())) {
                awaitInSync(t, mid);
                bottom = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(middle.port()));
                try (RawClient b = new RawClient(bottom.port())) {
                    awaitInSync(mid, b);
                    w.run(t, 800);
                    awaitInSync(t, mid);
                    awaitInSync(mid, b);
                    assertEquals(dump(t), dump(b), "the end of the chain");
                    String ti = t.call("INFO", "replication").string();
                    String bi = b.call("INFO", "replication").string();
                    assertEquals(value(ti, "master_replid"), value(bi, "master_replid"));
                    assertEquals(field(ti, "master_repl_offset"), field(bi, "master_repl_offset"));

                    // promotion, as docs/replication.md says: writes stopped on the old master
                    // (its expiry too), the replica caught up, then REPLICAOF NO ONE; Basalt
                    // starts a new history and keeps the old one as replid2
                    t.call("CLIENT", "PAUSE", "60000", "WRITE");
                    awaitInSync(t, mid);
                    ti = t.call("INFO", "replication").string();
                    assertEquals("OK", mid.call("REPLICAOF", "NO", "ONE").string());
                    String mi = mid.call("INFO", "replication").string();
                    assertTrue(mi.startsWith("role:master\r\n") || mi.contains("\r\nrole:master\r\n"), mi);
                    assertEquals(value(ti, "master_replid"), value(mi, "master_replid2"));
                    assertEquals(field(ti, "master_repl_offset") + 1, field(mi, "second_repl_offset"));
                    mid.call("SET", "promoted", "yes");
                    // the old master follows the new one
                    assertEquals("OK", t.call("REPLICAOF", "127.0.0.1", Integer.toString(middle.port())).string());
                    t.call("CLIENT", "UNPAUSE");
                    awaitInSync(mid, b);
                    awaitInSync(mid, t);
                    assertEquals("yes", b.call("GET", "promoted").string());
                    assertEquals("yes", t.call("GET", "promoted").string());
                    String ms = mid.call("INFO", "stats").string();
                    assertTrue(ms.contains("sync_partial_ok:2\r\n"), ms);
                    assertTrue(ms.contains("sync_full:1\r\n"), ms);
                    assertEquals(dump(mid), dump(t));
                    assertEquals(dump(mid), dump(b));
                }
            }
        } finally {
            if (bottom != null) bottom.stop();
            if (middle != null) middle.stop();
            top.stop();
        }
    }

    /**
     * On a replica a key past its TTL reads as missing but stays until the master's DEL
     * (Redis's expireIfNeeded on replicas): DBSIZE still counts it, the master's lookup removes
     * it on both.
     */
    @Test
    void replicaLeavesExpiryToItsMaster() throws Exception {
        RedisServerProcess master = RedisServerProcess.start("--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0");
        BasaltInstance replica = null;
        try (RawClient m = new RawClient(master.port())) {
            m.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
            replica = replicaOf(master.port());
            try (RawClient r = new RawClient(replica.port())) {
                awaitInSync(m, r);
                m.call("SET", "short", "v", "PX", "150");
                m.call("SET", "long", "v", "EX", "1000");
                awaitInSync(m, r);
                assertEquals(2, r.call("DBSIZE").number());
                Thread.sleep(300);
                assertNull(r.call("GET", "short").string());
                assertEquals(-2, r.call("PTTL", "short").number());
                assertEquals(0, r.call("EXISTS", "short").number());
                assertEquals(2, r.call("DBSIZE").number(), "kept until the master deletes it");
                // the master's lookup expires it and sends the DEL
                assertNull(m.call("GET", "short").string());
                awaitInSync(m, r);
                assertEquals(1, r.call("DBSIZE").number());
                assertEquals("v", r.call("GET", "long").string());
            }
        } finally {
            if (replica != null) replica.stop();
            master.stop();
        }
    }

    /** replica-serve-stale-data no with the link down: -MASTERDOWN but for the "stale" commands. */
    @Test
    void staleDataRefusedWhileTheLinkIsDown() throws Exception {
        int nobody = RedisServerProcess.freePort();
        BasaltInstance replica = replicaOf(nobody, "--replica-serve-stale-data", "no");
        try (RawClient r = new RawClient(replica.port())) {
            assertEquals("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
                    r.call("GET", "k").string());
            assertTrue(r.call("INFO", "replication").string().contains("master_link_status:down"));
            RespValue role = r.call("ROLE");
            assertEquals("slave", role.elements().get(0).string());
            assertEquals(-1, role.elements().get(4).number());
            // the replica becomes a master: everything is served again
            assertEquals("OK", r.call("REPLICAOF", "NO", "ONE").string());
            assertEquals("OK", r.call("SET", "k", "v").string());
            assertEquals("v", r.call("GET", "k").string());
        } finally {
            replica.stop();
        }
    }

    /**
     * The way in from Redis: FAILOVER on a redis-server master whose replica is Basalt. Redis
     * pauses writes, waits for Basalt to catch up and sends PSYNC ... FAILOVER: Basalt promotes
     * itself and Redis continues as its replica with a partial resync. Then the way back.
     */
    @Test
    void failoverFromRedisToBasaltAndBack() throws Exception {
        RedisServerProcess redis = RedisServerProcess.start("--repl-diskless-sync-delay", "0");
        BasaltInstance basalt = null;
        try (RawClient r = new RawClient(redis.port())) {
            ReplicationTest.Workload w = new ReplicationTest.Workload(new Random(3));
            w.run(r, 800);
            basalt = replicaOf(redis.port(), "--repl-diskless-sync-delay", "0");
            try (RawClient b = new RawClient(basalt.port())) {
                awaitInSync(r, b);
                // Redis puts a diskless replica online when its first ACK arrives, which may be
                // just after the replica reports its link up: FAILOVER TO needs it online
                long online = System.currentTimeMillis() + 10_000;
                while (!r.call("INFO", "replication").string().contains("state=online")) {
                    assertTrue(System.currentTimeMillis() < online, "Basalt never online at redis-server");
                    Thread.sleep(10);
                }
                assertEquals("OK", r.call("FAILOVER", "TO", "127.0.0.1", Integer.toString(basalt.port()), "TIMEOUT", "10000").string());
                awaitRole(b, "master");
                awaitRole(r, "slave");
                assertEquals("OK", b.call("SET", "after-failover", "1").string());
                awaitInSync(b, r);
                assertEquals("1", r.call("GET", "after-failover").string());
                assertEquals(dump(b), dump(r));
                String bs = b.call("INFO", "stats").string();
                assertTrue(bs.contains("sync_partial_ok:1\r\n") && bs.contains("sync_full:0\r\n"), bs);
                assertEquals("no-failover", value(r.call("INFO", "replication").string(), "master_failover_state"));

                // and back: FAILOVER on Basalt hands the role to redis-server
                w.run(b, 300);
                assertEquals("OK", b.call("FAILOVER").string());
                awaitRole(r, "master");
                awaitRole(b, "slave");
                assertEquals("OK", r.call("SET", "back", "1").string());
                awaitInSync(r, b);
                assertEquals(dump(r), dump(b));
                assertEquals("READONLY You can't write against a read only replica.", b.call("SET", "x", "1").string());
            }
        } finally {
            if (basalt != null) basalt.stop();
            redis.stop();
        }
    }

    /**
     * A Basalt master restarted from its RDB keeps its replication history: its redis-server
     * replica continues with a partial resync, nothing is copied again.
     */
    @Test
    void restartedMasterContinuesItsHistory() throws Exception {
        Path dir = Files.createTempDirectory("basalt-master");
        int port = RedisServerProcess.freePort();
        BasaltInstance master = BasaltInstance.start("--port", Integer.toString(port), "--dir", dir.toString(),
                "--repl-diskless-sync-delay", "0");
        RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(port));
        try (RawClient r = new RawClient(replica.port())) {
            try (RawClient m = new RawClient(port)) {
                new ReplicationTest.Workload(new Random(9)).run(m, 500);
                awaitInSync(m, r);
                try {
                    m.call("SHUTDOWN", "SAVE");
                    fail("SHUTDOWN replied");
                } catch (java.io.UncheckedIOException expected) {
                    // the connection closes without a reply, as Redis's
                }
            }
            master = startWhenPortFree("--port", Integer.toString(port), "--dir", dir.toString());
            try (RawClient m = new RawClient(port)) {
                m.call("SET", "after-restart", "1");
                awaitInSync(m, r);
                assertEquals("1", r.call("GET", "after-restart").string());
                assertEquals(dump(m), dump(r));
                String st = m.call("INFO", "stats").string();
                assertTrue(st.contains("sync_partial_ok:1\r\n") && st.contains("sync_full:0\r\n"), st);
            }
        } finally {
            master.stop();
            replica.stop();
        }
    }

    /**
     * Every write WAIT 1 acknowledged survives the master's loss: the master is stopped at once
     * (its connections cut, nothing flushed) right after the last acknowledged write, the replica
     * is promoted, and all those writes are there.
     */
    @Test
    void writesAcknowledgedByWaitSurviveThePromotion() throws Exception {
        BasaltInstance master = BasaltInstance.start("--dir", Files.createTempDirectory("basalt-master").toString(),
                "--repl-diskless-sync-delay", "0");
        BasaltInstance replica = replicaOf(master.port());
        try (RawClient m = new RawClient(master.port()); RawClient r = new RawClient(replica.port())) {
            awaitInSync(m, r);
            int acked = 0;
            for (int i = 0; i < 300; i++) {
                m.call("SET", "w:" + i, Integer.toString(i));
                m.call("RPUSH", "log", Integer.toString(i));
                if (m.call("WAIT", "1", "2000").number() == 1) acked = i + 1;
            }
            assertEquals(300, acked);
            master.stop();
            assertEquals("OK", r.call("REPLICAOF", "NO", "ONE").string());
            for (int i = 0; i < acked; i++) assertEquals(Integer.toString(i), r.call("GET", "w:" + i).string(), "w:" + i);
            assertEquals(acked, r.call("LLEN", "log").number());
        } finally {
            replica.stop();
            master.stop();
        }
    }

    /**
     * redis-server -> Basalt -> redis-server, and the middle node restarts: it comes back from its
     * RDB with the chain's history, continues it with the top (partial resync) and the bottom
     * continues with it; the three keyspaces are equal.
     */
    @Test
    void chainedReplicaWhoseMiddleNodeRestarts() throws Exception {
        RedisServerProcess top = RedisServerProcess.start("--repl-diskless-sync-delay", "0");
        int port = RedisServerProcess.freePort();
        java.nio.file.Path dir = Files.createTempDirectory("basalt-middle");
        String[] middleArgs = {"--port", Integer.toString(port), "--dir", dir.toString(), "--repl-diskless-sync-delay", "0",
                "--replicaof", "127.0.0.1 " + top.port()};
        BasaltInstance middle = BasaltInstance.start(middleArgs);
        RedisServerProcess bottom = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(port));
        try (RawClient t = new RawClient(top.port()); RawClient b = new RawClient(bottom.port())) {
            ReplicationTest.Workload w = new ReplicationTest.Workload(new Random(8));
            w.run(t, 500);
            try (RawClient mid = new RawClient(port)) {
                awaitInSync(t, mid);
                awaitInSync(mid, b);
                try {
                    mid.call("SHUTDOWN", "SAVE");
                    fail("SHUTDOWN replied");
                } catch (java.io.UncheckedIOException expected) {
                    // the connection closes without a reply
                }
            }
            w.run(t, 200);
            middle = startWhenPortFree(middleArgs);
            try (RawClient mid = new RawClient(port)) {
                awaitInSync(t, mid);
                awaitInSync(mid, b);
                assertEquals(dump(t), dump(mid));
                assertEquals(dump(t), dump(b));
                String ts = t.call("INFO", "stats").string();
                assertTrue(ts.contains("sync_full:1\r\n") && ts.contains("sync_partial_ok:1\r\n"), ts);
                String ms = mid.call("INFO", "stats").string();
                assertTrue(ms.contains("sync_partial_ok:1\r\n") && ms.contains("sync_full:0\r\n"), ms);
            }
        } finally {
            bottom.stop();
            middle.stop();
            top.stop();
        }
    }

    /** min-replicas-to-write: writes are refused with -NOREPLICAS until enough replicas are online. */
    @Test
    void minReplicasToWrite() throws Exception {
        Path dir = Files.createTempDirectory("basalt-master");
        BasaltInstance master = BasaltInstance.start("--dir", dir.toString(), "--min-replicas-to-write", "1",
                "--repl-diskless-sync-delay", "0");
        RedisServerProcess replica = null;
        try (RawClient m = new RawClient(master.port())) {
            assertEquals("NOREPLICAS Not enough good replicas to write.", m.call("SET", "k", "v").string());
            assertEquals("v0", m.call("ECHO", "v0").string());
            replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
            long deadline = System.currentTimeMillis() + 20_000;
            while (!"OK".equals(m.call("SET", "k", "v").string())) {
                if (System.currentTimeMillis() > deadline) fail("writes still refused");
                Thread.sleep(50);
            }
            assertTrue(m.call("INFO", "replication").string().contains("min_slaves_good_slaves:1\r\n"));
        } finally {
            if (replica != null) replica.stop();
            master.stop();
        }
    }

    /** A Basalt replica of the server at {@code port}, in a directory of its own. */
    private static BasaltInstance replicaOf(int port, String... extra) throws java.io.IOException {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "--dir", Files.createTempDirectory("basalt-replica").toString(), "--replicaof", "127.0.0.1 " + port));
        args.addAll(java.util.List.of(extra));
        return BasaltInstance.start(args.toArray(new String[0]));
    }

    /** A server on a port another one is still releasing (a restart). */
    private static BasaltInstance startWhenPortFree(String... args) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                return BasaltInstance.start(args);
            } catch (IllegalStateException e) {
                if (i > 100) throw e;
                Thread.sleep(100);
            }
        }
    }

    private static void awaitRole(RawClient c, String role) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            RespValue v = c.call("ROLE");
            if (v.elements() != null && role.equals(v.elements().get(0).string())
                    && (role.equals("master") || "connected".equals(v.elements().get(3).string()))) return;
            Thread.sleep(20);
        }
        fail("role never became " + role + ": " + c.call("ROLE"));
    }

    /** REPLICAOF and WAIT answer their errors as redis-server does. */
    @Test
    void errorsAsRedis() throws Exception {
        RedisServerProcess redis = RedisServerProcess.start();
        BasaltInstance basalt = BasaltInstance.start();
        try (RawClient a = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            String[][] cases = {
                {"REPLICAOF", "127.0.0.1", "notaport"},
                {"REPLICAOF", "127.0.0.1", "70000"},
                {"REPLICAOF", "127.0.0.1", "-1"},
                {"REPLICAOF", "NO", "ONE"},
                {"SLAVEOF", "no", "one"},
                {"REPLICAOF", "a"},
                {"WAIT", "0", "0"},
                {"WAIT", "x", "0"},
                {"WAIT", "1", "x"},
                {"WAIT", "1", "-5"},
                {"WAIT", "1", "10"},
                {"WAIT", "-1", "10"},
                {"FAILOVER"},
                {"FAILOVER", "ABORT"},
                {"FAILOVER", "TIMEOUT", "0"},
                {"FAILOVER", "TIMEOUT", "x"},
                {"FAILOVER", "FORCE"},
                {"FAILOVER", "TO", "127.0.0.1"},
                {"FAILOVER", "TO", "127.0.0.1", "x"},
                {"FAILOVER", "TO", "127.0.0.1", "1", "TO", "127.0.0.1", "2"},
                {"FAILOVER", "bogus"},
                {"PSYNC", "abc", "1", "FAILOVER"},
            };
            for (String[] c : cases) {
                assertEquals(a.call(c).toString(), b.call(c).toString(), String.join(" ", c));
            }
            // inside MULTI, WAIT does not block
            for (RawClient c : new RawClient[] {a, b}) {
                c.call("MULTI");
                c.call("WAIT", "1", "0");
            }
            assertEquals(a.call("EXEC").toString(), b.call("EXEC").toString());
        } finally {
            basalt.stop();
            redis.stop();
        }
    }

    private static String value(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) return line.substring(name.length() + 1);
        }
        fail(name + " not in " + info);
        return null;
    }
}
