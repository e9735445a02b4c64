package io.basalt.compat.server;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * rdb_changes_since_last_save (Redis's server.dirty) moves as redis-server's: a write that changes
 * nothing counts nothing (SETBIT of a bit to its value, BITFIELD SET of the same value or GET
 * only, SETRANGE of nothing, PERSIST without a TTL, GETEX PERSIST, RENAME onto itself), a write
 * that changes one key counts one, and reads count nothing.
 */
class DirtyCounterDifferentialTest extends DifferentialTest {

    private long changes(io.basalt.compat.harness.RawClient c) {
        for (String line : c.call("INFO", "persistence").string().split("\r\n")) {
            if (line.startsWith("rdb_changes_since_last_save:")) return Long.parseLong(line.substring(28));
        }
        throw new AssertionError("no rdb_changes_since_last_save");
    }

    @Test
    void noOpWritesCountNothing() {
        String[][] setup = {{"SET", "x", "1"}, {"LPUSH", "l", "a"}, {"SETBIT", "k", "7", "1"}, {"HSET", "h", "a", "1"}};
        String[][] cases = {
            {"SETBIT", "k", "7", "1"}, {"SETBIT", "k", "7", "0"}, {"BITFIELD", "k", "GET", "u8", "0"},
            {"SETRANGE", "k", "0", ""}, {"SETRANGE", "nokey", "0", ""}, {"PERSIST", "x"}, {"GETEX", "x", "PERSIST"},
            {"RENAME", "x", "x"}, {"GET", "x"}, {"SET", "x", "1"}, {"INCRBY", "x", "0"}, {"HSET", "h", "a", "1"},
            {"EXPIRE", "x", "100"}, {"LSET", "l", "0", "a"}, {"SADD", "s", "a"}, {"DEL", "nokey"}, {"DEL", "x"},
            {"EVAL", "redis.call('SET', 'x', '2') return redis.call('SETBIT', 'k', 7, 1)", "0"},
        };
        // (deltas, no SAVE: the shared servers must not leave a dump.rdb for later instances)
        for (String[] q : cases) {
            for (String[] s : setup) same(s);
            long r0 = changes(redis);
            long b0 = changes(basalt);
            same(q);
            assertEquals(changes(redis) - r0, changes(basalt) - b0, String.join(" ", q));
            same("FLUSHALL");
        }
        // a transaction counts its commands' changes once
        for (String[] s : setup) same(s);
        long r0 = changes(redis);
        long b0 = changes(basalt);
        same("MULTI");
        same("SET", "x", "3");
        same("SETBIT", "k", "7", "1");
        same("DEL", "h");
        same("EXEC");
        assertEquals(changes(redis) - r0, changes(basalt) - b0, "MULTI/EXEC");
    }
}
