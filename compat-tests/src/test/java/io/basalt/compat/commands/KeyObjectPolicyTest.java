package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** OBJECT IDLETIME / FREQ / REFCOUNT under maxmemory policies, on private servers of both kinds. */
class KeyObjectPolicyTest {

    private static void compare(String[] args, String[]... cmds) {
        RedisServerProcess redis = RedisServerProcess.start(args);
        BasaltInstance basalt = BasaltInstance.start(args);
        try (RawClient r = new RawClient(redis.port()); RawClient b = new RawClient(basalt.port())) {
            for (String[] c : cmds) {
                assertEquals(r.call(c).rawString(), b.call(c).rawString(), () -> "reply to " + String.join(" ", c));
            }
        } finally {
            basalt.stop();
            redis.stop();
        }
    }

    @Test
    void lfuPolicy() {
        compare(new String[]{"--maxmemory-policy", "allkeys-lfu"},
                new String[]{"SET", "a", "1"},
                new String[]{"OBJECT", "IDLETIME", "a"},
                new String[]{"OBJECT", "IDLETIME", "nokey"},
                new String[]{"OBJECT", "FREQ", "nokey"},
                new String[]{"OBJECT", "REFCOUNT", "a"});
        BasaltInstance basalt = BasaltInstance.start("--maxmemory-policy", "volatile-lfu");
        try (RawClient b = new RawClient(basalt.port())) {
            b.call("SET", "a", "1");
            assertEquals(':', b.call("OBJECT", "FREQ", "a").type());
        } finally {
            basalt.stop();
        }
    }

    /** With maxmemory and an LRU/LFU policy, Redis stops sharing small integers. */
    @Test
    void sharedIntegersDependOnMaxmemoryPolicy() {
        compare(new String[]{"--maxmemory", "100mb", "--maxmemory-policy", "allkeys-lru"},
                new String[]{"SET", "a", "1"},
                new String[]{"OBJECT", "REFCOUNT", "a"},
                new String[]{"OBJECT", "ENCODING", "a"},
                new String[]{"OBJECT", "FREQ", "a"});
        compare(new String[]{"--maxmemory", "100mb", "--maxmemory-policy", "allkeys-random"},
                new String[]{"SET", "a", "1"},
                new String[]{"OBJECT", "REFCOUNT", "a"});
        compare(new String[]{"--maxmemory-policy", "allkeys-lru"},
                new String[]{"SET", "a", "1"},
                new String[]{"OBJECT", "REFCOUNT", "a"});
    }
}
