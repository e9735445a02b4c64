package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.RawClient;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-shard memory accounting that maxmemory relies on stays exact through every kind of
 * change: after a random mix of commands of every family (in-place collection changes, encoding
 * conversions, string rewrites in place, TTL changes, renames, moves, copies, swaps, expiry and
 * flushes) the running totals equal the entries measured afresh.
 */
class MemoryAccountingTest {

    private static long drift(Keyspace ks) {
        long d = 0;
        for (int i = 0; i < ks.shardCount(); i++) {
            Shard s = ks.shard(i);
            s.lock();
            try {
                d += s.accountingDrift();
            } finally {
                s.unlock();
            }
        }
        return d;
    }

    @Test
    void runningTotalsMatchTheEntries() {
        BasaltInstance server = BasaltInstance.start();
        try (RawClient c = new RawClient(server.port())) {
            Random rnd = new Random(7);
            for (int i = 0; i < 20000; i++) {
                String k = "k" + rnd.nextInt(40);
                String m = "m" + rnd.nextInt(300);
                String v = "x".repeat(rnd.nextInt(80));
                String n = Integer.toString(rnd.nextInt(1000));
                String[][] cmds = {
                        {"SET", k, v}, {"APPEND", k, v}, {"SETRANGE", k, n, v}, {"INCR", k}, {"SETBIT", k, n, "1"},
                        {"GETDEL", k}, {"GETEX", k, "EX", "100"}, {"PERSIST", k}, {"EXPIRE", k, "1000"},
                        {"PEXPIRE", k, "1"}, {"SET", k, v, "PX", "2"},
                        {"HSET", k, m, v}, {"HDEL", k, m}, {"HINCRBY", k, m, "3"}, {"HSETNX", k, m, v},
                        {"RPUSH", k, v, m}, {"LPUSH", k, m}, {"LPOP", k}, {"RPOP", k, "2"}, {"LSET", k, "0", v},
                        {"LINSERT", k, "BEFORE", m, v}, {"LTRIM", k, "1", "-2"}, {"LREM", k, "0", m},
                        {"LMOVE", k, "k1", "LEFT", "RIGHT"},
                        {"SADD", k, m, n}, {"SREM", k, m}, {"SPOP", k}, {"SMOVE", k, "k2", n},
                        {"SINTERSTORE", k, "k3", "k4"}, {"SUNIONSTORE", k, "k5", k},
                        {"ZADD", k, n, m}, {"ZINCRBY", k, "2", m}, {"ZREM", k, m}, {"ZPOPMIN", k},
                        {"ZREMRANGEBYSCORE", k, "0", "100"}, {"ZUNIONSTORE", k, "2", k, "k6"},
                        {"RENAME", k, "k7"}, {"COPY", k, "k8", "REPLACE"}, {"MOVE", k, "1"}, {"DEL", k},
                        {"SWAPDB", "0", "1"},
                        {"SPOP", k, "3"}, {"ZPOPMAX", k, "2"}, {"ZADD", k, "INCR", n, m}, {"ZRANGESTORE", k, "k9", "0", "5"},
                        {"ZINTERSTORE", k, "2", k, "k6"}, {"SDIFFSTORE", k, k, "k3"}, {"HINCRBYFLOAT", k, m, "1.5"},
                        {"LMPOP", "2", k, "k1", "LEFT", "COUNT", "2"}, {"ZMPOP", "1", k, "MIN"}, {"SETEX", k, "100", v},
                        {"MSET", k, v, "k10", v}, {"INCRBYFLOAT", k, "2.5"}, {"DECR", k}, {"BITFIELD", k, "SET", "u8", n, "7"},
                        {"BLPOP", k, "0.01"}, {"BZPOPMIN", k, "0.01"}, {"GETSET", k, v}, {"HMSET", k, m, v, "f", v},
                        {"LPUSHX", k, v}, {"RPOPLPUSH", k, k}, {"SINTERCARD", "1", k}, {"ZREMRANGEBYRANK", k, "0", "1"},
                        {"ZREMRANGEBYLEX", k, "-", "+"}, {"PERSIST", k}, {"EXPIREAT", k, "1"},
                };
                String[] cmd = cmds[rnd.nextInt(cmds.length)];
                long before = drift(server.server().keyspace());
                c.call(cmd);
                long after = drift(server.server().keyspace());
                assertEquals(before, after, () -> "drift after " + String.join(" ", cmd));
            }
            // large encodings, then their conversion and removal
            for (int i = 0; i < 1000; i++) {
                c.call("HSET", "bigh", "f" + i, "v" + i);
                c.call("SADD", "bigs", "m" + i);
                c.call("ZADD", "bigz", Integer.toString(i), "m" + i);
                c.call("RPUSH", "bigl", "e" + i);
            }
            for (int i = 0; i < 1000; i += 2) {
                c.call("HDEL", "bigh", "f" + i);
                c.call("SREM", "bigs", "m" + i);
                c.call("ZREM", "bigz", "m" + i);
                c.call("LPOP", "bigl");
            }
            assertEquals(0, drift(server.server().keyspace()));
            assertTrue(server.server().keyspace().memoryUsage() > 0);
            c.call("FLUSHALL");
            assertEquals(0, drift(server.server().keyspace()));
        } finally {
            server.stop();
        }
    }

    /**
     * With list-compress-depth set, even a read deflates the interior nodes it reaches, and a
     * DUMP or SAVE walks a list without changing it: every one keeps the totals exact.
     */
    @Test
    void compressedListReadsAndDumpsStayAccounted(@TempDir Path dir) {
        BasaltInstance server = BasaltInstance.start("--dir", dir.toString(), "--list-max-listpack-size", "4",
                "--list-compress-depth", "1");
        try (RawClient c = new RawClient(server.port())) {
            Random rnd = new Random(11);
            for (int i = 0; i < 3000; i++) {
                String k = "l" + rnd.nextInt(5);
                String v = "value " + rnd.nextInt(20) + " " + "q".repeat(40 + rnd.nextInt(40));
                String n = Integer.toString(rnd.nextInt(200) - 100);
                String[][] cmds = {
                        {"RPUSH", k, v, v}, {"LPUSH", k, v}, {"LRANGE", k, "0", "-1"}, {"LINDEX", k, n},
                        {"LPOS", k, v, "COUNT", "0"}, {"SORT", k, "ALPHA", "LIMIT", "0", "5"}, {"SORT", k, "BY", "nosort"},
                        {"LINSERT", k, "AFTER", v, "x"}, {"LSET", k, "0", v}, {"LREM", k, "1", v}, {"DUMP", k},
                        {"LMOVE", k, "l0", "LEFT", "RIGHT"}, {"RPOP", k}, {"LTRIM", k, "2", "-3"},
                        {"CONFIG", "SET", "list-compress-depth", Integer.toString(rnd.nextInt(3))},
                };
                String[] cmd = cmds[rnd.nextInt(cmds.length)];
                c.call(cmd);
                assertEquals(0, drift(server.server().keyspace()), () -> "drift after " + String.join(" ", cmd));
            }
            c.call("SAVE");
            assertEquals(0, drift(server.server().keyspace()));
        } finally {
            server.stop();
        }
    }
}
