package io.basalt.compat.replication;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.FunctionLists;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Functions reach a real redis-server replica of Basalt as Redis replicates them: the libraries
 * loaded before the replica attached come with the full sync's image (RDB_OPCODE_FUNCTION2),
 * FUNCTION LOAD / DELETE / RESTORE / FLUSH go down the stream as commands, and FCALL's writes as
 * effects (never the call). Both servers then hold the same libraries, keys and offsets. And the
 * other way: a Basalt replica of redis-server gets the master's libraries and their changes.
 */
class FunctionReplicationTest {
    private static String libraries(RawClient c) {
        TreeMap<String, String> all = new TreeMap<>();
        for (RespValue lib : c.call("FUNCTION", "LIST").elements()) {
            String name = lib.get(1).string();
            all.put(name, FunctionLists.canonical(c.call("FUNCTION", "LIST", "LIBRARYNAME", name, "WITHCODE")));
        }
        return all.toString();
    }

    @Test
    void functionsReplicate() throws Exception {
        for (String diskless : new String[] {"yes", "no"}) {
            BasaltInstance basalt = BasaltInstance.start("--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0");
            RedisServerProcess replica = null;
            try (RawClient m = new RawClient(basalt.port())) {
                assertEquals("before", m.call("FUNCTION", "LOAD", "#!lua name=before\n"
                        + "redis.register_function('counter', function(k) redis.call('incr', k[1]) return redis.call('spop', 'pool') end)").string());
                m.call("SADD", "pool", "a", "b", "c", "d", "e");
                replica = RedisServerProcess.start("--replicaof", "127.0.0.1", Integer.toString(basalt.port()));
                try (RawClient r = new RawClient(replica.port())) {
                    ReplicationTest.awaitInSync(m, r);
                    assertEquals(libraries(m), libraries(r));
                    m.call("FUNCTION", "LOAD", "#!lua name=after\n"
                            + "redis.register_function('stamp', function(k) return redis.call('rpush', k[1], redis.call('time')[1], math.random(100)) end)\n"
                            + "redis.register_function{function_name='peek', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}}");
                    m.call("FCALL", "counter", "1", "n");
                    m.call("FCALL", "stamp", "1", "times");
                    m.call("FCALL_RO", "peek", "1", "n");
                    m.call("MULTI");
                    m.call("FCALL", "counter", "1", "n");
                    m.call("INCR", "n");
                    m.call("EXEC");
                    m.call("FUNCTION", "LOAD", "REPLACE", "#!lua name=before\nredis.register_function('counter', function(k) return redis.call('incrby', k[1], 10) end)");
                    m.call("FCALL", "counter", "1", "n");
                    byte[] dump = m.call("FUNCTION", "DUMP").bytes();
                    m.call("FUNCTION", "DELETE", "after");
                    ReplicationTest.awaitInSync(m, r);
                    assertEquals(libraries(m), libraries(r));
                    assertTrue(libraries(r).contains("incrby"), libraries(r));
                    m.call("FUNCTION", "FLUSH");
                    m.call("FUNCTION".getBytes(), "RESTORE".getBytes(), dump);
                    ReplicationTest.awaitInSync(m, r);
                    assertEquals(libraries(m), libraries(r));
                    assertTrue(libraries(r).contains("stamp"), libraries(r));
                    TreeMap<String, String> master = ReplicationTest.dump(m);
                    assertEquals(master, ReplicationTest.dump(r));
                    assertEquals("string 13", master.get("0:n"));
                    assertEquals("13", r.call("FCALL_RO", "peek", "1", "n").string());
                }
            } finally {
                if (replica != null) replica.stop();
                basalt.stop();
            }
        }
    }

    @Test
    void basaltReplicatesRedisFunctions() throws Exception {
        RedisServerProcess master = RedisServerProcess.start("--repl-diskless-sync-delay", "0");
        BasaltInstance replica = null;
        try (RawClient m = new RawClient(master.port())) {
            assertEquals("before", m.call("FUNCTION", "LOAD", "#!lua name=before\n"
                    + "redis.register_function('bump', function(k) return redis.call('incr', k[1]) end)\n"
                    + "redis.register_function{function_name='peek', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}}").string());
            m.call("FCALL", "bump", "1", "n");
            replica = BasaltInstance.start("--dir", java.nio.file.Files.createTempDirectory("basalt-replica").toString(),
                    "--replicaof", "127.0.0.1 " + master.port());
            try (RawClient r = new RawClient(replica.port())) {
                // the full sync's image brings the library
                ReplicationTest.awaitInSync(m, r);
                assertEquals(libraries(m), libraries(r));
                m.call("FUNCTION", "LOAD", "#!lua name=after\nredis.register_function('twice', function(k) redis.call('incr', k[1]) return redis.call('incr', k[1]) end)");
                m.call("FCALL", "twice", "1", "n");
                m.call("FUNCTION", "DELETE", "before");
                ReplicationTest.awaitInSync(m, r);
                assertEquals(libraries(m), libraries(r));
                assertEquals(ReplicationTest.dump(m), ReplicationTest.dump(r));
                assertEquals("3", r.call("GET", "n").string());
                // a writing function is refused on the read-only replica, as Redis refuses it
                assertEquals("READONLY You can't write against a read only replica.", r.call("FCALL", "twice", "1", "n").string());
            }
        } finally {
            if (replica != null) replica.stop();
            master.stop();
        }
    }
}
