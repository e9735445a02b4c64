package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sorted-set commands, byte for byte against redis-server 7.0, in RESP2 and RESP3. */
class ZSetCommandsTest extends DifferentialTest {

    @AfterEach
    void restoreLimits() {
        for (var c : new io.basalt.compat.harness.RawClient[]{redis, basalt}) {
            c.call("CONFIG", "SET", "zset-max-listpack-entries", "128");
            c.call("CONFIG", "SET", "zset-max-listpack-value", "64");
        }
    }

    /** ZSCAN of a skiplist (a dict scan in Redis: order is unspecified): same pairs, sorted. */
    private void sameScanContents(String key) {
        java.util.List<String> r = pairs(redis.call("ZSCAN", key, "0", "COUNT", "1000"));
        java.util.List<String> b = pairs(basalt.call("ZSCAN", key, "0", "COUNT", "1000"));
        org.junit.jupiter.api.Assertions.assertEquals(r, b, "ZSCAN " + key);
    }

    private static java.util.List<String> pairs(io.basalt.resp.RespValue v) {
        org.junit.jupiter.api.Assertions.assertEquals("0", v.get(0).string());
        java.util.List<String> out = new java.util.ArrayList<>();
        var items = v.get(1).elements();
        for (int i = 0; i < items.size(); i += 2) out.add(items.get(i).string() + "=" + items.get(i + 1).string());
        out.sort(null);
        return out;
    }

    private void fill() {
        same("ZADD", "z", "1", "a", "2", "b", "3", "c", "3", "d", "-1.5", "e", "inf", "f", "-inf", "g", "0.1", "h");
    }

    @Test
    void zaddOptionsAndErrors() {
        both(() -> {
            same("ZADD", "z", "1", "a");
            same("ZADD", "z", "1", "a", "2", "b");
            same("ZADD", "z", "CH", "5", "a", "2", "b", "3", "c");
            same("ZADD", "z", "NX", "9", "a", "9", "n");
            same("ZADD", "z", "XX", "9", "a", "9", "x");
            same("ZADD", "z", "XX", "CH", "10", "a", "9", "x");
            same("ZADD", "z", "GT", "CH", "1", "a", "20", "b");
            same("ZADD", "z", "LT", "CH", "1", "a", "30", "b", "7", "new");
            same("ZADD", "z", "XX", "GT", "100", "a");
            same("ZADD", "z", "INCR", "1.5", "a");
            same("ZADD", "z", "INCR", "1", "zz");
            same("ZADD", "z", "NX", "INCR", "1", "a");
            same("ZADD", "z", "XX", "INCR", "1", "nope");
            same("ZADD", "z", "GT", "INCR", "-1", "a");
            same("ZADD", "z", "LT", "INCR", "-1", "a");
            same("ZADD", "z", "INCR", "0", "a");
            same("ZADD", "z", "nx", "xx", "1", "a");
            same("ZADD", "z", "gt", "lt", "1", "a");
            same("ZADD", "z", "gt", "nx", "1", "a");
            same("ZADD", "z", "lt", "nx", "1", "a");
            same("ZADD", "z", "incr", "1", "a", "2", "b");
            same("ZADD", "z", "1");
            same("ZADD", "z", "ch");
            same("ZADD", "z", "nx", "1");
            same("ZADD", "z", "1", "a", "2");
            same("ZADD", "z", "nan", "a");
            same("ZADD", "z", "abc", "a");
            same("ZADD", "z", "", "a");
            same("ZADD", "z", " 1", "a");
            same("ZADD", "z", "1 ", "a");
            same("ZADD", "z", "1e400", "a");
            same("ZADD", "z", "1e-400", "a");
            same("ZADD", "z", "0x10", "hex", "+inf", "pinf", "-Infinity", "ninf", "1e3", "e3", ".5", "half", "5.", "five");
            same("ZADD", "z", "1", "a", "x", "b");
            same("ZADD", "z", "inf", "i1");
            same("ZADD", "z", "INCR", "-inf", "i1");
            same("ZSCORE", "z", "i1");
            same("ZRANGE", "z", "0", "-1", "WITHSCORES");
            same("ZADD", "missing", "XX", "1", "a");
            same("EXISTS", "missing");
            same("ZADD", "missing", "XX", "INCR", "1", "a");
            same("ZINCRBY", "z", "2.5", "a");
            same("ZINCRBY", "z", "2", "newone");
            same("ZINCRBY", "z", "x", "a");
            same("ZINCRBY", "z", "1");
            same("ZINCRBY", "z", "-inf", "pinf");
            same("ZINCRBY", "zi", "0.1", "m");
            same("ZINCRBY", "zi", "0.2", "m");
            same("ZSCORE", "zi", "m");
        });
    }

    @Test
    void basicReads() {
        both(() -> {
            fill();
            same("ZCARD", "z");
            same("ZCARD", "nokey");
            same("ZSCORE", "z", "a");
            same("ZSCORE", "z", "h");
            same("ZSCORE", "z", "f");
            same("ZSCORE", "z", "g");
            same("ZSCORE", "z", "nope");
            same("ZSCORE", "nokey", "a");
            same("ZMSCORE", "z", "a", "nope", "f");
            same("ZMSCORE", "nokey", "a", "b");
            same("ZMSCORE", "z");
            same("ZRANK", "z", "a");
            same("ZRANK", "z", "g");
            same("ZRANK", "z", "nope");
            same("ZRANK", "nokey", "a");
            same("ZREVRANK", "z", "a");
            same("ZREVRANK", "z", "f");
            same("ZREVRANK", "z", "nope");
            same("ZRANK", "z", "a", "WITHSCORE");
            same("ZCOUNT", "z", "-inf", "+inf");
            same("ZCOUNT", "z", "(1", "3");
            same("ZCOUNT", "z", "1", "(3");
            same("ZCOUNT", "z", "(3", "(3");
            same("ZCOUNT", "z", "3", "1");
            same("ZCOUNT", "z", "x", "1");
            same("ZCOUNT", "z", "1", "nan");
            same("ZCOUNT", "z", "", "(");
            same("ZCOUNT", "z", " 1", "1e999");
            same("ZCOUNT", "nokey", "0", "1");
            same("ZCOUNT", "nokey", "x", "1");
            same("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e");
            same("ZLEXCOUNT", "l", "-", "+");
            same("ZLEXCOUNT", "l", "[b", "(d");
            same("ZLEXCOUNT", "l", "(b", "[d");
            same("ZLEXCOUNT", "l", "+", "-");
            same("ZLEXCOUNT", "l", "[d", "[b");
            same("ZLEXCOUNT", "l", "b", "[d");
            same("ZLEXCOUNT", "l", "[b", "++");
            same("ZLEXCOUNT", "l", "", "+");
            same("ZLEXCOUNT", "nokey", "-", "+");
            same("ZREM", "z", "a", "nope", "b");
            same("ZREM", "z", "a");
            same("ZREM", "nokey", "a");
            same("ZREM", "l", "a", "b", "c", "d", "e");
            same("EXISTS", "l");
        });
    }

    @Test
    void ranges() {
        both(() -> {
            fill();
            same("ZRANGE", "z", "0", "-1");
            same("ZRANGE", "z", "0", "-1", "WITHSCORES");
            same("ZRANGE", "z", "2", "4", "withscores");
            same("ZRANGE", "z", "-3", "-1", "REV", "WITHSCORES");
            same("ZRANGE", "z", "5", "2");
            same("ZRANGE", "z", "-100", "100");
            same("ZRANGE", "z", "100", "200");
            same("ZRANGE", "z", "x", "1");
            same("ZRANGE", "z", "0", "1", "LIMIT", "0", "1");
            same("ZRANGE", "z", "0", "1", "LIMIT", "0", "-1");
            same("ZRANGE", "z", "0", "1", "REV", "REV");
            same("ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX");
            same("ZRANGE", "z", "0", "1", "FOO");
            same("ZRANGE", "z", "0", "3", "BYSCORE", "WITHSCORES");
            same("ZRANGE", "z", "(0", "+inf", "BYSCORE", "LIMIT", "1", "2");
            same("ZRANGE", "z", "(0", "+inf", "BYSCORE", "LIMIT", "-1", "2");
            same("ZRANGE", "z", "(0", "+inf", "BYSCORE", "LIMIT", "1", "-1");
            same("ZRANGE", "z", "+inf", "(0", "BYSCORE", "REV", "LIMIT", "1", "2", "WITHSCORES");
            same("ZRANGE", "z", "x", "1", "BYSCORE");
            same("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "x", "1");
            same("ZRANGE", "z", "0", "1", "BYSCORE", "LIMIT", "1");
            same("ZRANGE", "nokey", "0", "1");
            same("ZRANGE", "nokey", "x", "1", "BYSCORE");
            same("ZRANGEBYSCORE", "z", "-inf", "inf", "WITHSCORES");
            same("ZRANGEBYSCORE", "z", "(1", "(3", "LIMIT", "0", "1");
            same("ZRANGEBYSCORE", "z", "0", "1", "REV");
            same("ZRANGEBYSCORE", "z", "0", "1", "BYSCORE");
            same("ZREVRANGEBYSCORE", "z", "3", "1", "WITHSCORES");
            same("ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "2", "3");
            same("ZREVRANGEBYSCORE", "z", "1", "3");
            same("ZREVRANGE", "z", "0", "2", "WITHSCORES");
            same("ZREVRANGE", "z", "0", "2", "LIMIT", "0", "1");
            same("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e", "0", "bb");
            same("ZRANGE", "l", "[b", "(d", "BYLEX");
            same("ZRANGE", "l", "(d", "[b", "BYLEX", "REV");
            same("ZRANGE", "l", "-", "+", "BYLEX", "LIMIT", "1", "3");
            same("ZRANGE", "l", "-", "+", "BYLEX", "WITHSCORES");
            same("ZRANGEBYLEX", "l", "-", "+");
            same("ZRANGEBYLEX", "l", "[bb", "+", "LIMIT", "0", "2");
            same("ZRANGEBYLEX", "l", "a", "+");
            same("ZRANGEBYLEX", "l", "-", "+", "WITHSCORES");
            same("ZREVRANGEBYLEX", "l", "+", "-");
            same("ZREVRANGEBYLEX", "l", "+", "(b", "LIMIT", "1", "2");
            same("ZREVRANGEBYLEX", "l", "-", "+");
            same("ZRANGESTORE", "dst", "z", "0", "-1");
            same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
            same("ZRANGESTORE", "dst", "z", "(1", "+inf", "BYSCORE", "LIMIT", "0", "2");
            same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
            same("ZRANGESTORE", "dst", "l", "[c", "-", "BYLEX", "REV");
            same("ZRANGE", "dst", "0", "-1", "WITHSCORES");
            same("ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES");
            same("ZRANGESTORE", "dst", "z", "0", "-1", "LIMIT", "0", "1");
            same("ZRANGESTORE", "dst", "nokey", "0", "-1");
            same("EXISTS", "dst");
            same("SET", "str", "x");
            same("ZRANGESTORE", "str", "z", "0", "1");
            same("TYPE", "str");
            same("ZRANGESTORE", "dst", "z", "5", "1");
            same("EXISTS", "dst");
        });
    }

    @Test
    void removalsAndPops() {
        both(() -> {
            fill();
            same("ZREMRANGEBYRANK", "z", "0", "1");
            same("ZREMRANGEBYRANK", "z", "-1", "-1");
            same("ZREMRANGEBYRANK", "z", "5", "1");
            same("ZREMRANGEBYRANK", "z", "x", "1");
            same("ZREMRANGEBYRANK", "nokey", "0", "1");
            same("ZRANGE", "z", "0", "-1", "WITHSCORES");
            same("ZREMRANGEBYSCORE", "z", "(1", "3");
            same("ZREMRANGEBYSCORE", "z", "x", "3");
            same("ZREMRANGEBYSCORE", "z", "5", "3");
            same("ZRANGE", "z", "0", "-1", "WITHSCORES");
            same("ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d");
            same("ZREMRANGEBYLEX", "l", "(a", "[c");
            same("ZREMRANGEBYLEX", "l", "a", "[c");
            same("ZRANGE", "l", "0", "-1");
            same("ZREMRANGEBYLEX", "l", "-", "+");
            same("EXISTS", "l");
            same("ZREMRANGEBYRANK", "z", "0", "-1");
            same("EXISTS", "z");
            fill();
            same("ZPOPMIN", "z");
            same("ZPOPMAX", "z");
            same("ZPOPMIN", "z", "2");
            same("ZPOPMAX", "z", "1");
            same("ZPOPMIN", "z", "0");
            same("ZPOPMIN", "z", "-1");
            same("ZPOPMIN", "z", "x");
            same("ZPOPMIN", "z", "1", "2");
            same("ZPOPMIN", "nokey");
            same("ZPOPMIN", "nokey", "3");
            same("ZPOPMAX", "z", "100");
            same("EXISTS", "z");
            fill();
            same("ZMPOP", "2", "nokey", "z", "MIN");
            same("ZMPOP", "2", "nokey", "z", "MAX", "COUNT", "3");
            same("ZMPOP", "1", "z", "MIN", "COUNT", "100");
            same("ZMPOP", "1", "z", "MIN");
            same("ZMPOP", "0", "z", "MIN");
            same("ZMPOP", "x", "z", "MIN");
            same("ZMPOP", "1", "z", "MIDDLE");
            same("ZMPOP", "2", "z", "MIN");
            same("ZMPOP", "1", "z", "MIN", "COUNT", "0");
            same("ZMPOP", "1", "z", "MIN", "COUNT", "x");
            same("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1");
            same("ZMPOP", "1", "z", "MIN", "COUNT");
            same("ZMPOP", "9223372036854775807", "z", "MIN");
            same("ZMPOP", "5", "z", "MIN");
            same("ZMPOP", "-1", "z", "MIN");
            same("ZUNION", "9223372036854775807", "z");
            same("ZINTERCARD", "5", "z");
            same("ZDIFFSTORE", "d", "5", "z");
        });
    }

    @Test
    void typesAndKeys() {
        same("SET", "s", "v");
        same("ZADD", "s", "1", "a");
        same("ZCARD", "s");
        same("ZSCORE", "s", "a");
        same("ZRANGE", "s", "0", "-1");
        same("ZRANGESTORE", "d", "s", "0", "-1");
        same("ZPOPMIN", "s", "0");
        same("ZMPOP", "1", "s", "MIN");
        same("ZREMRANGEBYRANK", "s", "0", "1");
        same("ZREM", "s", "a");
        same("ZADD", "z", "1", "a", "2", "b");
        same("TYPE", "z");
        same("GET", "z");
        same("APPEND", "z", "x");
        same("OBJECT", "ENCODING", "z");
        same("RENAME", "z", "z2");
        same("ZRANGE", "z2", "0", "-1", "WITHSCORES");
        same("COPY", "z2", "z3");
        same("ZADD", "z3", "5", "c");
        same("ZRANGE", "z2", "0", "-1", "WITHSCORES");
        same("ZRANGE", "z3", "0", "-1", "WITHSCORES");
        same("MOVE", "z3", "1");
        same("SELECT", "1");
        same("ZRANGE", "z3", "0", "-1", "WITHSCORES");
        same("SELECT", "0");
        same("EXISTS", "z3");
        same("EXPIRE", "z2", "100");
        same("TTL", "z2");
        same("ZADD", "z2", "7", "q");
        same("TTL", "z2");
    }

    @Test
    void encodings() {
        for (var c : new io.basalt.compat.harness.RawClient[]{redis, basalt}) {
            c.call("CONFIG", "SET", "zset-max-listpack-entries", "3");
            c.call("CONFIG", "SET", "zset-max-listpack-value", "5");
        }
        same("ZADD", "a", "1", "x", "2", "x", "3", "x", "4", "x");
        same("OBJECT", "ENCODING", "a");
        same("ZADD", "a", "1", "y", "2", "z");
        same("OBJECT", "ENCODING", "a");
        same("ZADD", "a", "1", "w");
        same("OBJECT", "ENCODING", "a");
        same("ZRANGE", "a", "0", "-1", "WITHSCORES");
        same("ZREM", "a", "w", "x");
        same("OBJECT", "ENCODING", "a");
        same("ZADD", "b", "1", "123456");
        same("OBJECT", "ENCODING", "b");
        same("ZADD", "c", "1", "12345");
        same("OBJECT", "ENCODING", "c");
        same("ZADD", "c", "1", "123456");
        same("OBJECT", "ENCODING", "c");
        same("ZADD", "d", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e");
        same("OBJECT", "ENCODING", "d");
        same("ZRANGESTORE", "e", "d", "0", "1");
        same("OBJECT", "ENCODING", "e");
        same("ZRANGESTORE", "e", "d", "0", "-1");
        same("OBJECT", "ENCODING", "e");
        same("ZRANGESTORE", "e", "d", "-inf", "+inf", "BYSCORE", "LIMIT", "0", "2");
        same("OBJECT", "ENCODING", "e");
        same("ZRANGESTORE", "e", "d", "[a", "[b", "BYLEX");
        same("OBJECT", "ENCODING", "e");
        // every read and write path over the skiplist encoding
        same("ZRANK", "d", "c");
        same("ZREVRANK", "d", "c");
        same("ZCOUNT", "d", "(1", "4");
        same("ZLEXCOUNT", "d", "[b", "+");
        same("ZRANGE", "d", "1", "3", "REV", "WITHSCORES");
        same("ZRANGEBYSCORE", "d", "2", "+inf", "LIMIT", "1", "2");
        same("ZREVRANGEBYLEX", "d", "+", "[b");
        same("ZINCRBY", "d", "10", "a");
        same("ZRANGE", "d", "0", "-1", "WITHSCORES");
        same("ZREMRANGEBYSCORE", "d", "2", "3");
        same("ZPOPMAX", "d");
        same("ZRANGE", "d", "0", "-1", "WITHSCORES");
        same("OBJECT", "ENCODING", "d");
        for (var c : new io.basalt.compat.harness.RawClient[]{redis, basalt}) {
            c.call("CONFIG", "SET", "zset-max-listpack-entries", "0");
        }
        same("ZADD", "f", "1", "a", "-0", "negzero");
        same("OBJECT", "ENCODING", "f");
        same("ZSCORE", "f", "negzero");
        same("ZRANGE", "f", "0", "-1", "WITHSCORES");
        sameScanContents("f");
        for (var c : new io.basalt.compat.harness.RawClient[]{redis, basalt}) {
            c.call("CONFIG", "SET", "zset-max-listpack-entries", "128");
        }
        same("ZUNIONSTORE", "g", "1", "f");
        same("OBJECT", "ENCODING", "g");
        same("ZSCORE", "g", "negzero");
        same("ZADD", "h", "0", "m");
        same("ZUNION", "1", "h", "WEIGHTS", "-1", "WITHSCORES");
        same("ZADD", "h", "INCR", "-0", "n");
        same("ZSCORE", "h", "n");
        same("CONFIG", "GET", "zset-max-listpack-entries");
        same("CONFIG", "GET", "zset-max-ziplist-value");
    }

    @Test
    void largeSkiplist() {
        StringBuilder ignored = new StringBuilder();
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < 400; i++) {
            String m = "m" + r.nextInt(300);
            String s = Integer.toString(r.nextInt(50) - 25);
            same("ZADD", "big", s, m);
            if (i % 7 == 0) same("ZREM", "big", "m" + r.nextInt(300));
            if (i % 11 == 0) same("ZINCRBY", "big", "3", m);
        }
        same("OBJECT", "ENCODING", "big");
        same("ZRANGE", "big", "0", "-1", "WITHSCORES");
        same("ZRANGE", "big", "50", "80", "REV");
        same("ZRANGEBYSCORE", "big", "(-3", "10", "WITHSCORES", "LIMIT", "5", "20");
        same("ZREVRANGEBYSCORE", "big", "10", "(-3", "LIMIT", "5", "20");
        for (int i = 0; i < 300; i += 17) {
            same("ZRANK", "big", "m" + i);
            same("ZREVRANK", "big", "m" + i);
        }
        same("ZCOUNT", "big", "-5", "5");
        same("ZREMRANGEBYRANK", "big", "10", "30");
        same("ZPOPMIN", "big", "5");
        same("ZRANGE", "big", "0", "-1", "WITHSCORES");
        same("ZCARD", "big");
        sameScanContents("big");
    }

    @Test
    void algebra() {
        both(() -> {
            same("ZADD", "a", "1", "x", "2", "y", "3", "z");
            same("ZADD", "b", "10", "y", "20", "z", "30", "w", "inf", "i");
            same("ZADD", "c", "5", "z", "-inf", "i");
            same("ZUNION", "2", "a", "b");
            same("ZUNION", "2", "a", "b", "WITHSCORES");
            same("ZUNION", "3", "a", "b", "c", "WEIGHTS", "1", "2", "0", "WITHSCORES");
            same("ZUNION", "3", "a", "b", "c", "AGGREGATE", "MIN", "WITHSCORES");
            same("ZUNION", "3", "a", "b", "c", "AGGREGATE", "max", "WITHSCORES");
            same("ZUNION", "3", "a", "b", "c", "WITHSCORES");
            same("ZUNION", "2", "a", "nokey", "WITHSCORES");
            same("ZUNION", "1", "nokey");
            same("ZINTER", "2", "a", "b", "WITHSCORES");
            same("ZINTER", "3", "a", "b", "c", "WITHSCORES");
            same("ZINTER", "2", "b", "c", "WEIGHTS", "0", "1", "WITHSCORES");
            same("ZINTER", "2", "b", "c", "AGGREGATE", "MAX", "WITHSCORES");
            same("ZINTER", "2", "a", "a", "WITHSCORES");
            same("ZINTER", "2", "a", "nokey");
            same("ZDIFF", "2", "a", "b", "WITHSCORES");
            same("ZDIFF", "3", "b", "a", "c");
            same("ZDIFF", "1", "nokey");
            same("ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1");
            same("ZDIFF", "1", "a", "AGGREGATE", "SUM");
            same("ZUNION", "0", "a");
            same("ZUNION", "-1", "a");
            same("ZUNION", "x", "a");
            same("ZUNION", "3", "a", "b");
            same("ZUNION", "2", "a", "b", "WEIGHTS", "1");
            same("ZUNION", "2", "a", "b", "WEIGHTS", "1", "x");
            same("ZUNION", "2", "a", "b", "WEIGHTS", "1", "nan");
            same("ZUNION", "2", "a", "b", "AGGREGATE", "AVG");
            same("ZUNION", "2", "a", "b", "AGGREGATE");
            same("ZUNION", "2", "a", "b", "FOO");
            same("ZUNIONSTORE", "d", "3", "a", "b", "c", "WEIGHTS", "2", "1", "1");
            same("ZRANGE", "d", "0", "-1", "WITHSCORES");
            same("ZUNIONSTORE", "d", "1", "a", "WITHSCORES");
            same("ZINTERSTORE", "d", "2", "a", "b", "AGGREGATE", "MIN");
            same("ZRANGE", "d", "0", "-1", "WITHSCORES");
            same("ZINTERSTORE", "d", "2", "a", "nokey");
            same("EXISTS", "d");
            same("ZDIFFSTORE", "d", "2", "b", "a");
            same("ZRANGE", "d", "0", "-1", "WITHSCORES");
            same("ZDIFFSTORE", "d", "0", "a");
            same("ZDIFFSTORE", "a", "2", "a", "b");
            same("ZRANGE", "a", "0", "-1", "WITHSCORES");
            same("ZINTERCARD", "2", "b", "c");
            same("ZINTERCARD", "2", "b", "c", "LIMIT", "1");
            same("ZINTERCARD", "2", "b", "c", "LIMIT", "0");
            same("ZINTERCARD", "2", "b", "c", "LIMIT", "-1");
            same("ZINTERCARD", "2", "b", "c", "LIMIT", "x");
            same("ZINTERCARD", "2", "b", "c", "WEIGHTS", "1", "1");
            same("ZINTERCARD", "2", "b", "c", "WITHSCORES");
            same("ZINTERCARD", "0", "b");
            same("ZINTERCARD", "3", "b", "c");
            same("ZINTERCARD", "2", "b", "nokey");
            same("SET", "s", "v");
            same("ZUNION", "2", "a", "s");
            same("ZINTERCARD", "2", "nokey", "s");
            same("ZUNIONSTORE", "s", "1", "b");
            same("TYPE", "s");
            same("ZUNION", "2", "s", "s", "WEIGHTS", "inf", "0", "WITHSCORES");
        });
    }

    @Test
    void randAndScan() {
        both(() -> {
            same("ZADD", "z", "1", "a", "2", "b", "3", "c", "0.5", "d");
            same("ZRANDMEMBER", "z", "10");
            same("ZRANDMEMBER", "z", "4", "WITHSCORES");
            same("ZRANDMEMBER", "z", "0");
            same("ZRANDMEMBER", "nokey");
            same("ZRANDMEMBER", "nokey", "5");
            same("ZRANDMEMBER", "nokey", "-5", "WITHSCORES");
            same("ZRANDMEMBER", "z", "x");
            same("ZRANDMEMBER", "z", "-9223372036854775808");
            same("ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES");
            same("ZRANDMEMBER", "z", "1", "WITHSCORES", "x");
            same("ZRANDMEMBER", "z", "1", "x");
            same("SET", "s", "v");
            same("ZRANDMEMBER", "s");
            same("ZRANDMEMBER", "s", "0");
            same("ZSCAN", "s", "0");
            same("ZSCAN", "z", "0");
            same("ZSCAN", "z", "0", "MATCH", "[ab]", "COUNT", "100");
            same("ZSCAN", "z", "x");
            same("ZSCAN", "z", "0", "COUNT", "0");
            same("ZSCAN", "z", "0", "COUNT", "x");
            same("ZSCAN", "z", "0", "TYPE", "zset");
            same("ZSCAN", "z", "0", "MATCH");
            same("ZSCAN", "nokey", "0");
        });
        // random picks: shapes and membership, on Basalt alone
        for (int round = 0; round < 20; round++) {
            var one = basalt.call("ZRANDMEMBER", "z");
            org.junit.jupiter.api.Assertions.assertTrue(java.util.Set.of("a", "b", "c", "d").contains(one.string()));
            var two = basalt.call("ZRANDMEMBER", "z", "2", "WITHSCORES");
            org.junit.jupiter.api.Assertions.assertEquals(2, two.elements().size());
            org.junit.jupiter.api.Assertions.assertNotEquals(two.elements().get(0).elements().get(0).string(),
                    two.elements().get(1).elements().get(0).string());
            var rep = basalt.call("ZRANDMEMBER", "z", "-7");
            org.junit.jupiter.api.Assertions.assertEquals(7, rep.elements().size());
        }
    }

    @Test
    void scoreParsing() {
        both(() -> {
            String[] scores = {"-0", "+0", "0x1p3", "0X1.8P1", "0x", "0x.8", "1e308", "1e309", "-1e309", "4.9e-324",
                    "2e-324", "1e-400", "0e999", "1E+2", "1e", "1e+", ".", "-.5", "+.5e1", "infinity", "-INF", "Infinity1",
                    "nan", "-nan", "NaN(123)", "1_0", "12345678901234567890", "0.1", "1.7976931348623157e308",
                    "123456789.123456789", "00012", "1\t", "\t1", "5d", "5f"};
            for (String sc : scores) {
                String v = sc.replace("\\t", "\t");
                same("ZADD", "p", v, "m");
                same("ZSCORE", "p", "m");
                same("ZCOUNT", "p", v, "+inf");
                same("ZCOUNT", "p", "(" + v, "+inf");
                same("ZRANGEBYSCORE", "p", "-inf", v, "WITHSCORES");
            }
            same("ZADD", "q", "1", "a", "2", "b");
            same("ZCOUNT", "q", "(", "(");
            same("ZCOUNT", "q", "((1", "2");
            same("ZCOUNT", "q", " 1", "\t2");
            same("ZCOUNT", "q", "(inf", "inf");
            same("ZCOUNT", "q", "-inf", "(-inf");
            same(new byte[][]{"ZCOUNT".getBytes(), "q".getBytes(), "1\u0000junk".getBytes(), "2".getBytes()});
            same(new byte[][]{"ZADD".getBytes(), "q".getBytes(), "1\u0000".getBytes(), "c".getBytes()});
            same(new byte[][]{"ZADD".getBytes(), "q".getBytes(), "3".getBytes(), new byte[]{0, (byte) 0xff, 'x'}});
            same("ZRANGE", "q", "0", "-1", "WITHSCORES");
            same("ZUNION", "1", "q", "WEIGHTS", "0x10", "WITHSCORES");
            same("ZUNION", "1", "q", "WEIGHTS", " 1");
        });
    }
}
