package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * BLPOP, BRPOP, BRPOPLPUSH, BLMOVE and BLMPOP against redis-server 7.0: immediate serving,
 * timeouts and argument errors on one connection, then multi-connection scenarios (blocked
 * clients served by other clients' writes) run on both servers side by side, comparing the
 * transcript of every reply each connection got.
 */
class BlockingCommandsTest extends DifferentialTest {

    // ---------------------------------------------------------------- one connection

    private void immediate() {
        sameAll(cmd("RPUSH", "l", "a", "b", "c", "d", "e"),
                cmd("BLPOP", "nx", "l", "0"),
                cmd("BRPOP", "nx", "l", "1"),
                cmd("BLMPOP", "0", "2", "nx", "l", "RIGHT", "COUNT", "2"),
                cmd("BLMPOP", "0.5", "1", "l", "LEFT"),
                cmd("EXISTS", "l"),
                cmd("RPUSH", "s", "x", "y"),
                cmd("BRPOPLPUSH", "s", "d", "0"),
                cmd("BLMOVE", "s", "d", "LEFT", "LEFT", "0"),
                cmd("LRANGE", "d", "0", "-1"),
                cmd("EXISTS", "s"),
                cmd("BLMOVE", "d", "d", "LEFT", "RIGHT", "0"),
                cmd("BRPOPLPUSH", "d", "d", "0"),
                cmd("LRANGE", "d", "0", "-1"),
                cmd("BLMPOP", "0", "1", "d", "LEFT", "COUNT", "10"),
                cmd("EXISTS", "d"));
    }

    @Test
    void readyKeysAreServedAtOnceResp2() {
        immediate();
    }

    @Test
    void readyKeysAreServedAtOnceResp3() {
        resp3();
        immediate();
    }

    @Test
    void wrongTypes() {
        sameAll(cmd("SET", "str", "v"), cmd("RPUSH", "l", "a", "b", "c"),
                cmd("BLPOP", "str", "l", "0"),
                cmd("BLPOP", "l", "str", "0"),
                cmd("BRPOP", "nx", "str", "0"),
                cmd("BLMPOP", "0", "2", "str", "l", "LEFT"),
                cmd("BRPOPLPUSH", "str", "l", "0"),
                cmd("BRPOPLPUSH", "l", "str", "0"),
                cmd("BLMOVE", "l", "str", "LEFT", "RIGHT", "0"),
                cmd("LRANGE", "l", "0", "-1"));
    }

    private void timeouts() {
        sameAll(cmd("BLPOP", "nx", "0.01"),
                cmd("BRPOP", "nx", "nx2", "0.01"),
                cmd("BRPOPLPUSH", "nx", "d", "0.01"),
                cmd("BLMOVE", "nx", "d", "LEFT", "RIGHT", "0.01"),
                cmd("BLMPOP", "0.01", "1", "nx", "LEFT", "COUNT", "3"),
                cmd("EXISTS", "d"));
    }

    @Test
    void timeoutRepliesNullArrayResp2() {
        timeouts();
    }

    @Test
    void timeoutRepliesNullArrayResp3() {
        resp3();
        timeouts();
    }

    @Test
    void argumentErrors() {
        sameAll(cmd("BLPOP", "k", "-1"),
                cmd("BLPOP", "k", "abc"),
                cmd("BLPOP", "k", "0.1x"),
                cmd("BLPOP", "k", " 1"),
                cmd("BLPOP", "k", ""),
                cmd("BLPOP", "k", "inf"),
                cmd("BLPOP", "k", "-inf"),
                cmd("BLPOP", "k", "nan"),
                cmd("BLPOP", "k", "1e300"),
                cmd("BRPOP", "k", "-0.002"),
                cmd("BLPOP", "k"),
                cmd("BRPOPLPUSH", "a", "b", "x"),
                cmd("BRPOPLPUSH", "a", "b"),
                cmd("BLMOVE", "a", "b", "UP", "RIGHT", "x"),
                cmd("BLMOVE", "a", "b", "LEFT", "DOWN", "x"),
                cmd("BLMOVE", "a", "b", "LEFT", "RIGHT", "x"),
                cmd("BLMOVE", "a", "b", "LEFT", "RIGHT", "-5"),
                cmd("BLMPOP", "x", "1", "a", "LEFT"),
                cmd("BLMPOP", "x", "0", "a", "LEFT"),
                cmd("BLMPOP", "x", "-1", "a", "LEFT"),
                cmd("BLMPOP", "x", "abc", "a", "LEFT"),
                cmd("BLMPOP", "x", "3", "a", "LEFT"),
                cmd("BLMPOP", "x", "1", "a", "MIDDLE"),
                cmd("BLMPOP", "x", "1", "a", "LEFT", "COUNT", "0"),
                cmd("BLMPOP", "x", "1", "a", "LEFT", "COUNT"),
                cmd("BLMPOP", "x", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"),
                cmd("BLMPOP", "x", "1", "a", "LEFT", "FOO"),
                cmd("BLMPOP", "-1", "1", "a", "LEFT"),
                cmd("BLMPOP", "x", "2", "a"));
    }

    // ---------------------------------------------------------------- several connections

    /** Runs {@code scenario} against Redis and Basalt and requires identical transcripts. */
    private static void sameScenario(BiConsumer<Conns, List<String>> scenario) {
        List<String> expected = run(RedisServerProcess.shared().port(), scenario);
        List<String> actual = run(BasaltInstance.shared().port(), scenario);
        assertEquals(expected, actual);
    }

    private static List<String> run(int port, BiConsumer<Conns, List<String>> scenario) {
        List<String> t = new ArrayList<>();
        try (Conns c = new Conns(port)) {
            scenario.accept(c, t);
        }
        return t;
    }

    /** Three connections to one server: a and b block, w writes (and watches INFO). */
    static final class Conns implements AutoCloseable {
        final RawClient a;
        final RawClient b;
        final RawClient w;
        final int port;

        Conns(int port) {
            this.port = port;
            a = new RawClient(port);
            b = new RawClient(port);
            w = new RawClient(port);
            w.call("FLUSHALL");
        }

        /** Waits until INFO shows {@code n} blocked clients (the blocking command has arrived). */
        void blocked(int n) {
            long end = System.currentTimeMillis() + 5000;
            while (System.currentTimeMillis() < end) {
                String info = w.call("INFO", "clients").rawString();
                if (info.contains("blocked_clients:" + n + "\r\n")) return;
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            throw new AssertionError("never saw blocked_clients:" + n);
        }

        @Override
        public void close() {
            a.close();
            b.close();
            w.close();
        }
    }

    @Test
    void aPushServesTheBlockedClient() {
        sameScenario((c, t) -> {
            c.a.send("BLPOP", "k", "5");
            c.blocked(1);
            t.add(c.w.call("LPUSH", "k", "v").rawString());
            t.add(c.a.read().rawString());
            t.add(c.w.call("EXISTS", "k").rawString());
            c.blocked(0);
        });
    }

    @Test
    void blockedClientsAreServedFirstComeFirstServed() {
        sameScenario((c, t) -> {
            c.a.send("BRPOP", "k", "5");
            c.blocked(1);
            c.b.send("BLPOP", "other", "k", "5");
            c.blocked(2);
            t.add(c.w.call("RPUSH", "k", "x", "y", "z").rawString());
            t.add(c.a.read().rawString());
            t.add(c.b.read().rawString());
            t.add(c.w.call("LRANGE", "k", "0", "-1").rawString());
        });
    }

    @Test
    void blmoveIsServedAndFeedsClientsBlockedOnItsDestination() {
        sameScenario((c, t) -> {
            c.a.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "5");
            c.blocked(1);
            c.b.send("BLPOP", "dst", "5");
            c.blocked(2);
            t.add(c.w.call("RPUSH", "src", "a", "b").rawString());
            t.add(c.a.read().rawString());
            t.add(c.b.read().rawString());
            t.add(c.w.call("LRANGE", "src", "0", "-1").rawString());
            t.add(c.w.call("EXISTS", "dst").rawString());
            c.a.send("BRPOPLPUSH", "src2", "dst", "5");
            c.blocked(1);
            t.add(c.w.call("LMOVE", "src", "src2", "LEFT", "LEFT").rawString());
            t.add(c.a.read().rawString());
            t.add(c.w.call("LRANGE", "dst", "0", "-1").rawString());
        });
    }

    @Test
    void blmoveToADestinationOfAnotherTypeGetsWrongtypeWhenServed() {
        sameScenario((c, t) -> {
            c.a.send("BLMOVE", "src", "dst", "LEFT", "RIGHT", "5");
            c.blocked(1);
            c.b.send("BLPOP", "src", "5");
            c.blocked(2);
            t.add(c.w.call("SET", "dst", "x").rawString());
            t.add(c.w.call("RPUSH", "src", "a", "b").rawString());
            t.add(c.a.read().rawString());
            t.add(c.b.read().rawString());
            t.add(c.w.call("LRANGE", "src", "0", "-1").rawString());
            c.blocked(0);
        });
    }

    @Test
    void blmpopServedWithCountResp3() {
        sameScenario((c, t) -> {
            c.a.call("HELLO", "3");
            c.a.send("BLMPOP", "5", "2", "k1", "k2", "RIGHT", "COUNT", "2");
            c.blocked(1);
            t.add(c.w.call("RPUSH", "k2", "a", "b", "c").rawString());
            t.add(c.a.read().rawString());
            c.a.send("BLPOP", "k1", "0.05");
            t.add(c.a.read().rawString());
        });
    }

    @Test
    void timeoutRepliesNullAndUnblocks() {
        sameScenario((c, t) -> {
            c.a.send("BLPOP", "k", "0.2");
            c.blocked(1);
            t.add(c.a.read().rawString());
            c.blocked(0);
            t.add(c.w.call("RPUSH", "k", "v").rawString());
            t.add(c.w.call("LLEN", "k").rawString());
        });
    }

    @Test
    void pipelinedCommandsRunOnlyAfterTheBlockedOneIsServed() {
        sameScenario((c, t) -> {
            c.a.sendRaw(new String(RawClient.encode("BLPOP".getBytes(), "k".getBytes(), "5".getBytes()))
                    + "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n");
            c.blocked(1);
            t.add(c.w.call("RPUSH", "k", "a", "b").rawString());
            t.add(c.a.read().rawString());
            t.add(c.a.read().rawString());
            t.add(c.a.read().rawString());
        });
    }

    @Test
    void disconnectingABlockedClientLeavesTheOthersBlocked() {
        sameScenario((c, t) -> {
            c.a.send("BLPOP", "k", "5");
            c.blocked(1);
            c.b.send("BLPOP", "k", "5");
            c.blocked(2);
            c.a.close();
            c.blocked(1);
            t.add(c.w.call("RPUSH", "k", "v").rawString());
            t.add(c.b.read().rawString());
            c.blocked(0);
        });
    }

    @Test
    void otherTypesAndOtherDatabasesDoNotServe() {
        sameScenario((c, t) -> {
            c.a.call("SELECT", "1");
            c.a.send("BLPOP", "k", "5");
            c.blocked(1);
            t.add(c.w.call("SET", "k", "str").rawString());
            t.add(c.w.call("RPUSH", "k2", "v").rawString());
            t.add(c.w.call("SELECT", "1").rawString());
            t.add(c.w.call("SET", "k", "str").rawString());
            t.add(c.w.call("DEL", "k").rawString());
            c.blocked(1);
            t.add(c.w.call("RENAME", "k2", "k").rawString()); // db 1 has no k2
            t.add(c.w.call("RPUSH", "k3", "x").rawString());
            t.add(c.w.call("RENAME", "k3", "k").rawString());
            t.add(c.a.read().rawString());
            t.add(c.w.call("EXISTS", "k").rawString());
        });
    }

    @Test
    void blockedClientsShowInClientListAndInfo() {
        sameScenario((c, t) -> {
            c.a.send("BLPOP", "k", "5");
            c.blocked(1);
            c.b.send("BLPOP", "k", "0");
            c.blocked(2);
            String list = c.w.call("CLIENT", "LIST").rawString();
            t.add(String.valueOf(list.split("flags=b ", -1).length - 1));
            String info = c.w.call("INFO", "clients").rawString();
            t.add(String.valueOf(info.contains("clients_in_timeout_table:1\r\n")));
            t.add(c.w.call("RPUSH", "k", "1", "2").rawString());
            t.add(c.a.read().rawString());
            t.add(c.b.read().rawString());
            c.blocked(0);
            t.add(String.valueOf(c.w.call("CLIENT", "LIST").rawString().contains("flags=b ")));
        });
    }

    @Test
    void clientUnblockEndsTheBlockWithTheTimeoutReplyOrAnError() {
        sameScenario((c, t) -> {
            String id = c.a.call("CLIENT", "ID").string();
            t.add(c.w.call("CLIENT", "UNBLOCK", id).rawString());
            c.a.send("BLPOP", "k", "5");
            c.blocked(1);
            t.add(c.w.call("CLIENT", "UNBLOCK", id, "timeout").rawString());
            t.add(c.a.read().rawString());
            c.a.send("BLMOVE", "k", "d", "LEFT", "LEFT", "0");
            c.blocked(1);
            t.add(c.w.call("CLIENT", "UNBLOCK", id, "ERROR").rawString());
            t.add(c.a.read().rawString());
            c.blocked(0);
            t.add(c.w.call("RPUSH", "k", "v").rawString());
            t.add(c.a.call("LLEN", "k").rawString());
            t.add(String.valueOf(c.w.call("INFO", "errorstats").rawString().contains("errorstat_UNBLOCKED:count=1")));
        });
    }

    @Test
    void clientUnblockErrors() {
        sameAll(cmd("CLIENT", "UNBLOCK", "1", "2", "3"),
                cmd("CLIENT", "UNBLOCK", "x", "foo"),
                cmd("CLIENT", "UNBLOCK", "x"),
                cmd("CLIENT", "UNBLOCK", "99999"),
                cmd("CLIENT", "UNBLOCK", "99999", "error"),
                cmd("CLIENT", "UNBLOCK"));
    }

    @Test
    void idleTimeoutDoesNotCloseBlockedClients() {
        sameScenario((c, t) -> {
            t.add(c.w.call("CONFIG", "SET", "timeout", "1").rawString());
            try {
                c.a.send("BLPOP", "k", "2.5");
                c.blocked(1);
                t.add(c.a.read().rawString());
                t.add(c.a.call("PING").rawString());
            } finally {
                // the idle writer connection may have been closed by the timeout meanwhile
                try (RawClient admin = new RawClient(c.port)) {
                    admin.call("CONFIG", "SET", "timeout", "0");
                }
            }
        });
    }

    @Test
    void moveCopyAndSwapdbServeClientsBlockedInTheOtherDatabase() {
        sameScenario((c, t) -> {
            c.a.call("SELECT", "1");
            c.a.send("BLPOP", "k", "5");
            c.blocked(1);
            t.add(c.w.call("RPUSH", "k", "moved").rawString());
            t.add(c.w.call("MOVE", "k", "1").rawString());
            t.add(c.a.read().rawString());
            c.a.send("BLPOP", "k", "5");
            c.blocked(1);
            t.add(c.w.call("RPUSH", "src", "copied").rawString());
            t.add(c.w.call("COPY", "src", "k", "DB", "1").rawString());
            t.add(c.a.read().rawString());
            c.a.send("BRPOP", "other", "src", "5");
            c.blocked(1);
            t.add(c.w.call("SWAPDB", "0", "1").rawString());
            t.add(c.a.read().rawString());
            t.add(c.w.call("DBSIZE").rawString());
            t.add(c.w.call("SWAPDB", "0", "1").rawString());
        });
    }

    @Test
    void clientsHeldByClientPauseCountAsBlocked() {
        sameScenario((c, t) -> {
            t.add(c.w.call("CLIENT", "PAUSE", "5000", "WRITE").rawString());
            try {
                c.a.send("RPUSH", "k", "v");
                c.blocked(1);
                c.b.send("BLPOP", "nx", "5");
                c.blocked(2);
            } finally {
                t.add(c.w.call("CLIENT", "UNPAUSE").rawString());
            }
            t.add(c.a.read().rawString());
            t.add(c.w.call("RPUSH", "nx", "x").rawString());
            t.add(c.b.read().rawString());
        });
    }

    /**
     * Basalt only (the interleaving is nondeterministic): many clients blocked while several
     * writers push from other connections; every element goes to exactly one client.
     */
    @Test
    void concurrentPushesServeEachElementExactlyOnce() throws Exception {
        int port = BasaltInstance.shared().port();
        int waiters = 24;
        List<RawClient> blocked = new ArrayList<>();
        try (RawClient admin = new RawClient(port)) {
            admin.call("FLUSHALL");
            for (int i = 0; i < waiters; i++) {
                RawClient r = new RawClient(port);
                blocked.add(r);
                r.send("BLPOP", "q", "10");
            }
            long end = System.currentTimeMillis() + 5000;
            while (!admin.call("INFO", "clients").rawString().contains("blocked_clients:" + waiters + "\r\n")) {
                if (System.currentTimeMillis() > end) throw new AssertionError("clients did not block");
                Thread.sleep(5);
            }
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try (RawClient r = new RawClient(port)) {
                        for (int i = 0; i < waiters / 4; i++) r.call("RPUSH", "q", "w" + id + "-" + i);
                    }
                });
                writers.add(t);
                t.start();
            }
            for (Thread t : writers) t.join();
            java.util.Set<String> got = new java.util.TreeSet<>();
            for (RawClient r : blocked) {
                io.basalt.resp.RespValue v = r.read();
                got.add(v.rawString());
            }
            assertEquals(waiters, got.size());
            assertEquals(":0", admin.call("LLEN", "q").rawString().trim());
            assertTrue(admin.call("INFO", "clients").rawString().contains("blocked_clients:0\r\n"));
        } finally {
            for (RawClient r : blocked) r.close();
        }
    }
}
