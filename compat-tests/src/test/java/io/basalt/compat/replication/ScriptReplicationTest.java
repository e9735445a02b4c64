package io.basalt.compat.replication;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A script's writes reach a real redis-server replica of Basalt as effects (Redis 7.0 never
 * replicates the script): commands with non-deterministic results (TIME, math.random, SPOP),
 * several databases, EVALSHA, EVAL inside MULTI, and redis.set_repl(REPL_NONE) keeping a write
 * local. The keyspaces are compared after the stream, and the offsets must agree.
 */
class ScriptReplicationTest {
    @Test
    void scriptEffectsReplicate() throws Exception {
        BasaltInstance basalt = BasaltInstance.start("--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0");
        RedisServerProcess replica = null;
        try (RawClient m = new RawClient(basalt.port())) {
            replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(basalt.port()));
            try (RawClient r = new RawClient(replica.port())) {
                ReplicationTest.awaitInSync(m, r);
                m.call("SADD", "pool", "a", "b", "c", "d", "e");
                for (int i = 0; i < 20; i++) {
                    m.call("EVAL", "math.randomseed(" + i + ") redis.call('set', KEYS[1], math.random(1000)) "
                            + "redis.call('rpush', KEYS[2], redis.call('time')[1]) return redis.call('spop', 'pool')",
                            "2", "r:" + i, "times");
                }
                m.call("EVAL", "redis.call('select', 2) redis.call('set', 'in2', 'x') redis.call('incrbyfloat', 'f', '1.5') return 1", "0");
                String sha = m.call("SCRIPT", "LOAD", "return redis.call('incr', KEYS[1])").string();
                m.call("EVALSHA", sha, "1", "counter");
                m.call("MULTI");
                m.call("EVAL", "return redis.call('incr', KEYS[1])", "1", "counter");
                m.call("INCR", "counter");
                m.call("EXEC");
                m.call("EVAL", "redis.set_repl(redis.REPL_NONE) redis.call('set', 'local-only', 1) "
                        + "redis.set_repl(redis.REPL_ALL) redis.call('set', 'replicated', 1)", "0");
                m.call("EVAL", "return redis.call('get', 'counter')", "0"); // a read propagates nothing
                ReplicationTest.awaitInSync(m, r);
                TreeMap<String, String> master = ReplicationTest.dump(m);
                TreeMap<String, String> copy = ReplicationTest.dump(r);
                assertEquals("string 1", master.remove("0:local-only"));
                assertEquals(master, copy);
                assertEquals("string 3", copy.get("0:counter"));
                assertTrue(copy.containsKey("0:replicated") && copy.containsKey("2:in2"), copy.toString());
            }
        } finally {
            if (replica != null) replica.stop();
            basalt.stop();
        }
    }
}
