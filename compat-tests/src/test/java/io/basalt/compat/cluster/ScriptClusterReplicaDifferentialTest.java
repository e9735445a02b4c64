package io.basalt.compat.cluster;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Scripts on a cluster replica, Basalt against redis-server 7.0.15 byte for byte: a redis-server
 * master serves every slot and has two replicas joined over the cluster bus, a redis-server and
 * Basalt (CLUSTER REPLICATE). Both replicas get the same commands: getNodeByQuery serves a
 * READONLY connection's reads of the master's slots, and a script or function is a read only when
 * it cannot write (no shebang, or no-writes: getCommandFlags), so EVAL_RO of a script without
 * no-writes is still redirected; inside a script the caller's READONLY flag is the script's.
 */
class ScriptClusterReplicaDifferentialTest {
    private static RedisServerProcess master;
    private static RedisServerProcess replica;
    private static BasaltInstance basalt;
    private ClusterPair p;

    private static final String LIB = "#!lua name=rlib\n"
            + "redis.register_function('fget', function(keys, args) return redis.call('get', keys[1]) end)\n"
            + "redis.register_function{function_name='fro', callback=function(keys, args) return redis.call('get', args[1]) end, flags={'no-writes'}}\n";

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) return;
            Thread.sleep(100);
        }
        fail("timed out waiting for " + what);
    }

    @BeforeAll
    static void start() throws Exception {
        int busM = RedisServerProcess.freePort(), busR = RedisServerProcess.freePort(), busB = RedisServerProcess.freePort();
        master = RedisServerProcess.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(busM), "--cluster-node-timeout", "2000");
        replica = RedisServerProcess.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(busR), "--cluster-node-timeout", "2000");
        basalt = BasaltInstance.start("--cluster-enabled", "yes", "--cluster-port", Integer.toString(busB), "--cluster-node-timeout", "2000");
        try (RawClient m = new RawClient(master.port()); RawClient r = new RawClient(replica.port()); RawClient b = new RawClient(basalt.port())) {
            String mid = m.call("CLUSTER", "MYID").string();
            assertEquals("+OK\r\n", m.call("CLUSTER", "ADDSLOTSRANGE", "0", "16383").rawString());
            String mport = Integer.toString(master.port()), mbus = Integer.toString(busM);
            assertEquals("+OK\r\n", r.call("CLUSTER", "MEET", "127.0.0.1", mport, mbus).rawString());
            assertEquals("+OK\r\n", b.call("CLUSTER", "MEET", "127.0.0.1", mport, mbus).rawString());
            await("both know the master's slots", () -> r.call("CLUSTER", "INFO").string().contains("cluster_state:ok")
                    && b.call("CLUSTER", "INFO").string().contains("cluster_state:ok")
                    && m.call("CLUSTER", "INFO").string().contains("cluster_known_nodes:3"));
            assertEquals("+OK\r\n", r.call("CLUSTER", "REPLICATE", mid).rawString());
            assertEquals("+OK\r\n", b.call("CLUSTER", "REPLICATE", mid).rawString());
            m.call("SET", "k", "v");
            m.call("FUNCTION", "LOAD", LIB);
            await("both replicas synced", () -> r.call("INFO", "replication").string().contains("master_link_status:up")
                    && b.call("INFO", "replication").string().contains("master_link_status:up")
                    && r.call("DBSIZE").rawString().equals(":1\r\n") && b.call("DBSIZE").rawString().equals(":1\r\n")
                    && b.call("FUNCTION", "LIST").rawString().contains("rlib")
                    && r.call("FUNCTION", "LIST").rawString().contains("rlib"));
        }
    }

    @AfterAll
    static void stop() {
        if (basalt != null) basalt.stop();
        if (replica != null) replica.stop();
        if (master != null) master.stop();
    }

    @BeforeEach
    void connect() {
        p = new ClusterPair(basalt.port(), replica.port());
    }

    @AfterEach
    void close() {
        p.close();
    }

    @Test
    void readonlyConnectionsRunScriptsThatCannotWrite() {
        // without READONLY everything with keys goes to the master
        p.same("GET", "k");
        p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "k");
        p.same("EVAL", "return redis.call('get', 'k')", "0");
        p.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0");
        p.same("EVAL", "#!lua flags=no-writes\nreturn 1", "0");
        // a script that may write is refused before it runs, as a write
        p.same("EVAL", "#!lua\nreturn 1", "0");
        p.same("EVAL_RO", "#!lua\nreturn 1", "0");
        p.same("FCALL", "fget", "0");
        p.same("READONLY");
        p.same("GET", "k");
        // no shebang: EVAL's own flags, not a write
        p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "k");
        p.same("EVAL_RO", "return redis.call('get', KEYS[1])", "1", "k");
        p.same("EVAL", "return redis.call('set', KEYS[1], 'w')", "1", "k");
        p.same("EVAL", "return redis.pcall('set', 'k', 'w')", "0");
        // declared flags: a write unless no-writes, even for EVAL_RO
        p.same("EVAL", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "k");
        assertTrue(p.same("EVAL_RO", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "k").startsWith("-MOVED "));
        assertEquals("$1\r\nv\r\n", p.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "k"));
        p.same("EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "k");
        p.same("EVAL", "#!lua flags=no-writes\nreturn redis.pcall('set', KEYS[1], 'w')", "1", "k");
        String sha = p.same("SCRIPT", "LOAD", "#!lua\nreturn redis.call('get', KEYS[1])").substring(5, 45);
        p.same("EVALSHA", sha, "1", "k");
        p.same("EVALSHA_RO", sha, "1", "k");
        // the caller's READONLY is its script's
        p.same("EVAL", "return redis.call('get', 'k')", "0");
        p.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0");
        // functions
        p.same("FCALL", "fget", "1", "k");
        p.same("FCALL_RO", "fget", "1", "k");
        p.same("FCALL", "fro", "1", "k", "k");
        p.same("FCALL_RO", "fro", "1", "k", "k");
        p.same("FCALL_RO", "fro", "0", "k");
        // in a transaction: a write script in the queue makes EXEC a write
        p.same("MULTI");
        p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "k");
        p.same("EXEC");
        p.same("MULTI");
        p.same("EVAL", "#!lua flags=no-writes\nreturn redis.call('get', KEYS[1])", "1", "k");
        p.same("GET", "k");
        p.same("EXEC");
        p.same("MULTI");
        p.same("EVAL", "#!lua\nreturn redis.call('get', KEYS[1])", "1", "k");
        p.same("EXEC");
        p.same("READWRITE");
        p.same("EVAL", "return redis.call('get', KEYS[1])", "1", "k");
    }

    @Test
    void queuedScriptsCountWithTheFlagsTheyHadWhenQueued() {
        String body = "#!lua\nreturn redis.call('get', KEYS[1]) -- queued";
        p.same("SCRIPT", "FLUSH");
        p.same("READONLY");
        String sha = p.redis.call("EVAL", "return redis.sha1hex(ARGV[1])", "0", body).string();
        p.same("MULTI");
        // unknown when queued: EVALSHA's own flags, a read
        p.same("EVALSHA", sha, "1", "k");
        try (ClusterPair other = new ClusterPair(basalt.port(), replica.port())) {
            other.same("SCRIPT", "LOAD", body);
        }
        // not a write for EXEC either: it runs here, and the script refuses its write flag
        assertEquals("*1\r\n-READONLY Can not run script with write flag on readonly replica\r\n", p.same("EXEC"));
        p.same("READWRITE");
    }

    @Test
    void writableReplicaStillSendsWritesToTheMaster() {
        p.same("CONFIG", "SET", "replica-read-only", "no");
        try {
            p.same("READONLY");
            // past the read-only replica check, the write is not local: getNodeByQuery's MOVED
            p.same("EVAL", "return redis.call('set', KEYS[1], 'w')", "1", "k");
            p.same("EVAL", "return redis.pcall('set', 'k', 'w')", "0");
            p.same("EVAL", "#!lua\nreturn redis.call('set', 'k', 'w')", "0");
            p.same("EVAL", "#!lua\nreturn redis.call('get', 'k')", "0");
            p.same("EVAL", "#!lua\nreturn 1", "1", "k");
            p.same("EVAL", "#!lua flags=no-writes\nreturn redis.pcall('set', 'k', 'w')", "0");
            p.same("READWRITE");
            p.same("EVAL", "#!lua\nreturn redis.call('get', 'k')", "0");
            p.same("GET", "k");
        } finally {
            p.same("CONFIG", "SET", "replica-read-only", "yes");
        }
    }
}
