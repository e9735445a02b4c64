package io.basalt.compat.server;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.compat.harness.RedisServerProcess;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Keyspace notifications ({@code notify-keyspace-events}) against redis-server 7.0: a subscriber
 * on each server PSUBSCRIBEd to {@code __key*__:*} while the same commands run on both; the
 * complete streams of messages they receive (every frame, byte for byte, in order) must match.
 * This checks the event names, their order within a command, the commands that emit nothing
 * (no-ops and errors) and the class filtering of each flag.
 */
class KeyspaceNotificationsDifferentialTest extends DifferentialTest {
    private static final String END = "__keyspace@0__:__end__";

    private RawClient redisSub;
    private RawClient basaltSub;

    @AfterEach
    void reset() {
        if (redisSub != null) redisSub.close();
        if (basaltSub != null) basaltSub.close();
        // the servers are shared with other test classes
        for (RawClient c : List.of(redis, basalt)) {
            c.call("CONFIG", "SET", "notify-keyspace-events", "");
            c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1");
            c.call("SELECT", "0");
        }
    }

    /** Sets the flags on both servers and subscribes one connection on each to every event. */
    private void subscribe(String flags, boolean resp3) {
        if (redisSub != null) redisSub.close();
        if (basaltSub != null) basaltSub.close();
        same("CONFIG", "SET", "notify-keyspace-events", flags);
        redisSub = new RawClient(RedisServerProcess.shared().port());
        basaltSub = new RawClient(BasaltInstance.shared().port());
        for (RawClient s : List.of(redisSub, basaltSub)) {
            if (resp3) s.call("HELLO", "3");
        }
        RespValue r = redisSub.call("PSUBSCRIBE", "__key*__:*");
        RespValue b = basaltSub.call("PSUBSCRIBE", "__key*__:*");
        assertEquals(r.rawString(), b.rawString(), "PSUBSCRIBE reply");
    }

    private void subscribe(String flags) {
        subscribe(flags, false);
    }

    /**
     * Publishes an end marker on both servers and compares everything each subscriber received
     * up to it.
     */
    private void sameEvents() {
        redis.call("PUBLISH", END, "end");
        basalt.call("PUBLISH", END, "end");
        List<String> expected = drain(redisSub);
        List<String> actual = drain(basaltSub);
        assertFalse(expected.isEmpty(), "every scenario publishes something");
        assertEquals(String.join("\n", expected), String.join("\n", actual), "keyspace events");
    }

    private static List<String> drain(RawClient sub) {
        List<String> frames = new ArrayList<>();
        while (true) {
            RespValue v = sub.read();
            if (v.size() == 4 && END.equals(v.get(2).string())) return frames;
            // readable in a failure message: one frame per line
            frames.add(v.rawString().replace("\r\n", " "));
        }
    }

    /**
     * Runs the commands on both servers under {@code flags}, then compares the events. Replies
     * are compared too, except for commands marked with a leading '~' (random replies).
     */
    private void events(String flags, String[]... cmds) {
        subscribe(flags);
        for (String[] c : cmds) {
            if (c[0].startsWith("~")) {
                String[] real = c.clone();
                real[0] = c[0].substring(1);
                redis.call(real);
                basalt.call(real);
            } else {
                same(c);
            }
        }
        sameEvents();
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void configSetAndGetNormalizeLikeRedis() {
        for (String v : new String[] {"KEA", "AKE", "Kh", "Eg$", "Em", "En", "Kn", "nm", "mnK", "g$lshzxetdK",
                "g$lshzxetdnm", "Ax", "AAxx", "EKzhslg$", "d", "t", "e", "x", "Ed", ""}) {
            same("CONFIG", "SET", "notify-keyspace-events", v);
            same("CONFIG", "GET", "notify-keyspace-events");
        }
        for (String bad : new String[] {"xyz", "KEA ", "a", "KE1", "-"}) {
            same("CONFIG", "SET", "notify-keyspace-events", bad);
            same("CONFIG", "GET", "notify-keyspace-events");
        }
    }

    /** Redis prints "An" as "A", yet keeps publishing new-key events. */
    @Test
    void newKeyEventsHiddenByAllStayOn() {
        subscribe("AnKE");
        sameAll(cmd("CONFIG", "GET", "notify-keyspace-events"), cmd("SET", "a", "1"), cmd("SET", "a", "2"));
        same("CONFIG", "SET", "notify-keyspace-events", "AKE");
        sameAll(cmd("CONFIG", "GET", "notify-keyspace-events"), cmd("SET", "b", "1"));
        same("CONFIG", "SET", "notify-keyspace-events", "g$lshzxetdnE");
        sameAll(cmd("CONFIG", "GET", "notify-keyspace-events"), cmd("SET", "c", "1"));
        sameEvents();
    }

    @Test
    void nothingIsPublishedWhenOffOrWithoutKorE() {
        subscribe("");
        sameAll(cmd("SET", "a", "1"), cmd("DEL", "a"));
        same("CONFIG", "SET", "notify-keyspace-events", "A");
        sameAll(cmd("SET", "a", "1"), cmd("DEL", "a"), cmd("GET", "nokey"));
        same("CONFIG", "SET", "notify-keyspace-events", "KEA");
        sameAll(cmd("SET", "a", "1"));
        same("CONFIG", "SET", "notify-keyspace-events", "");
        sameAll(cmd("SET", "a", "2"));
        sameEvents();
    }

    // ---------------------------------------------------------------- strings and bits

    private static final String[][] STRINGS = {
            cmd("SET", "s", "v"), cmd("SET", "s", "w", "EX", "100"), cmd("SET", "s", "x", "KEEPTTL"),
            cmd("SET", "s", "y", "NX"), cmd("SET", "n", "y", "XX"), cmd("SET", "s", "z", "XX", "GET"),
            cmd("SET", "s2", "a", "PX", "100000", "GET"), cmd("SET", "s2", "b", "EXAT", "99999999999"),
            cmd("SET", "s2", "b", "EX", "0"), cmd("SET", "s2", "b", "EX", "abc"),
            cmd("SETNX", "s", "q"), cmd("SETNX", "s3", "q"), cmd("SETEX", "s4", "100", "v"),
            cmd("PSETEX", "s5", "100000", "v"), cmd("SETEX", "s6", "-1", "v"),
            cmd("GETSET", "s", "g"), cmd("GETSET", "s7", "g"), cmd("GETDEL", "s7"), cmd("GETDEL", "s7"),
            cmd("GETEX", "s4", "PERSIST"), cmd("GETEX", "s4", "PERSIST"), cmd("GETEX", "s4", "EX", "100"),
            cmd("GETEX", "s4"), cmd("GETEX", "s4", "PXAT", "1"), cmd("GETEX", "nokey", "EX", "10"),
            cmd("MSET", "m1", "1", "m2", "2", "m1", "3"), cmd("MSETNX", "m1", "1", "m3", "3"),
            cmd("MSETNX", "m4", "1", "m5", "5"), cmd("MGET", "m1", "nokey", "m4"),
            cmd("APPEND", "ap", "x"), cmd("APPEND", "ap", "y"), cmd("APPEND", "ap", ""), cmd("APPEND", "ap2", ""),
            cmd("SETRANGE", "sr", "0", ""), cmd("SETRANGE", "sr", "2", "ab"), cmd("SETRANGE", "sr", "0", ""),
            cmd("SETRANGE", "sr", "0", "z"), cmd("SETRANGE", "sr", "-1", "z"),
            cmd("INCR", "i"), cmd("INCRBY", "i", "5"), cmd("DECR", "i"), cmd("DECRBY", "i", "2"),
            cmd("INCR", "s"), cmd("INCRBY", "i", "9223372036854775807"),
            cmd("INCRBYFLOAT", "f", "1.5"), cmd("INCRBYFLOAT", "f", "2"), cmd("INCRBYFLOAT", "s", "1"),
            cmd("STRLEN", "s"), cmd("STRLEN", "nokey"), cmd("GETRANGE", "nokey", "0", "1"),
            cmd("GET", "nokey"), cmd("LCS", "s", "nokey"),
            cmd("HSET", "h", "f", "v"), cmd("SET", "h", "v", "GET"), cmd("APPEND", "h", "x"),
            cmd("INCR", "h"), cmd("SETRANGE", "h", "0", "x"), cmd("GET", "h"),
    };

    @Test
    void stringCommands() {
        events("AKEnm", STRINGS);
    }

    @Test
    void stringCommandsUnderSelectiveClasses() {
        events("Kh", STRINGS);
    }

    @Test
    void stringCommandsKeyEventsOnly() {
        events("Eg$", STRINGS);
    }

    @Test
    void stringCommandsMissesAndNewKeys() {
        events("Em", STRINGS);
        sameAll(cmd("FLUSHALL"));
        events("En", STRINGS);
    }

    @Test
    void commandErrorsPublishNothing() {
        events("AKEnm", ERRORS);
    }

    private static final String[][] ERRORS = {
                cmd("SET", "k"), cmd("SET", "k", "v", "EX"), cmd("SET", "k", "v", "NX", "XX"),
                cmd("LPUSH", "l"), cmd("HSET", "h", "f"), cmd("ZADD", "z", "1"), cmd("SADD", "s"),
                cmd("EXPIRE", "k", "x"), cmd("EXPIRE", "k", "10", "NX", "XX"), cmd("INCRBY", "k", "x"),
                cmd("SET", "k", "v"), cmd("LPUSH", "k", "a"), cmd("HSET", "k", "f", "v"), cmd("SADD", "k", "m"),
                cmd("ZADD", "k", "1", "m"), cmd("LSET", "k", "0", "v"), cmd("RENAME", "nokey", "x"),
    };

    @Test
    void bitCommands() {
        events("AKEnm", BITS);
    }

    private static final String[][] BITS = {
                cmd("SETBIT", "b", "7", "1"), cmd("SETBIT", "b", "7", "1"), cmd("SETBIT", "b", "7", "0"),
                cmd("SETBIT", "b", "100", "0"), cmd("SETBIT", "b", "100", "0"), cmd("SETBIT", "b", "1", "2"),
                cmd("SETBIT", "nb", "0", "0"), cmd("GETBIT", "nokey", "1"), cmd("GETBIT", "b", "7"),
                cmd("BITCOUNT", "nokey"), cmd("BITPOS", "nokey", "1"),
                cmd("BITFIELD", "bf", "GET", "u8", "0"), cmd("BITFIELD", "bf", "SET", "u8", "0", "1"),
                cmd("BITFIELD", "bf", "SET", "u8", "0", "1"), cmd("BITFIELD", "bf", "INCRBY", "u2", "0", "100"),
                cmd("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100"),
                cmd("BITFIELD", "bf2", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100"),
                cmd("BITFIELD_RO", "nokey", "GET", "u8", "0"), cmd("BITFIELD", "nokey2", "GET", "u8", "0"),
                cmd("BITOP", "AND", "dst", "b", "bf"), cmd("BITOP", "OR", "dst", "nokey", "nokey2"),
                cmd("BITOP", "OR", "dst", "nokey", "nokey2"), cmd("BITOP", "NOT", "dst2", "b"),
                cmd("HSET", "h", "f", "v"), cmd("SETBIT", "h", "1", "1"), cmd("BITOP", "AND", "dst", "h"),
    };

    /** PFMERGE publishes "pfadd" too; PFCOUNT and PFDEBUG change values without publishing. */
    @Test
    void hyperLogLogCommands() {
        events("AKEnm", HLL);
    }

    private static final String[][] HLL = {
                cmd("PFADD", "p", "a", "b"), cmd("PFADD", "p", "a"), cmd("PFADD", "p"), cmd("PFADD", "q"),
                cmd("PFCOUNT", "p"), cmd("PFCOUNT", "p", "nokey"), cmd("PFCOUNT", "nokey"),
                cmd("PFMERGE", "m", "p", "q"), cmd("PFMERGE", "m", "p"), cmd("PFMERGE", "n"),
                cmd("PFDEBUG", "TODENSE", "p"), cmd("PFDEBUG", "GETREG", "q"), cmd("PFDEBUG", "ENCODING", "nokey"),
                cmd("PFADD", "p", "c"), cmd("HSET", "h", "f", "v"), cmd("PFADD", "h", "a"), cmd("PFMERGE", "m", "h"),
                cmd("SET", "s", "abc"), cmd("PFADD", "s", "a"), cmd("PFCOUNT", "s"),
    };

    // ---------------------------------------------------------------- generic key commands

    @Test
    void keyCommands() {
        events("AKEnm", KEY_COMMANDS);
    }

    private static final String[][] KEY_COMMANDS = {
                cmd("SET", "a", "1"), cmd("SET", "b", "2"), cmd("SET", "c", "3"),
                cmd("DEL", "a", "nokey", "a"), cmd("UNLINK", "b", "nokey"), cmd("DEL", "nokey"),
                cmd("EXISTS", "c", "nokey", "nokey"), cmd("TOUCH", "c", "nokey"), cmd("TYPE", "nokey"),
                cmd("TTL", "nokey"), cmd("PTTL", "nokey"), cmd("EXPIRETIME", "nokey"),
                cmd("OBJECT", "ENCODING", "nokey"), cmd("OBJECT", "FREQ", "nokey"),
                cmd("EXPIRE", "c", "100"), cmd("EXPIRE", "c", "100", "NX"), cmd("EXPIRE", "c", "200", "GT"),
                cmd("PEXPIRE", "c", "100000", "LT"), cmd("EXPIREAT", "c", "99999999999"),
                cmd("PEXPIREAT", "c", "99999999999000", "XX"), cmd("EXPIRE", "nokey", "10"),
                cmd("PERSIST", "c"), cmd("PERSIST", "c"), cmd("PERSIST", "nokey"),
                cmd("EXPIRE", "c", "-1"), cmd("EXISTS", "c"),
                cmd("SET", "d", "1"), cmd("PEXPIREAT", "d", "1"), cmd("SET", "d", "1"), cmd("EXPIRE", "d", "0"),
                cmd("SET", "r", "1", "EX", "100"), cmd("RENAME", "r", "r2"), cmd("RENAME", "r2", "r2"),
                cmd("RENAMENX", "r2", "r2"), cmd("SET", "r3", "x"), cmd("RENAME", "r2", "r3"),
                cmd("RENAMENX", "r3", "r4"), cmd("SET", "r5", "1"), cmd("RENAMENX", "r4", "r5"),
                cmd("RENAME", "nokey", "r6"), cmd("RENAMENX", "nokey", "r6"),
                cmd("SET", "mv", "1"), cmd("MOVE", "mv", "1"), cmd("MOVE", "mv", "1"), cmd("MOVE", "nokey", "1"),
                cmd("SET", "mv", "2"), cmd("SELECT", "1"), cmd("MOVE", "mv", "0"), cmd("SELECT", "0"),
                cmd("MOVE", "mv", "0"), cmd("MOVE", "mv", "abc"),
                cmd("SET", "cp", "1", "EX", "100"), cmd("COPY", "cp", "cp2"), cmd("COPY", "cp", "cp2"),
                cmd("COPY", "cp", "cp2", "REPLACE"), cmd("COPY", "cp", "cp3", "DB", "2"),
                cmd("COPY", "cp", "cp3", "DB", "2", "REPLACE"), cmd("COPY", "nokey", "cp4"),
                cmd("COPY", "cp", "cp"),
                cmd("SWAPDB", "0", "2"), cmd("SWAPDB", "0", "2"), cmd("SWAPDB", "0", "0"),
                cmd("SELECT", "2"), cmd("SET", "x", "1"), cmd("FLUSHDB"), cmd("SELECT", "0"), cmd("FLUSHALL"),
                cmd("RANDOMKEY"), cmd("KEYS", "*"), cmd("SCAN", "0", "TYPE", "string"),
                cmd("SET", "pk:1", "x"), cmd("DEBUG", "POPULATE", "3", "pk"), cmd("DEBUG", "POPULATE", "2", "pk"),
    };

    @Test
    void eventsOfOtherDatabasesNameTheirDatabase() {
        events("AKE",
                cmd("SELECT", "5"), cmd("SET", "k", "v"), cmd("LPUSH", "l", "a"), cmd("DEL", "k", "l"),
                cmd("SELECT", "0"));
    }

    // ---------------------------------------------------------------- hashes

    @Test
    void hashCommands() {
        hashes("AKEnm");
    }

    @Test
    void hashCommandsHashClassOnly() {
        hashes("Kh");
    }

    private void hashes(String flags) {
        events(flags, HASHES);
    }

    private static final String[][] HASHES = {
                cmd("HSET", "h", "a", "1", "b", "2"), cmd("HSET", "h", "a", "1"), cmd("HMSET", "h", "c", "3"),
                cmd("HSETNX", "h", "a", "9"), cmd("HSETNX", "h", "d", "4"), cmd("HSETNX", "h2", "d", "4"),
                cmd("HDEL", "h", "nofield"), cmd("HDEL", "nokey", "a"), cmd("HDEL", "h", "a", "b", "nofield"),
                cmd("HINCRBY", "h", "n", "5"), cmd("HINCRBY", "h", "c", "1"), cmd("HINCRBY", "h", "n", "x"),
                cmd("HINCRBY", "hi", "n", "1"), cmd("HSET", "h", "s", "str"), cmd("HINCRBY", "h", "s", "1"),
                cmd("HINCRBY", "h", "n", "9223372036854775807"),
                cmd("HINCRBYFLOAT", "h", "fl", "1.5"), cmd("HINCRBYFLOAT", "hf", "fl", "1.5"),
                cmd("HINCRBYFLOAT", "h", "s", "1"), cmd("HINCRBYFLOAT", "h", "fl", "inf"),
                cmd("HGET", "nokey", "a"), cmd("HGETALL", "nokey"), cmd("HLEN", "nokey"), cmd("HKEYS", "nokey"),
                cmd("HEXISTS", "nokey", "a"), cmd("HSTRLEN", "nokey", "a"), cmd("HRANDFIELD", "nokey"),
                cmd("HSCAN", "nokey", "0"), cmd("HMGET", "nokey", "a"),
                cmd("HDEL", "h2", "d"), cmd("EXISTS", "h2"), cmd("HDEL", "h", "c", "d", "n", "s", "fl"),
                cmd("SET", "str", "v"), cmd("HSET", "str", "a", "1"), cmd("HDEL", "str", "a"),
    };

    // ---------------------------------------------------------------- lists

    private static final String[][] LISTS = {
            cmd("LPUSH", "l", "a", "b"), cmd("RPUSH", "l", "c"), cmd("LPUSHX", "l", "d"), cmd("RPUSHX", "l", "e"),
            cmd("LPUSHX", "nokey", "a"), cmd("RPUSHX", "nokey", "a"),
            cmd("LPOP", "l"), cmd("RPOP", "l"), cmd("LPOP", "l", "0"), cmd("RPOP", "l", "2"), cmd("LPOP", "nokey"),
            cmd("LPOP", "nokey", "2"), cmd("RPUSH", "l", "x", "y"), cmd("LPOP", "l", "10"), cmd("EXISTS", "l"),
            cmd("RPUSH", "l", "a", "b", "c", "b"), cmd("LSET", "l", "0", "z"), cmd("LSET", "l", "99", "z"),
            cmd("LSET", "nokey", "0", "z"), cmd("LINSERT", "l", "BEFORE", "b", "q"),
            cmd("LINSERT", "l", "AFTER", "nopivot", "q"), cmd("LINSERT", "nokey", "AFTER", "b", "q"),
            cmd("LREM", "l", "0", "nothing"), cmd("LREM", "l", "1", "b"), cmd("LREM", "nokey", "0", "b"),
            cmd("LTRIM", "l", "0", "-1"), cmd("LTRIM", "l", "1", "2"), cmd("LTRIM", "nokey", "0", "1"),
            cmd("LTRIM", "l", "5", "1"), cmd("EXISTS", "l"),
            cmd("RPUSH", "l", "only"), cmd("LREM", "l", "0", "only"),
            cmd("RPUSH", "src", "1", "2", "3"), cmd("LMOVE", "src", "dst", "LEFT", "RIGHT"),
            cmd("RPOPLPUSH", "src", "dst"), cmd("LMOVE", "src", "src", "LEFT", "RIGHT"),
            cmd("LMOVE", "src", "dst", "RIGHT", "LEFT"), cmd("LMOVE", "src", "dst", "RIGHT", "LEFT"),
            cmd("RPOPLPUSH", "dst", "dst"), cmd("LMPOP", "2", "nokey", "dst", "LEFT", "COUNT", "2"),
            cmd("LMPOP", "1", "dst", "RIGHT", "COUNT", "5"), cmd("LMPOP", "1", "nokey", "LEFT"),
            cmd("LRANGE", "nokey", "0", "-1"), cmd("LLEN", "nokey"), cmd("LINDEX", "nokey", "0"),
            cmd("LPOS", "nokey", "a"),
            cmd("SET", "str", "v"), cmd("LPUSH", "str", "a"), cmd("LPOP", "str"), cmd("LMOVE", "str", "x", "LEFT", "LEFT"),
            cmd("RPUSH", "src", "a"), cmd("LMOVE", "src", "str", "LEFT", "LEFT"), cmd("LRANGE", "src", "0", "-1"),
    };

    @Test
    void listCommands() {
        events("AKEnm", LISTS);
    }

    @Test
    void listCommandsGenericClassOnly() {
        events("Kg", LISTS);
    }

    @Test
    void blockingListCommandsServedAtOnce() {
        events("AKEnm", BLOCKING_SERVED_AT_ONCE);
    }

    private static final String[][] BLOCKING_SERVED_AT_ONCE = {
                cmd("RPUSH", "l", "a", "b", "c"), cmd("BLPOP", "nokey", "l", "0"), cmd("BRPOP", "l", "0"),
                cmd("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "5"), cmd("RPUSH", "s", "x", "y"),
                cmd("BRPOPLPUSH", "s", "d", "0"), cmd("BLMOVE", "s", "d", "LEFT", "LEFT", "0"),
                cmd("BLMOVE", "d", "d", "LEFT", "RIGHT", "0"), cmd("BLPOP", "nokey", "0.01"),
    };

    /** A blocked client served by another client's push: the serve emits the pop's events. */
    @Test
    void blockedClientsAreServedWithEvents() {
        subscribe("AKEnm");
        RawClient rb = new RawClient(RedisServerProcess.shared().port());
        RawClient bb = new RawClient(BasaltInstance.shared().port());
        try {
            for (String[][] step : new String[][][] {
                    {cmd("BLPOP", "q", "0"), cmd("RPUSH", "q", "a", "b")},
                    {cmd("BLMOVE", "q2", "d", "RIGHT", "LEFT", "0"), cmd("LPUSH", "q2", "x")},
                    {cmd("BLMPOP", "0", "1", "q3", "LEFT", "COUNT", "3"), cmd("RPUSH", "q3", "1", "2")},
                    {cmd("BZPOPMIN", "z", "0"), cmd("ZADD", "z", "1", "m")},
                    {cmd("BZMPOP", "0", "1", "z2", "MAX", "COUNT", "2"), cmd("ZADD", "z2", "1", "a", "2", "b", "3", "c")},
            }) {
                rb.send(step[0]);
                bb.send(step[0]);
                // the blocked command is registered before the write (a PING on the same
                // connection cannot tell: it would queue behind the block)
                waitBlocked(redis);
                waitBlocked(basalt);
                same(step[1]);
                assertEquals(rb.read().rawString(), bb.read().rawString(), "served reply");
            }
            sameAll(cmd("LRANGE", "q", "0", "-1"), cmd("LRANGE", "d", "0", "-1"), cmd("ZRANGE", "z2", "0", "-1"));
        } finally {
            rb.close();
            bb.close();
        }
        sameEvents();
    }

    private static void waitBlocked(RawClient c) {
        for (int i = 0; i < 500; i++) {
            String info = c.call("INFO", "clients").string();
            if (info.contains("blocked_clients:1")) return;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("the client did not block");
    }

    // ---------------------------------------------------------------- sets

    @Test
    void setCommands() {
        sets("AKEnm");
    }

    @Test
    void setCommandsSetAndGenericClasses() {
        sets("Esg");
    }

    private void sets(String flags) {
        events(flags, SETS);
    }

    private static final String[][] SETS = {
                cmd("SADD", "s", "a", "b", "c"), cmd("SADD", "s", "a"), cmd("SADD", "s", "a", "d"),
                cmd("SREM", "s", "nomember"), cmd("SREM", "nokey", "a"), cmd("SREM", "s", "a", "nomember"),
                cmd("SADD", "one", "x"), cmd("SPOP", "one"), cmd("SPOP", "nokey"), cmd("SPOP", "nokey", "2"),
                cmd("SADD", "one", "x"), cmd("SPOP", "one", "0"), cmd("SPOP", "one", "5"), cmd("EXISTS", "one"),
                cmd("SADD", "two", "1", "2"), cmd("~SPOP", "two", "1"), cmd("~SPOP", "two", "1"),
                cmd("SMOVE", "s", "t", "b"), cmd("SMOVE", "s", "t", "b"), cmd("SMOVE", "s", "s", "c"),
                cmd("SADD", "t", "c"), cmd("SMOVE", "s", "t", "c"), cmd("SMOVE", "s", "t", "d"),
                cmd("SMOVE", "nokey", "t", "d"), cmd("SADD", "u", "b", "c", "d"),
                cmd("SINTERSTORE", "dst", "t", "u"), cmd("SINTERSTORE", "dst", "t", "nokey"),
                cmd("SINTERSTORE", "dst", "t", "nokey"), cmd("SINTERSTORE", "dst2", "t", "u"),
                cmd("SADD", "e", "zz"), cmd("SINTERSTORE", "dst2", "e", "u"),
                cmd("SUNIONSTORE", "dst", "t", "u"), cmd("SUNIONSTORE", "dst", "nokey"),
                cmd("SDIFFSTORE", "dst", "u", "t"), cmd("SDIFFSTORE", "dst", "u", "e"), cmd("SDIFFSTORE", "dst", "u", "u"),
                cmd("SDIFFSTORE", "dst", "u", "u"), cmd("SINTER", "nokey", "t"), cmd("SUNION", "nokey"),
                cmd("SDIFF", "nokey", "t"), cmd("SMEMBERS", "nokey"), cmd("SISMEMBER", "nokey", "a"),
                cmd("SCARD", "nokey"), cmd("SRANDMEMBER", "nokey"), cmd("SINTERCARD", "2", "nokey", "t"),
                cmd("SMISMEMBER", "nokey", "a"), cmd("SSCAN", "nokey", "0"),
                cmd("SET", "str", "v"), cmd("SADD", "str", "a"), cmd("SINTERSTORE", "str", "t", "u"),
                cmd("SMOVE", "t", "str", "b"),
    };

    // ---------------------------------------------------------------- sorted sets

    @Test
    void sortedSetCommands() {
        sortedSets("AKEnm");
    }

    @Test
    void sortedSetCommandsZsetClassOnly() {
        sortedSets("Kz");
    }

    private void sortedSets(String flags) {
        events(flags, ZSETS);
    }

    private static final String[][] ZSETS = {
                cmd("ZADD", "z", "1", "a", "2", "b", "3", "c"), cmd("ZADD", "z", "1", "a"),
                cmd("ZADD", "z", "5", "a"), cmd("ZADD", "z", "NX", "9", "a"), cmd("ZADD", "z", "XX", "4", "nomember"),
                cmd("ZADD", "nokey", "XX", "1", "a"), cmd("ZADD", "z", "GT", "1", "a"), cmd("ZADD", "z", "CH", "7", "b"),
                cmd("ZADD", "z", "INCR", "1", "a"), cmd("ZADD", "z", "INCR", "0", "a"),
                cmd("ZADD", "z", "INCR", "NX", "1", "a"), cmd("ZINCRBY", "z", "2", "c"), cmd("ZINCRBY", "z", "0", "c"),
                cmd("ZINCRBY", "zn", "1", "x"), cmd("ZADD", "z", "x", "a"), cmd("ZADD", "z", "NX", "XX", "1", "a"),
                cmd("ZADD", "zi", "INCR", "inf", "a"), cmd("ZADD", "zi", "INCR", "-inf", "a"),
                cmd("ZREM", "z", "nomember"), cmd("ZREM", "nokey", "a"), cmd("ZREM", "z", "a", "nomember"),
                cmd("ZREM", "zn", "x"), cmd("EXISTS", "zn"),
                cmd("ZADD", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e", "6", "f"),
                cmd("ZREMRANGEBYRANK", "r", "10", "20"), cmd("ZREMRANGEBYRANK", "r", "0", "0"),
                cmd("ZREMRANGEBYSCORE", "r", "100", "200"), cmd("ZREMRANGEBYSCORE", "r", "2", "2"),
                cmd("ZREMRANGEBYLEX", "r", "[x", "[y"), cmd("ZREMRANGEBYLEX", "r", "[c", "[c"),
                cmd("ZREMRANGEBYRANK", "nokey", "0", "1"), cmd("ZPOPMIN", "r"), cmd("ZPOPMAX", "r"),
                cmd("ZPOPMIN", "r", "0"), cmd("ZPOPMIN", "nokey"), cmd("ZPOPMAX", "r", "5"), cmd("EXISTS", "r"),
                cmd("ZADD", "r", "1", "a", "2", "b"), cmd("ZREMRANGEBYSCORE", "r", "-inf", "+inf"),
                cmd("ZADD", "p", "1", "a", "2", "b", "3", "c"), cmd("ZMPOP", "2", "nokey", "p", "MIN", "COUNT", "2"),
                cmd("ZMPOP", "1", "p", "MAX", "COUNT", "5"), cmd("ZMPOP", "1", "p", "MAX"),
                cmd("ZADD", "z", "1", "a", "2", "b"), cmd("BZPOPMIN", "nokey", "z", "0"), cmd("BZPOPMAX", "z", "0"), cmd("BZMPOP", "0", "1", "z", "MIN"), cmd("BZMPOP", "0.01", "1", "z", "MIN"),
                cmd("ZADD", "z1", "1", "a", "2", "b"), cmd("ZADD", "z2", "3", "b", "4", "c"),
                cmd("ZUNIONSTORE", "u", "2", "z1", "z2"), cmd("ZINTERSTORE", "u", "2", "z1", "z2"),
                cmd("ZINTERSTORE", "u", "2", "z1", "nokey"), cmd("ZINTERSTORE", "u", "2", "z1", "nokey"),
                cmd("ZDIFFSTORE", "u", "2", "z1", "z2"), cmd("ZDIFFSTORE", "u", "1", "nokey"),
                cmd("ZRANGESTORE", "rs", "z1", "0", "-1"), cmd("ZRANGESTORE", "rs", "z1", "5", "6"),
                cmd("ZRANGESTORE", "rs", "z1", "5", "6"), cmd("ZRANGESTORE", "rs2", "nokey", "0", "-1"),
                cmd("ZUNION", "2", "nokey", "z1"), cmd("ZINTER", "1", "nokey"), cmd("ZDIFF", "1", "nokey"),
                cmd("ZINTERCARD", "1", "nokey"), cmd("ZRANGE", "nokey", "0", "-1"), cmd("ZSCORE", "nokey", "a"),
                cmd("ZCARD", "nokey"), cmd("ZRANK", "nokey", "a"), cmd("ZCOUNT", "nokey", "0", "1"),
                cmd("ZLEXCOUNT", "nokey", "-", "+"), cmd("ZMSCORE", "nokey", "a"), cmd("ZRANDMEMBER", "nokey"),
                cmd("ZSCAN", "nokey", "0"), cmd("ZRANGEBYSCORE", "nokey", "0", "1"),
                cmd("SET", "str", "v"), cmd("ZADD", "str", "1", "a"), cmd("ZUNIONSTORE", "str", "1", "z1"),
    };

    // ---------------------------------------------------------------- SORT

    @Test
    void sortStore() {
        events("AKEnm", SORTS);
    }

    private static final String[][] SORTS = {
                cmd("RPUSH", "l", "3", "1", "2"), cmd("SORT", "l", "STORE", "out"), cmd("SORT", "l", "STORE", "out"),
                cmd("SORT", "nokey", "STORE", "out"), cmd("SORT", "nokey", "STORE", "out"),
                cmd("SORT", "l", "BY", "w_*", "GET", "o_*", "GET", "#"), cmd("SORT", "nokey"),
                cmd("SORT_RO", "l"), cmd("SADD", "s", "b", "a"), cmd("SORT", "s", "ALPHA", "STORE", "out2"),
                cmd("SORT", "l", "LIMIT", "5", "5", "STORE", "out2"),
    };

    // ---------------------------------------------------------------- expiry

    @Test
    void lazyExpiry() {
        sameAll(cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        subscribe("AKEnmx");
        sameAll(cmd("SET", "a", "1", "PX", "1"), cmd("SET", "b", "1", "PX", "1"), cmd("RPUSH", "l", "x"),
                cmd("PEXPIRE", "l", "1"), cmd("HSET", "h", "f", "v"), cmd("PEXPIRE", "h", "1"),
                cmd("SET", "c", "1", "PX", "1"), cmd("SET", "d", "1", "PX", "1"), cmd("SET", "e", "1", "PX", "1"));
        sleep(20);
        sameAll(cmd("GET", "a"), cmd("SET", "b", "2"), cmd("RPUSH", "l", "y"), cmd("HGET", "h", "f"),
                cmd("INCR", "c"), cmd("DEL", "d"), cmd("EXISTS", "e"));
        sameEvents();
    }

    /** Destinations that expired before a STORE: reaped by the store's own lookup, or deleted. */
    @Test
    void lazyExpiryOfStoreDestinations() {
        sameAll(cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        subscribe("AKEnm");
        String[] dsts = {"d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10", "d11", "d12"};
        sameAll(cmd("SADD", "s", "a"), cmd("ZADD", "z", "1", "a"), cmd("RPUSH", "l", "1"), cmd("SET", "b", "x"));
        for (String d : dsts) same("SET", d, "v", "PX", "1");
        sleep(20);
        sameAll(cmd("SUNIONSTORE", "d1", "s"), cmd("SINTERSTORE", "d2", "s", "nokey"),
                cmd("SDIFFSTORE", "d3", "s", "s"), cmd("ZUNIONSTORE", "d4", "1", "z"),
                cmd("ZINTERSTORE", "d5", "2", "z", "nokey"), cmd("ZRANGESTORE", "d6", "z", "0", "-1"),
                cmd("ZRANGESTORE", "d7", "z", "5", "6"), cmd("SORT", "l", "STORE", "d8"),
                cmd("SORT", "nokey", "STORE", "d9"), cmd("BITOP", "OR", "d10", "b"),
                cmd("BITOP", "OR", "d11", "nokey"), cmd("MSET", "d12", "1"));
        sameEvents();
    }

    @Test
    void lazyExpiryExpiredClassOnly() {
        sameAll(cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"));
        subscribe("Ex");
        sameAll(cmd("SET", "a", "1", "PX", "1"), cmd("SET", "b", "1", "PX", "1"));
        sleep(20);
        sameAll(cmd("GET", "a"), cmd("TTL", "b"), cmd("GET", "a"));
        sameEvents();
    }

    @Test
    void activeExpiry() {
        subscribe("AKE");
        sameAll(cmd("SET", "a", "1", "PX", "30"), cmd("SADD", "s", "m"), cmd("PEXPIRE", "s", "30"));
        // nobody touches the keys: the servers' own expiry cycles must remove them
        for (RawClient c : List.of(redis, basalt)) {
            long deadline = System.currentTimeMillis() + 5000;
            while (c.call("DBSIZE").number() > 0 && System.currentTimeMillis() < deadline) sleep(20);
        }
        redis.call("PUBLISH", END, "end");
        basalt.call("PUBLISH", END, "end");
        List<String> expected = drain(redisSub);
        List<String> actual = drain(basaltSub);
        // set, expire, sadd, expire (keyspace + keyevent each), then the two expiries, which
        // the cycle may reap in either order on either server
        assertEquals(12, expected.size(), () -> "redis: " + expected);
        assertEquals(expected.subList(0, 8), actual.subList(0, Math.min(8, actual.size())));
        List<String> e = new ArrayList<>(expected.subList(8, expected.size()));
        List<String> a = new ArrayList<>(actual.subList(Math.min(8, actual.size()), actual.size()));
        e.sort(null);
        a.sort(null);
        assertEquals(e, a);
    }

    // ---------------------------------------------------------------- transactions

    /** Queued commands publish nothing until EXEC runs them; a discarded or failed one never. */
    @Test
    void transactionsPublishWhenExecuted() {
        events("AKEnm",
                cmd("MULTI"), cmd("SET", "a", "1"), cmd("INCR", "a"), cmd("GET", "nokey"), cmd("LPUSH", "l", "x"),
                cmd("RPOP", "l"), cmd("EXEC"),
                cmd("MULTI"), cmd("SET", "b", "1"), cmd("DISCARD"),
                cmd("MULTI"), cmd("SET", "b", "1"), cmd("NOSUCHCOMMAND"), cmd("EXEC"),
                cmd("WATCH", "a"), cmd("SET", "a", "2"), cmd("MULTI"), cmd("DEL", "a"), cmd("EXEC"),
                cmd("MULTI"), cmd("SET", "c", "x"), cmd("INCR", "c"), cmd("SADD", "c", "m"), cmd("DEL", "c"), cmd("EXEC"));
    }

    // ---------------------------------------------------------------- RESP3 subscribers

    @Test
    void resp3SubscribersGetPushFrames() {
        subscribe("AKEnm", true);
        sameAll(cmd("SET", "a", "1", "EX", "100"), cmd("GET", "nokey"), cmd("LPUSH", "l", "x"), cmd("DEL", "a", "l"),
                cmd("ZADD", "z", "INCR", "1", "m"), cmd("HSET", "h", "f", "v"));
        sameEvents();
    }

    @Test
    void resp3ClientSeesItsOwnEvents() {
        // a RESP3 connection may subscribe and keep running commands: its own events arrive as
        // push frames interleaved with its replies, in the same order on both servers
        resp3();
        same("CONFIG", "SET", "notify-keyspace-events", "KEA");
        same("PSUBSCRIBE", "__keyevent@0__:*");
        for (String[] c : new String[][] {cmd("SET", "k", "v"), cmd("DEL", "k")}) {
            redis.send(c);
            basalt.send(c);
            for (int i = 0; i < 2; i++) {
                assertEquals(redis.read().rawString(), basalt.read().rawString(), String.join(" ", c));
            }
        }
        same("PUNSUBSCRIBE");
    }

    /**
     * A RESP3 connection subscribed to its own events: each command's notifications arrive as
     * push frames before or after its reply exactly where Redis writes them (SET notifies before
     * replying, LPUSH after).
     */
    @Test
    void resp3OwnEventsInterleaveWithRepliesLikeRedis() {
        resp3();
        same("CONFIG", "SET", "notify-keyspace-events", "AKEnm");
        same("PSUBSCRIBE", "__key*__:*");
        List<String> diverged = new ArrayList<>();
        for (String[][] family : new String[][][] {STRINGS, BITS, KEY_COMMANDS, LISTS, BLOCKING_SERVED_AT_ONCE, HASHES, SETS, ZSETS, SORTS, ERRORS}) {
            same("FLUSHALL");
            for (String[] c : family) {
                if (c[0].startsWith("~")) continue;
                redis.send(c);
                redis.send("PING", "end of " + c[0]);
                basalt.send(c);
                basalt.send("PING", "end of " + c[0]);
                List<String> e = framesUntilPing(redis, c[0]);
                List<String> a = framesUntilPing(basalt, c[0]);
                if (!e.equals(a)) diverged.add(String.join(" ", c) + "\n redis : " + e + "\n basalt: " + a);
            }
        }
        assertEquals("", String.join("\n", diverged));
        same("PUNSUBSCRIBE");
    }

    private static List<String> framesUntilPing(RawClient c, String name) {
        List<String> frames = new ArrayList<>();
        String end = "end of " + name;
        while (true) {
            RespValue v = c.read();
            if (end.equals(v.string())) return frames;
            frames.add(v.rawString().replace("\r\n", " "));
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
