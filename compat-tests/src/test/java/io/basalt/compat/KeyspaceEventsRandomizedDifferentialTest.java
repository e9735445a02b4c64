package io.basalt.compat;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.Lockstep;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random write and read commands of every family over a handful of keys (so keys are
 * created, change type, expire, empty out and get deleted) sent to redis-server and Basalt in
 * lockstep with notify-keyspace-events fully on and a PSUBSCRIBEd connection on each; replies
 * must be byte-identical, and every batch of commands must publish the same keyspace events.
 *
 * <p>Replay: {@code -Dtest=KeyspaceEventsRandomizedDifferentialTest -Dbasalt.seed=N}; longer
 * runs with {@code -Dbasalt.fuzz.ops=100000}.
 */
class KeyspaceEventsRandomizedDifferentialTest {
    private static final String END = "__keyspace@8__:__end__";
    private static final String[] KEYS = {"k1", "k2", "k3", "{k}4"};
    private static final String[] VALUES = {"a", "b", "c", "1", "2", "-3", "1.5", ""};
    private static final int BATCH = 40;

    private Random rnd;

    @Test
    void lockstepEveryClass() throws InterruptedException { run("AKEnm", false); }

    @Test
    void lockstepSelectiveClassesResp3() throws InterruptedException { run("Kl$xgn", true); }

    /**
     * RESP3 connections subscribed to their own events: each command's replies and push frames,
     * in the order they arrive, must be the same (Redis 7.0 writes some notifications before a
     * reply, some after, and a few between an array's header and its elements).
     */
    @Test
    void lockstepOwnEventsResp3() throws InterruptedException {
        long seed = Long.getLong("basalt.seed", System.nanoTime());
        int ops = Integer.getInteger("basalt.fuzz.ops", 3000);
        rnd = new Random(seed);
        List<String> history = new ArrayList<>();
        try (RawClient redis = new RawClient(RedisServerProcess.shared().port());
             RawClient basalt = new RawClient(BasaltInstance.shared().port())) {
            try {
                for (RawClient c : new RawClient[] {redis, basalt}) {
                    c.call("HELLO", "3");
                    c.call("SELECT", "9");
                    c.call("FLUSHDB");
                    c.call("SELECT", "8");
                    c.call("FLUSHDB");
                    c.call("CONFIG", "SET", "notify-keyspace-events", "AKEnm");
                    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
                    c.call("PSUBSCRIBE", "__key*__:*");
                }
                for (int i = 0; i < ops; i++) {
                    String[] cmd = next();
                    history.add(String.join(" ", cmd));
                    List<String> r = framesOf(redis, cmd);
                    List<String> b = framesOf(basalt, cmd);
                    // SPOP of a whole set replies in the set's own order, which may differ
                    if (!cmd[0].equals("SPOP") && !r.equals(b)) {
                        int from = Math.max(0, history.size() - 25);
                        fail("frames diverge with seed " + seed + " at op " + i + ": " + String.join(" ", cmd)
                                + "\n redis : " + String.join("\n         ", r)
                                + "\n basalt: " + String.join("\n         ", b)
                                + "\n last commands:\n  " + String.join("\n  ", history.subList(from, history.size()))
                                + "\n replay with -Dbasalt.seed=" + seed);
                    }
                    long wait = shortExpiry - System.currentTimeMillis();
                    if (wait >= 0) Thread.sleep(wait + 1);
                }
            } finally {
                for (RawClient c : new RawClient[] {redis, basalt}) {
                    c.call("PUNSUBSCRIBE");
                    c.call("CONFIG", "SET", "notify-keyspace-events", "");
                    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
                    c.call("SLOWLOG", "RESET");
                }
            }
        }
    }

    /** Sends the command and a PING marker; returns every frame that arrived before the marker's reply. */
    private static List<String> framesOf(RawClient c, String[] cmd) {
        c.send(cmd);
        c.send("PING", "end");
        List<String> frames = new ArrayList<>();
        while (true) {
            RespValue v = c.read();
            if ("end".equals(v.string()) && v.type() == '$') return frames;
            frames.add(v.rawString().replace("\r\n", " "));
        }
    }

    private void run(String flags, boolean resp3) throws InterruptedException {
        long seed = Long.getLong("basalt.seed", System.nanoTime());
        int ops = Integer.getInteger("basalt.fuzz.ops", 3000);
        rnd = new Random(seed);
        List<String> history = new ArrayList<>();
        try (RawClient redis = new RawClient(RedisServerProcess.shared().port());
             RawClient basalt = new RawClient(BasaltInstance.shared().port());
             RawClient redisSub = new RawClient(RedisServerProcess.shared().port());
             RawClient basaltSub = new RawClient(BasaltInstance.shared().port())) {
            try {
                for (RawClient c : new RawClient[] {redis, basalt}) {
                    c.call("SELECT", "9");
                    c.call("FLUSHDB");
                    c.call("SELECT", "8");
                    c.call("FLUSHDB");
                    c.call("CONFIG", "SET", "notify-keyspace-events", flags);
                    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0");
                }
                for (RawClient s : new RawClient[] {redisSub, basaltSub}) {
                    if (resp3) s.call("HELLO", "3");
                    s.call("PSUBSCRIBE", "__key*__:*");
                }
                for (int i = 0; i < ops; i++) {
                    String[] cmd = next();
                    history.add(String.join(" ", cmd));
                    RespValue r = redis.call(cmd);
                    RespValue b = basalt.call(cmd);
                    // SPOP of a whole set replies in the set's own order, which may differ
                    boolean unordered = cmd[0].equals("SPOP") && !r.isError();
                    if (!unordered && !r.rawString().equals(b.rawString())) {
                        Lockstep.diverged(" (" + flags + ")", seed, ops, i, cmd, r, b, history);
                    }
                    long wait = shortExpiry - System.currentTimeMillis();
                    if (wait >= 0) Thread.sleep(wait + 1);
                    if (i % BATCH == BATCH - 1 || i == ops - 1) compareEvents(redis, basalt, redisSub, basaltSub, seed, i, history);
                }
            } finally {
                for (RawClient c : new RawClient[] {redis, basalt}) {
                    c.call("CONFIG", "SET", "notify-keyspace-events", "");
                    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
                    // thousands of commands leave slow-log entries (JIT, GC) the next test must not see
                    c.call("SLOWLOG", "RESET");
                }
            }
        }
    }

    private static void compareEvents(RawClient redis, RawClient basalt, RawClient redisSub, RawClient basaltSub,
                                      long seed, int op, List<String> history) {
        redis.call("PUBLISH", END, "end");
        basalt.call("PUBLISH", END, "end");
        List<String> e = drain(redisSub);
        List<String> a = drain(basaltSub);
        if (!e.equals(a)) {
            int from = Math.max(0, history.size() - BATCH);
            fail("keyspace events diverge with seed " + seed + " in the batch ending at op " + op
                    + "\n commands:\n  " + String.join("\n  ", history.subList(from, history.size()))
                    + "\n redis : " + String.join("\n         ", e)
                    + "\n basalt: " + String.join("\n         ", a)
                    + "\n replay with -Dbasalt.seed=" + seed);
        }
        assertEquals(e, a);
    }

    private static List<String> drain(RawClient sub) {
        List<String> frames = new ArrayList<>();
        while (true) {
            RespValue v = sub.read();
            if (v.size() == 4 && END.equals(v.get(2).string())) return frames;
            frames.add(v.get(2).string() + " " + v.get(3).string());
        }
    }

    private String key() { return KEYS[rnd.nextInt(KEYS.length)]; }

    private String val() { return VALUES[rnd.nextInt(VALUES.length)]; }

    private String num(int lo, int hi) { return Integer.toString(lo + rnd.nextInt(hi - lo + 1)); }

    private static final long SHORT = 15;
    /** A fixed expiry far away, for the NX/XX/GT/LT comparisons (relative times would race). */
    private static final long FAR = System.currentTimeMillis() + 10_000_000;

    /**
     * An absolute expiry in ms: soon (the same instant for both servers; the runner waits until
     * it has passed before the next command, and active expiry is off, so both servers reap the
     * key lazily at the same later command) or far away. Relative times would race: the servers
     * receive the command at different moments.
     */
    private String at() {
        long now = System.currentTimeMillis();
        if (rnd.nextBoolean()) {
            shortExpiry = now + SHORT;
            return Long.toString(shortExpiry);
        }
        return Long.toString(now + 1_000_000);
    }

    private long shortExpiry;

    private String side() { return rnd.nextBoolean() ? "LEFT" : "RIGHT"; }

    private String[] next() {
        String k = key();
        switch (rnd.nextInt(86)) {
            // strings
            case 0: return new String[] {"SET", k, val()};
            case 1: return new String[] {"SET", k, val(), rnd.nextBoolean() ? "NX" : "XX"};
            case 2: return new String[] {"SET", k, val(), "PXAT", at(), "GET"};
            case 3: return new String[] {"SET", k, val(), "KEEPTTL"};
            case 4: return new String[] {"GETSET", k, val()};
            case 5: return new String[] {"GETDEL", k};
            case 6: return rnd.nextBoolean() ? new String[] {"GETEX", k, "PXAT", at()} : new String[] {"GETEX", k, "PERSIST"};
            case 7: return new String[] {"MSET", k, val(), key(), val()};
            case 8: return new String[] {"MSETNX", k, val(), key(), val()};
            case 9: return new String[] {"APPEND", k, val()};
            case 10: return new String[] {"SETRANGE", k, num(0, 5), val()};
            case 11: return new String[] {"INCRBY", k, num(-3, 3)};
            case 12: return new String[] {"INCRBYFLOAT", k, "0.5"};
            case 13: return new String[] {"GET", k};
            case 14: return new String[] {"SETBIT", k, num(0, 20), num(0, 1)};
            case 15: return new String[] {"BITOP", "OR", k, key(), key()};
            case 16: return new String[] {"BITFIELD", k, "SET", "u4", num(0, 12), num(0, 15)};
            case 17: return new String[] {"SETEX", k, "100", val()};
            // generic
            case 18: return new String[] {"DEL", k, key()};
            case 19: return new String[] {"UNLINK", k};
            case 20: return new String[] {"EXISTS", k};
            case 21: return rnd.nextInt(4) == 0 ? new String[] {"PEXPIRE", k, num(-5, 0)} : new String[] {"PEXPIREAT", k, at()};
            case 22: return new String[] {"PEXPIREAT", k, Long.toString(FAR + rnd.nextInt(3)),
                    new String[] {"GT", "LT", "NX", "XX"}[rnd.nextInt(4)]};
            case 23: return new String[] {"PERSIST", k};
            case 24: return new String[] {"RENAME", k, key()};
            case 25: return new String[] {"RENAMENX", k, key()};
            case 26: return new String[] {"COPY", k, key(), "REPLACE"};
            case 27: return new String[] {"TYPE", k};
            case 28: return new String[] {"MOVE", k, "9"};
            // lists
            case 29: return new String[] {"LPUSH", k, val(), val()};
            case 30: return new String[] {"RPUSHX", k, val()};
            case 31: return new String[] {"LPOP", k};
            case 32: return new String[] {"RPOP", k, num(0, 3)};
            case 33: return new String[] {"LMOVE", k, key(), side(), side()};
            case 34: return new String[] {"LREM", k, num(-2, 2), val()};
            case 35: return new String[] {"LTRIM", k, num(-3, 2), num(-3, 2)};
            case 36: return new String[] {"LSET", k, num(-2, 2), val()};
            case 37: return new String[] {"LINSERT", k, "BEFORE", val(), val()};
            case 38: return new String[] {"LMPOP", "2", k, key(), side(), "COUNT", num(1, 3)};
            case 39: return new String[] {"BLPOP", k, key(), "0.01"};
            case 40: return new String[] {"LRANGE", k, "0", "-1"};
            // hashes
            case 41: return new String[] {"HSET", k, val(), val()};
            case 42: return new String[] {"HSETNX", k, val(), val()};
            case 43: return new String[] {"HDEL", k, val(), val()};
            case 44: return new String[] {"HINCRBY", k, val(), num(-2, 2)};
            case 45: return new String[] {"HINCRBYFLOAT", k, val(), "1.5"};
            case 46: return new String[] {"HGET", k, val()};
            // sets
            case 47: return new String[] {"SADD", k, val(), val()};
            case 48: return new String[] {"SREM", k, val(), val()};
            case 49: return new String[] {"SMOVE", k, key(), val()};
            case 50: return new String[] {"SINTERSTORE", k, key(), key()};
            case 51: return new String[] {"SUNIONSTORE", k, key(), key()};
            case 52: return new String[] {"SDIFFSTORE", k, key(), key()};
            case 53: return new String[] {"SCARD", k};
            case 54: return new String[] {"SPOP", k, "10"};
            // sorted sets
            case 55: return new String[] {"ZADD", k, num(0, 5), val()};
            case 56: return new String[] {"ZADD", k, rnd.nextBoolean() ? "GT" : "XX", "CH", num(0, 5), val()};
            case 57: return new String[] {"ZINCRBY", k, num(-1, 1), val()};
            case 58: return new String[] {"ZREM", k, val(), val()};
            case 59: return new String[] {"ZREMRANGEBYRANK", k, num(-2, 1), num(-1, 2)};
            case 60: return new String[] {"ZREMRANGEBYSCORE", k, num(0, 3), num(2, 5)};
            // (no ZREMRANGEBYLEX: over members of different scores its result is unspecified)
            case 61: return new String[] {"ZADD", k, "NX", "0", val()};
            case 62: return new String[] {rnd.nextBoolean() ? "ZPOPMIN" : "ZPOPMAX", k, num(1, 3)};
            case 63: return new String[] {"ZMPOP", "2", k, key(), rnd.nextBoolean() ? "MIN" : "MAX"};
            case 64: return new String[] {"ZUNIONSTORE", k, "2", key(), key()};
            case 65: return new String[] {"ZINTERSTORE", k, "2", key(), key()};
            case 66: return new String[] {"ZDIFFSTORE", k, "2", key(), key()};
            case 67: return new String[] {"ZRANGESTORE", k, key(), num(0, 1), num(-1, 2)};
            case 68: return new String[] {"BZPOPMIN", k, key(), "0.01"};
            case 69: return new String[] {"ZSCORE", k, val()};
            // SORT
            case 70: return new String[] {"SORT", k, "ALPHA", "STORE", key()};
            case 71: return new String[] {"SORT", k, "ALPHA", "GET", "#", "GET", "*"};
            // more of the same families, and whole-database commands
            case 72: return new String[] {"SETNX", k, val()};
            case 73: return new String[] {"PSETEX", k, "100000", val()};
            case 74: return new String[] {"HMSET", k, val(), val(), val(), val()};
            case 75: return new String[] {"RPOPLPUSH", k, key()};
            case 76: return new String[] {"BLMOVE", k, key(), side(), side(), "0.01"};
            case 77: return new String[] {"BLMPOP", "0.01", "2", k, key(), side(), "COUNT", "2"};
            case 78: return new String[] {"BZMPOP", "0.01", "2", k, key(), "MIN", "COUNT", "2"};
            case 79: return new String[] {"LINSERT", k, "AFTER", val(), val()};
            case 80: return new String[] {"COPY", k, key(), "DB", "9"};
            case 81: return new String[] {"SWAPDB", "8", "9"};
            case 82: return rnd.nextInt(10) == 0 ? new String[] {"FLUSHDB"} : new String[] {"DBSIZE"};
            case 83: return new String[] {"GETRANGE", k, "0", "-1"};
            case 84: return new String[] {"ZRANGEBYSCORE", k, "-inf", "+inf"};
            default: return new String[] {"BITFIELD", k, "OVERFLOW", "FAIL", "INCRBY", "u2", num(0, 6), num(-3, 3)};
        }
    }
}
