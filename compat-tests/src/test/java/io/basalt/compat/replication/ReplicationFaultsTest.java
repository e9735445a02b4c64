package io.basalt.compat.replication;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Random;

import static io.basalt.compat.replication.ReplicationTest.awaitInSync;
import static io.basalt.compat.replication.ReplicationTest.dump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Replication under faults, with redis-server on the other end: a replica killed during its
 * full sync, a replica stopped (SIGSTOP) past repl-timeout, a master stopped past the replica's
 * repl-timeout, and a backlog overrun that forces a full resync. Nothing hangs, nothing is
 * applied twice: the keyspaces are equal at the end.
 */
class ReplicationFaultsTest {

    private static BasaltInstance basalt(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = Files.createTempDirectory("basalt-faults").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return BasaltInstance.start(all);
    }

    @Test
    void replicaKilledDuringFullSync() throws Exception {
        BasaltInstance master = basalt("--repl-diskless-sync-delay", "0");
        RedisServerProcess replica = null;
        try (RawClient m = new RawClient(master.port())) {
            m.call("DEBUG", "POPULATE", "100000", "key", "100");
            // the replica loads slowly (Redis's key-load-delay): killed while the sync runs
            replica = RedisServerProcess.start("--key-load-delay", "50", "--replicaof", "127.0.0.1", Integer.toString(master.port()));
            try (RawClient r = new RawClient(replica.port())) {
                awaitField(r, "master_sync_in_progress:1");
            }
            replica.signal("KILL");
            replica.stop();
            awaitField(m, "connected_slaves:0");
            assertEquals("PONG", m.call("PING").string());
            // a new replica syncs in full
            replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
            try (RawClient r = new RawClient(replica.port())) {
                awaitInSync(m, r);
                assertEquals(m.call("DBSIZE").number(), r.call("DBSIZE").number());
                assertEquals(m.call("GET", "key:4242").string(), r.call("GET", "key:4242").string());
            }
        } finally {
            if (replica != null) replica.stop();
            master.stop();
        }
    }

    @Test
    void backlogOverrunForcesFullResync() throws Exception {
        BasaltInstance master = basalt("--repl-backlog-size", "16384", "--repl-diskless-sync-delay", "0");
        RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
        try (RawClient m = new RawClient(master.port()); RawClient r = new RawClient(replica.port())) {
            ReplicationTest.Workload w = new ReplicationTest.Workload(new Random(1));
            w.run(m, 300);
            awaitInSync(m, r);
            replica.signal("STOP");
            try {
                assertEquals(1, m.call("CLIENT", "KILL", "TYPE", "replica").number());
                String big = "x".repeat(1000);
                for (int i = 0; i < 100; i++) m.call("SET", "big:" + i, big); // 100 KB past a 16 KB backlog
            } finally {
                replica.signal("CONT");
            }
            awaitInSync(m, r);
            assertEquals(dump(m), dump(r));
            String stats = m.call("INFO", "stats").string();
            assertTrue(stats.contains("sync_full:2\r\n"), stats);
        } finally {
            replica.stop();
            master.stop();
        }
    }

    @Test
    void replicaStoppedPastTimeoutIsDroppedAndContinues() throws Exception {
        BasaltInstance master = basalt("--repl-timeout", "2", "--repl-diskless-sync-delay", "0");
        RedisServerProcess replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(master.port()));
        try (RawClient m = new RawClient(master.port()); RawClient r = new RawClient(replica.port())) {
            ReplicationTest.Workload w = new ReplicationTest.Workload(new Random(2));
            w.run(m, 300);
            awaitInSync(m, r);
            replica.signal("STOP");
            try {
                awaitField(m, "connected_slaves:0");
                w.run(m, 100);
            } finally {
                replica.signal("CONT");
            }
            awaitInSync(m, r);
            assertEquals(dump(m), dump(r));
            String stats = m.call("INFO", "stats").string();
            assertTrue(stats.contains("sync_full:1\r\n") && stats.contains("sync_partial_ok:1\r\n"), stats);
        } finally {
            replica.stop();
            master.stop();
        }
    }

    @Test
    void masterStoppedPastTimeoutThenContinues() throws Exception {
        RedisServerProcess master = RedisServerProcess.start("--repl-ping-replica-period", "1", "--repl-diskless-sync-delay", "0");
        BasaltInstance replica = basalt("--repl-timeout", "2", "--replicaof", "127.0.0.1 " + master.port());
        try (RawClient m = new RawClient(master.port()); RawClient r = new RawClient(replica.port())) {
            ReplicationTest.Workload w = new ReplicationTest.Workload(new Random(4));
            w.run(m, 300);
            awaitInSync(m, r);
            master.signal("STOP");
            try {
                awaitField(r, "master_link_status:down");
            } finally {
                master.signal("CONT");
            }
            w.run(m, 100);
            awaitInSync(m, r);
            assertEquals(dump(m), dump(r));
            String stats = m.call("INFO", "stats").string();
            assertTrue(stats.contains("sync_full:1\r\n") && stats.contains("sync_partial_ok:1\r\n"), stats);
        } finally {
            replica.stop();
            master.stop();
        }
    }

    private static void awaitField(RawClient c, String line) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            last = c.call("INFO", "replication").string();
            if (last.contains(line + "\r\n")) return;
            Thread.sleep(20);
        }
        fail(line + " never seen: " + last);
    }
}
