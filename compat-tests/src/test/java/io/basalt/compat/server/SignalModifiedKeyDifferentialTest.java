package io.basalt.compat.server;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Where write commands call {@code signalModifiedKey}, seen through WATCH against redis-server
 * 7.0: a key is watched, another client runs one command, and the watcher's EXEC runs or fails
 * the same on both servers. This covers what keyspace notifications cannot show: the commands
 * that signal without publishing anything, and the no-ops that must not signal.
 */
class SignalModifiedKeyDifferentialTest extends DifferentialTest {
    /**
     * Runs {@code setup} on both, WATCHes {@code watched}, lets the other client run
     * {@code write}, then compares the watcher's EXEC.
     */
    private void watch(String[] setup, String watched, String... write) {
        same("FLUSHALL");
        for (String s : setup) same(s.split(" "));
        same("WATCH", watched);
        String r = redis2().call(write).rawString();
        String b = basalt2().call(write).rawString();
        assertEquals(r, b, () -> "reply to " + String.join(" ", write));
        same("MULTI");
        same("PING");
        same("EXEC");
    }

    private static String[] given(String... setup) { return setup; }

    @Test
    void strings() {
        watch(given("SET k v"), "k", "SET", "k", "v");
        watch(given("SET k v"), "k", "SET", "k", "w", "NX");
        watch(given(), "k", "SET", "k", "w", "XX");
        watch(given("SET k v"), "k", "SETNX", "k", "w");
        watch(given("SET k v"), "k", "GETDEL", "k");
        watch(given(), "k", "GETDEL", "k");
        watch(given("SET k v"), "k", "GETEX", "k");
        watch(given("SET k v"), "k", "GETEX", "k", "PERSIST");
        watch(given("SET k v EX 100"), "k", "GETEX", "k", "PERSIST");
        watch(given("SET k v"), "k", "GETEX", "k", "EX", "100");
        watch(given("SET k v"), "k", "GET", "k");
        watch(given("SET k v"), "k", "APPEND", "k", "");
        watch(given("SET k v"), "k", "SETRANGE", "k", "0", "");
        watch(given(), "k", "SETRANGE", "k", "0", "");
        watch(given("SET k v"), "k", "SETRANGE", "k", "0", "v");
        watch(given("SET k 1"), "k", "INCRBY", "k", "0");
        watch(given("SET k 1"), "k", "INCRBYFLOAT", "k", "0");
        watch(given("SET k x"), "k", "INCR", "k");
        watch(given("SET k v"), "k", "MSETNX", "k", "1", "j", "2");
        watch(given(), "j", "MSETNX", "k", "1", "j", "2");
        watch(given(), "k", "MSET", "k", "1");
    }

    @Test
    void bits() {
        watch(given("SETBIT k 7 1"), "k", "SETBIT", "k", "7", "1");
        watch(given("SETBIT k 7 1"), "k", "SETBIT", "k", "7", "0");
        watch(given("SETBIT k 7 1"), "k", "SETBIT", "k", "100", "0");
        watch(given("SETBIT k 7 1"), "k", "BITFIELD", "k", "SET", "u8", "0", "1");
        watch(given("SETBIT k 7 1"), "k", "BITFIELD", "k", "SET", "u8", "0", "2");
        watch(given("SETBIT k 7 1"), "k", "BITFIELD", "k", "GET", "u8", "0");
        watch(given("SETBIT k 7 1"), "k", "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "6", "9");
        watch(given(), "k", "BITOP", "OR", "k", "a", "b");
        watch(given("SET k v"), "k", "BITOP", "OR", "k", "a", "b");
        watch(given("SET a v"), "k", "BITOP", "OR", "k", "a", "b");
    }

    /**
     * PFCOUNT signals when it caches a new cardinality (the value changed) and not when it reads
     * the cache; PFDEBUG's conversions to dense do not signal at all.
     */
    @Test
    void hyperLogLogs() {
        watch(given("PFADD k a"), "k", "PFADD", "k", "a");
        watch(given("PFADD k a"), "k", "PFADD", "k", "b");
        watch(given(), "k", "PFADD", "k");
        watch(given("PFADD k a"), "k", "PFCOUNT", "k");
        watch(given("PFADD k a", "PFCOUNT k"), "k", "PFCOUNT", "k");
        watch(given("PFADD k a"), "k", "PFCOUNT", "k", "j");
        watch(given("PFADD k a"), "k", "PFMERGE", "k");
        watch(given("PFADD j a"), "k", "PFMERGE", "k", "j");
        watch(given("PFADD k a"), "k", "PFDEBUG", "TODENSE", "k");
        watch(given("PFADD k a"), "k", "PFDEBUG", "GETREG", "k");
        watch(given("SET k x"), "k", "PFADD", "k", "a");
    }

    @Test
    void keys() {
        watch(given(), "k", "DEL", "k");
        watch(given("SET k v"), "k", "UNLINK", "k");
        watch(given("SET k v"), "k", "EXPIRE", "k", "100");
        watch(given("SET k v EX 100"), "k", "EXPIRE", "k", "100", "NX");
        watch(given("SET k v"), "k", "EXPIRE", "k", "-1");
        watch(given("SET k v"), "k", "PERSIST", "k");
        watch(given("SET k v EX 100"), "k", "PERSIST", "k");
        watch(given("SET k v"), "k", "RENAME", "k", "k");
        watch(given("SET k v"), "k", "RENAME", "k", "j");
        watch(given("SET k v"), "j", "RENAME", "k", "j");
        watch(given("SET k v", "SET j w"), "k", "RENAMENX", "k", "j");
        watch(given("SET k v"), "k", "MOVE", "k", "1");
        watch(given("SET k v"), "k", "COPY", "k", "j");
        watch(given("SET k v"), "j", "COPY", "k", "j");
        watch(given("SET k v", "SET j w"), "j", "COPY", "k", "j");
        watch(given("SET k v", "SET j w"), "j", "COPY", "k", "j", "REPLACE");
        watch(given("SET k v"), "k", "TOUCH", "k");
        watch(given("SET k v"), "k", "OBJECT", "ENCODING", "k");
    }

    @Test
    void moveAndCopySignalTheOtherDatabase() {
        same("FLUSHALL");
        same("SELECT", "1");
        same("WATCH", "k");
        redis2().call("SET", "k", "v");
        basalt2().call("SET", "k", "v");
        redis2().call("MOVE", "k", "1");
        basalt2().call("MOVE", "k", "1");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"));
        same("WATCH", "c");
        redis2().call("COPY", "k", "c", "DB", "1");
        basalt2().call("COPY", "k", "c", "DB", "1");
        sameAll(cmd("MULTI"), cmd("PING"), cmd("EXEC"), cmd("SELECT", "0"));
    }

    @Test
    void hashes() {
        watch(given("HSET h f v"), "h", "HSET", "h", "f", "v");
        watch(given("HSET h f v"), "h", "HSETNX", "h", "f", "w");
        watch(given("HSET h f v"), "h", "HSETNX", "h", "g", "w");
        watch(given("HSET h f v"), "h", "HDEL", "h", "nofield");
        watch(given("HSET h f v"), "h", "HDEL", "h", "f");
        watch(given("HSET h f 1"), "h", "HINCRBY", "h", "f", "0");
        watch(given("HSET h f 1"), "h", "HINCRBYFLOAT", "h", "f", "0");
        watch(given("HSET h f v"), "h", "HGETALL", "h");
    }

    @Test
    void lists() {
        watch(given("RPUSH l a b c"), "l", "LPUSHX", "l", "x");
        watch(given(), "l", "LPUSHX", "l", "x");
        watch(given("RPUSH l a b c"), "l", "LPOP", "l", "0");
        watch(given("RPUSH l a b c"), "l", "RPOP", "l");
        watch(given("RPUSH l a b c"), "l", "LSET", "l", "0", "a");
        watch(given("RPUSH l a b c"), "l", "LTRIM", "l", "0", "-1");
        watch(given("RPUSH l a b c"), "l", "LREM", "l", "0", "x");
        watch(given("RPUSH l a b c"), "l", "LREM", "l", "0", "a");
        watch(given("RPUSH l a b c"), "l", "LINSERT", "l", "BEFORE", "x", "y");
        watch(given("RPUSH l a b c"), "l", "LINSERT", "l", "BEFORE", "a", "y");
        watch(given("RPUSH l a b c"), "l", "LMOVE", "l", "l", "LEFT", "RIGHT");
        watch(given("RPUSH l a b c"), "d", "LMOVE", "l", "d", "LEFT", "RIGHT");
        watch(given("RPUSH l a b c"), "l", "LMPOP", "1", "l", "LEFT");
        watch(given("RPUSH l a b c"), "l", "BLPOP", "l", "0");
        watch(given("RPUSH l a b c"), "d", "BLMOVE", "l", "d", "LEFT", "RIGHT", "0");
        watch(given("RPUSH l a b c"), "l", "LRANGE", "l", "0", "-1");
    }

    @Test
    void sets() {
        watch(given("SADD s a b"), "s", "SADD", "s", "a");
        watch(given("SADD s a b"), "s", "SADD", "s", "c");
        watch(given("SADD s a b"), "s", "SREM", "s", "x");
        watch(given("SADD s a b"), "s", "SREM", "s", "a");
        watch(given("SADD s a b"), "s", "SPOP", "s", "0");
        // (an intset: SPOP of the whole set replies in a defined order)
        watch(given("SADD s 1 2"), "s", "SPOP", "s", "5");
        watch(given("SADD s a b"), "s", "SMOVE", "s", "s", "a");
        watch(given("SADD s a b", "SADD t a"), "t", "SMOVE", "s", "t", "a");
        watch(given("SADD s a b", "SADD t a"), "s", "SMOVE", "s", "t", "a");
        watch(given("SADD s a b"), "t", "SMOVE", "s", "t", "a");
        watch(given("SADD s a b"), "d", "SINTERSTORE", "d", "s", "nokey");
        watch(given("SADD s a b", "SET d x"), "d", "SINTERSTORE", "d", "s", "nokey");
        watch(given("SADD s a b"), "d", "SUNIONSTORE", "d", "s");
        watch(given("SADD s a b"), "d", "SDIFFSTORE", "d", "s", "s");
    }

    @Test
    void sortedSets() {
        watch(given("ZADD z 1 a"), "z", "ZADD", "z", "1", "a");
        watch(given("ZADD z 1 a"), "z", "ZADD", "z", "2", "a");
        watch(given("ZADD z 1 a"), "z", "ZADD", "z", "XX", "1", "b");
        watch(given("ZADD z 1 a"), "z", "ZINCRBY", "z", "0", "a");
        watch(given("ZADD z 1 a"), "z", "ZINCRBY", "z", "1", "a");
        watch(given("ZADD z 1 a"), "z", "ZREM", "z", "b");
        watch(given("ZADD z 1 a 2 b"), "z", "ZREMRANGEBYSCORE", "z", "5", "6");
        watch(given("ZADD z 1 a 2 b"), "z", "ZREMRANGEBYRANK", "z", "0", "0");
        watch(given("ZADD z 1 a 2 b"), "z", "ZPOPMIN", "z", "0");
        watch(given("ZADD z 1 a 2 b"), "z", "ZPOPMAX", "z");
        watch(given("ZADD z 1 a 2 b"), "z", "BZPOPMIN", "z", "0");
        watch(given("ZADD z 1 a 2 b"), "d", "ZUNIONSTORE", "d", "1", "z");
        watch(given("ZADD z 1 a 2 b"), "d", "ZINTERSTORE", "d", "2", "z", "nokey");
        watch(given("ZADD z 1 a 2 b", "SET d x"), "d", "ZINTERSTORE", "d", "2", "z", "nokey");
        watch(given("ZADD z 1 a 2 b"), "d", "ZRANGESTORE", "d", "z", "0", "-1");
        watch(given("ZADD z 1 a 2 b"), "d", "ZRANGESTORE", "d", "z", "5", "6");
    }

    @Test
    void sortStore() {
        watch(given("RPUSH l 2 1"), "d", "SORT", "l", "STORE", "d");
        watch(given(), "d", "SORT", "l", "STORE", "d");
        watch(given("SET d x"), "d", "SORT", "l", "STORE", "d");
        watch(given("RPUSH l 2 1"), "l", "SORT", "l");
    }
}
