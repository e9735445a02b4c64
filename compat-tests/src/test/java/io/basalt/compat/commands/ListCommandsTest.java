package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import org.junit.jupiter.api.Test;

/** List commands (non-blocking) against redis-server 7.0, reply bytes compared in RESP2 and RESP3. */
class ListCommandsTest extends DifferentialTest {

    @Test
    void pushAndLen() {
        both(() -> {
            same("LPUSH", "l", "a", "b", "c");
            same("RPUSH", "l", "d", "e");
            same("LRANGE", "l", "0", "-1");
            same("LLEN", "l");
            same("LLEN", "nokey");
            same("LPUSHX", "nokey", "a");
            same("RPUSHX", "nokey", "a", "b");
            same("EXISTS", "nokey");
            same("LPUSHX", "l", "x", "y");
            same("RPUSHX", "l", "z");
            same("LRANGE", "l", "0", "-1");
            same("LPUSH", "l");
            same("RPUSH");
            same("LPUSHX", "l");
            same("RPUSH", "e", "");
            same("LRANGE", "e", "0", "-1");
            same(b("RPUSH"), b("bin"), b("\u0000\u00ff\r\n"), b(""));
            same(b("LRANGE"), b("bin"), b("0"), b("-1"));
            same("TYPE", "l");
            same("OBJECT", "ENCODING", "l");
        });
    }

    private static byte[] b(String s) { return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); }

    @Test
    void pop() {
        both(() -> {
            same("RPUSH", "l", "a", "b", "c", "d", "e");
            same("LPOP", "l");
            same("RPOP", "l");
            same("LPOP", "l", "0");
            same("LPOP", "l", "1");
            same("RPOP", "l", "1");
            same("LPOP", "l", "-1");
            same("LPOP", "l", "abc");
            same("LPOP", "l", "1", "2");
            same("RPOP", "l", "10");
            same("EXISTS", "l");
            same("LPOP", "l");
            same("LPOP", "l", "0");
            same("LPOP", "l", "3");
            same("RPOP", "l");
            same("RPOP", "l", "2");
            same("RPUSH", "l", "a", "b", "c");
            same("RPOP", "l", "2");
            same("LPOP", "l", "9223372036854775807");
            same("EXISTS", "l");
            same("LPOP", "nokey", "-1");
            same("LPOP", "nokey", "x");
            same("LPOP");
        });
    }

    @Test
    void indexSetRange() {
        both(() -> {
            same("RPUSH", "l", "a", "b", "c", "d", "e");
            for (String i : new String[]{"0", "1", "4", "5", "-1", "-5", "-6", "100", "-100",
                    "9223372036854775807", "-9223372036854775808", "abc", "1.5"}) {
                same("LINDEX", "l", i);
                same("LINDEX", "nokey", i);
            }
            same("LSET", "l", "0", "A");
            same("LSET", "l", "-1", "E");
            same("LSET", "l", "5", "x");
            same("LSET", "l", "-6", "x");
            same("LSET", "l", "abc", "x");
            same("LSET", "nokey", "0", "x");
            same("LSET", "nokey", "abc", "x");
            same("LSET", "l", "2", "a much longer value than before, to change the size");
            same("LRANGE", "l", "0", "-1");
            String[] idx = {"0", "1", "2", "-1", "-2", "-5", "-6", "4", "5", "100", "-100",
                    "9223372036854775807", "-9223372036854775808"};
            for (String s : idx) for (String e : idx) same("LRANGE", "l", s, e);
            same("LRANGE", "l", "a", "1");
            same("LRANGE", "l", "1", "b");
            same("LRANGE", "nokey", "0", "-1");
            same("LRANGE", "nokey", "x", "-1");
        });
    }

    @Test
    void trim() {
        String[] idx = {"0", "1", "2", "-1", "-2", "-6", "5", "100", "-100"};
        both(() -> {
            for (String s : idx) {
                for (String e : idx) {
                    same("DEL", "l");
                    same("RPUSH", "l", "a", "b", "c", "d", "e");
                    same("LTRIM", "l", s, e);
                    same("LRANGE", "l", "0", "-1");
                    same("EXISTS", "l");
                }
            }
            same("LTRIM", "nokey", "0", "1");
            same("LTRIM", "nokey", "a", "1");
            same("RPUSH", "l", "x");
            same("LTRIM", "l", "0", "b");
            same("LTRIM", "l", "1", "0");
            same("EXISTS", "l");
        });
    }

    @Test
    void rem() {
        both(() -> {
            for (String n : new String[]{"0", "1", "2", "-1", "-2", "100", "-100",
                    "9223372036854775807", "-9223372036854775808"}) {
                same("DEL", "l");
                same("RPUSH", "l", "a", "b", "a", "c", "a", "a", "d", "a");
                same("LREM", "l", n, "a");
                same("LRANGE", "l", "0", "-1");
                same("LREM", "l", n, "zz");
            }
            same("LREM", "l", "x", "a");
            same("LREM", "nokey", "1", "a");
            same("LREM", "nokey", "x", "a");
            same("DEL", "l");
            same("RPUSH", "l", "a", "a");
            same("LREM", "l", "0", "a");
            same("EXISTS", "l");
        });
    }

    @Test
    void insert() {
        both(() -> {
            same("RPUSH", "l", "a", "b", "c");
            same("LINSERT", "l", "BEFORE", "a", "x");
            same("LINSERT", "l", "after", "c", "y");
            same("LINSERT", "l", "AFTER", "a", "z");
            same("LINSERT", "l", "before", "b", "w");
            same("LINSERT", "l", "BEFORE", "nothere", "v");
            same("LINSERT", "l", "MIDDLE", "a", "v");
            same("LINSERT", "nokey", "BEFORE", "a", "v");
            same("LINSERT", "nokey", "MIDDLE", "a", "v");
            same("EXISTS", "nokey");
            same("LRANGE", "l", "0", "-1");
            same("LINSERT", "l", "BEFORE", "a");
        });
    }

    @Test
    void pos() {
        both(() -> {
            same("RPUSH", "l", "a", "b", "c", "a", "b", "c", "a", "x");
            String[][] opts = {{}, {"RANK", "1"}, {"RANK", "2"}, {"RANK", "3"}, {"RANK", "4"}, {"RANK", "-1"},
                    {"RANK", "-3"}, {"RANK", "-4"}, {"COUNT", "0"}, {"COUNT", "1"}, {"COUNT", "2"}, {"COUNT", "10"},
                    {"RANK", "2", "COUNT", "0"}, {"RANK", "-2", "COUNT", "2"}, {"MAXLEN", "1"}, {"MAXLEN", "4"},
                    {"MAXLEN", "0"}, {"COUNT", "0", "MAXLEN", "5"}, {"RANK", "-1", "MAXLEN", "2"},
                    {"RANK", "-1", "COUNT", "0", "MAXLEN", "3"}, {"COUNT", "0", "COUNT", "1"},
                    {"RANK", "9223372036854775807"}, {"RANK", "-9223372036854775808"},
                    {"rank", "1", "count", "1", "maxlen", "100"}};
            for (String ele : new String[]{"a", "b", "x", "nope"}) {
                for (String[] o : opts) {
                    String[] c = new String[3 + o.length];
                    c[0] = "LPOS";
                    c[1] = "l";
                    c[2] = ele;
                    System.arraycopy(o, 0, c, 3, o.length);
                    same(c);
                    c[1] = "nokey";
                    same(c);
                }
            }
            same("LPOS", "l", "a", "RANK", "0");
            same("LPOS", "l", "a", "RANK", "abc");
            same("LPOS", "l", "a", "COUNT", "-1");
            same("LPOS", "l", "a", "COUNT", "abc");
            same("LPOS", "l", "a", "MAXLEN", "-1");
            same("LPOS", "l", "a", "MAXLEN", "abc");
            same("LPOS", "l", "a", "RANK");
            same("LPOS", "l", "a", "FOO");
            same("LPOS", "l", "a", "COUNT");
            same("LPOS", "nokey", "a", "RANK", "0");
            same("LPOS", "l");
        });
    }

    @Test
    void moveAndRpoplpush() {
        both(() -> {
            same("RPUSH", "src", "a", "b", "c");
            same("LMOVE", "src", "dst", "LEFT", "RIGHT");
            same("LMOVE", "src", "dst", "right", "left");
            same("LRANGE", "dst", "0", "-1");
            same("LMOVE", "src", "dst", "LEFT", "LEFT");
            same("EXISTS", "src");
            same("LRANGE", "dst", "0", "-1");
            same("LMOVE", "dst", "dst", "LEFT", "RIGHT");
            same("LMOVE", "dst", "dst", "RIGHT", "LEFT");
            same("LMOVE", "dst", "dst", "LEFT", "LEFT");
            same("LRANGE", "dst", "0", "-1");
            same("LMOVE", "nokey", "dst", "LEFT", "RIGHT");
            same("LMOVE", "dst", "x", "MIDDLE", "RIGHT");
            same("LMOVE", "dst", "x", "LEFT", "MIDDLE");
            same("LMOVE", "nokey", "x", "MIDDLE", "RIGHT");
            same("RPOPLPUSH", "dst", "other");
            same("RPOPLPUSH", "dst", "other");
            same("RPOPLPUSH", "dst", "other");
            same("RPOPLPUSH", "dst", "other");
            same("EXISTS", "dst");
            same("LRANGE", "other", "0", "-1");
            same("RPOPLPUSH", "nokey", "other");
            same("RPUSH", "one", "x");
            same("RPOPLPUSH", "one", "one");
            same("LRANGE", "one", "0", "-1");
            // wrong types on either side; the source is not popped when the destination is wrong
            same("SET", "str", "v");
            same("LMOVE", "str", "other", "LEFT", "LEFT");
            same("LMOVE", "other", "str", "LEFT", "LEFT");
            same("RPOPLPUSH", "other", "str");
            same("RPOPLPUSH", "str", "other");
            same("RPOPLPUSH", "nokey", "str");
            same("LRANGE", "other", "0", "-1");
            same("GET", "str");
        });
    }

    @Test
    void mpop() {
        both(() -> {
            same("RPUSH", "a", "1", "2", "3");
            same("RPUSH", "b", "4", "5");
            same("LMPOP", "2", "nokey", "a", "LEFT");
            same("LMPOP", "2", "nokey", "a", "RIGHT", "COUNT", "1");
            same("LMPOP", "3", "nokey", "a", "b", "left", "count", "5");
            same("EXISTS", "a");
            same("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "1");
            same("LMPOP", "2", "a", "b", "RIGHT", "COUNT", "9223372036854775807");
            same("EXISTS", "b");
            same("LMPOP", "2", "a", "b", "LEFT");
            same("LMPOP", "1", "a", "LEFT", "COUNT", "0");
            same("LMPOP", "0", "a", "LEFT");
            same("LMPOP", "-1", "a", "LEFT");
            same("LMPOP", "abc", "a", "LEFT");
            same("LMPOP", "2", "a", "LEFT");
            same("LMPOP", "5", "a", "LEFT");
            same("LMPOP", "9223372036854775807", "a", "LEFT");
            same("LMPOP", "9223372036854775806", "a", "LEFT");
            same("LMPOP", "4294967298", "a", "LEFT");
            same("LMPOP", "2147483648", "a", "LEFT");
            same("LMPOP", "2", "a", "a", "LEFT", "COUNT", "2");
            same("LMPOP", "3", "a", "b", "LEFT");
            same("LMPOP", "1", "a", "MIDDLE");
            same("LMPOP", "1", "a", "LEFT", "COUNT", "abc");
            same("LMPOP", "1", "a", "LEFT", "COUNT", "-1");
            same("LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1");
            same("LMPOP", "1", "a", "LEFT", "FOO");
            same("LMPOP", "1", "a", "LEFT", "COUNT");
            same("LMPOP", "1", "a");
            same("LMPOP", "1");
            same("SET", "s", "v");
            same("RPUSH", "c", "x");
            same("LMPOP", "2", "s", "c", "LEFT");
            same("LMPOP", "2", "c", "s", "LEFT");
            same("LMPOP", "2", "nokey", "s", "LEFT");
            same("EXISTS", "c");
        });
    }

    @Test
    void edgeArguments() {
        both(() -> {
            same("RPUSH", "l", "a", "b", "a", "c", "a");
            same("LPOS", "l", "a", "RANK", "1", "RANK", "2");
            same("LPOS", "l", "a", "COUNT", "1", "COUNT", "0");
            same("LPOS", "l", "a", "MAXLEN", "9223372036854775807");
            same("LPOS", "l", "a", "COUNT", "9223372036854775807");
            same("LPOS", "l", "a", "COUNT", "9223372036854775808");
            same("LPOS", "l", "a", "RANK", "-9223372036854775807", "COUNT", "0");
            same("LPOS", "l", "", "COUNT", "0");
            same("LPOP", "l", "9223372036854775808");
            same("LPOP", "l", "1.0");
            same("LPOP", "l", " 1");
            same("LINDEX", "l", "9223372036854775808");
            same("LINDEX", "l", "-0");
            same("LSET", "l", "-9223372036854775808", "x");
            same("LSET", "l", "9223372036854775808", "x");
            same("LRANGE", "l", "-9223372036854775808", "9223372036854775807");
            same("LTRIM", "l", "-9223372036854775808", "9223372036854775807");
            same("LREM", "l", "9223372036854775808", "a");
            same("LRANGE", "l", "0", "-1");
        });
    }

    @Test
    void expiredListIsGone() throws InterruptedException {
        same("RPUSH", "l", "a", "b");
        same("PEXPIRE", "l", "20");
        Thread.sleep(60);
        same("LLEN", "l");
        same("LPUSHX", "l", "x");
        same("LPOP", "l");
        same("RPUSH", "l", "c");
        same("LRANGE", "l", "0", "-1");
        same("TTL", "l");
    }

    @Test
    void wrongType() {
        both(() -> {
            same("SET", "s", "v");
            same("LPUSH", "s", "a");
            same("RPUSH", "s", "a");
            same("LPUSHX", "s", "a");
            same("RPUSHX", "s", "a");
            same("LPOP", "s");
            same("RPOP", "s", "1");
            same("LPOP", "s", "0");
            same("LLEN", "s");
            same("LINDEX", "s", "0");
            same("LINDEX", "s", "abc");
            same("LSET", "s", "0", "x");
            same("LSET", "s", "x", "x");
            same("LRANGE", "s", "0", "-1");
            same("LTRIM", "s", "0", "-1");
            same("LREM", "s", "0", "a");
            same("LINSERT", "s", "BEFORE", "a", "b");
            same("LPOS", "s", "a");
            same("LPOS", "s", "a", "COUNT", "0");
            same("RPUSH", "l", "a");
            same("GET", "l");
            same("APPEND", "l", "x");
            same("INCR", "l");
            same("STRLEN", "l");
            same("SET", "l", "now a string");
            same("TYPE", "l");
            same("GET", "l");
        });
    }

    @Test
    void keyspaceOperations() {
        both(() -> {
            same("RPUSH", "l", "a", "b", "c");
            same("RENAME", "l", "m");
            same("EXISTS", "l");
            same("LRANGE", "m", "0", "-1");
            same("COPY", "m", "n");
            same("RPUSH", "n", "d");
            same("LRANGE", "m", "0", "-1");
            same("LRANGE", "n", "0", "-1");
            same("COPY", "m", "n");
            same("COPY", "m", "n", "REPLACE");
            same("LRANGE", "n", "0", "-1");
            same("MOVE", "n", "9");
            same("EXISTS", "n");
            same("SELECT", "9");
            same("LRANGE", "n", "0", "-1");
            same("TYPE", "n");
            same("OBJECT", "ENCODING", "n");
            same("FLUSHDB");
            same("SELECT", "0");
            same("EXPIRE", "m", "1000");
            same("TTL", "m");
            same("RPUSH", "m", "z");
            same("TTL", "m");
            same("LPOP", "m", "10");
            same("EXISTS", "m");
            same("TTL", "m");
            same("RPUSH", "m", "y");
            same("TTL", "m");
            same("DEL", "m");
            same("EXISTS", "m");
        });
    }

    @Test
    void encodingWithThresholds() {
        for (String size : new String[]{"-2", "-5", "-1", "4", "1"}) {
            same("CONFIG", "SET", "list-max-listpack-size", size);
            same("CONFIG", "GET", "list-max-listpack-size");
            same("DEL", "l");
            for (int i = 0; i < 20; i++) same("RPUSH", "l", "element-" + i);
            same("OBJECT", "ENCODING", "l");
            same("LRANGE", "l", "0", "-1");
        }
        same("CONFIG", "SET", "list-compress-depth", "1");
        same("CONFIG", "GET", "list-compress-depth");
        same("CONFIG", "GET", "list-max-ziplist-size");
        for (int i = 0; i < 300; i++) same("LPUSH", "big", "value-" + i + "-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        same("OBJECT", "ENCODING", "big");
        same("LINDEX", "big", "150");
        same("LRANGE", "big", "100", "110");
        same("CONFIG", "SET", "list-max-listpack-size", "-2");
        same("CONFIG", "SET", "list-compress-depth", "0");
    }

    /** list-compress-depth: Basalt deflates interior nodes; every read and write still matches. */
    @Test
    void compressedInteriorNodes() {
        for (String depth : new String[]{"1", "2"}) {
            same("CONFIG", "SET", "list-max-listpack-size", "4");
            same("CONFIG", "SET", "list-compress-depth", depth);
            same("DEL", "l");
            for (int i = 0; i < 200; i++) {
                same(i % 3 == 0 ? "LPUSH" : "RPUSH", "l", "compressible value " + (i % 17) + " " + "q".repeat(60));
            }
            same("LINDEX", "l", "100");
            same("LSET", "l", "101", "set in the middle");
            same("LINSERT", "l", "BEFORE", "set in the middle", "inserted");
            same("LPOS", "l", "inserted");
            same("LPOS", "l", "compressible value 3 " + "q".repeat(60), "RANK", "-2", "COUNT", "3");
            same("LREM", "l", "5", "compressible value 5 " + "q".repeat(60));
            same("LRANGE", "l", "0", "-1");
            same("LTRIM", "l", "20", "-20");
            same("LPOP", "l", "30");
            same("RPOP", "l", "30");
            same("LRANGE", "l", "0", "-1");
            same("COPY", "l", "m");
            same("LRANGE", "m", "40", "60");
            same("OBJECT", "ENCODING", "l");
        }
        same("CONFIG", "SET", "list-max-listpack-size", "-2");
        same("CONFIG", "SET", "list-compress-depth", "0");
    }

    @Test
    void longListBothEnds() {
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 200; i++) {
                same(i % 2 == 0 ? "LPUSH" : "RPUSH", "l", "v" + round + "-" + i);
            }
            same("LLEN", "l");
            same("LRANGE", "l", "50", "70");
            same("LPOP", "l", "30");
            same("RPOP", "l", "30");
            same("LINSERT", "l", "AFTER", "v" + round + "-100", "ins");
            same("LREM", "l", "-3", "ins");
            same("LTRIM", "l", "10", "-10");
            same("LINDEX", "l", "-7");
        }
        same("LRANGE", "l", "0", "-1");
    }

    /** Hit/miss counting (reads count, writes don't), error and command statistics as Redis keeps them. */
    @Test
    void statistics() {
        redis.call("CONFIG", "RESETSTAT");
        basalt.call("CONFIG", "RESETSTAT");
        sameAll(cmd("RPUSH", "l", "a", "b", "a"), cmd("LLEN", "l"), cmd("LLEN", "nokey"), cmd("LINDEX", "l", "0"),
                cmd("LINDEX", "nokey", "0"), cmd("LRANGE", "l", "0", "-1"), cmd("LRANGE", "nokey", "0", "-1"),
                cmd("LPOS", "l", "a"), cmd("LPOS", "nokey", "a"), cmd("LPOP", "nokey"), cmd("LSET", "nokey", "0", "x"),
                cmd("LSET", "l", "9", "x"), cmd("LPOP", "l", "-1"), cmd("LPOS", "l", "a", "RANK", "0"),
                cmd("LMPOP", "0", "l", "LEFT"), cmd("LMOVE", "l", "m", "LEFT", "RIGHT"), cmd("RPOPLPUSH", "nokey", "m"),
                cmd("LTRIM", "l", "0", "0"), cmd("LREM", "m", "0", "a"), cmd("SET", "s", "v"), cmd("LPUSH", "s", "x"),
                cmd("LINSERT", "l", "BEFORE", "a", "z"), cmd("LMPOP", "1", "l", "LEFT", "COUNT", "5"));
        String[] ra = redis.call("INFO", "stats").string().split("\r\n");
        String[] ba = basalt.call("INFO", "stats").string().split("\r\n");
        for (String field : new String[]{"keyspace_hits:", "keyspace_misses:", "total_error_replies:"}) {
            org.junit.jupiter.api.Assertions.assertNotNull(line(ra, field), field);
            org.junit.jupiter.api.Assertions.assertEquals(line(ra, field), line(ba, field), field);
        }
        same("INFO", "errorstats");
        String rc = redis.call("INFO", "commandstats").string();
        String bc = basalt.call("INFO", "commandstats").string();
        for (String name : new String[]{"rpush", "llen", "lindex", "lrange", "lpos", "lpop", "lset", "lmpop",
                "lmove", "rpoplpush", "ltrim", "lrem", "lpush", "linsert"}) {
            org.junit.jupiter.api.Assertions.assertNotNull(callCounts(rc, name), name);
            org.junit.jupiter.api.Assertions.assertEquals(callCounts(rc, name), callCounts(bc, name), name);
        }
    }

    /** Basalt's accounted dataset bytes (INFO memory used_memory_dataset). */
    private long dataset() {
        for (String l : basalt.call("INFO", "memory").string().split("\r\n")) {
            if (l.startsWith("used_memory_dataset:")) return Long.parseLong(l.substring(l.indexOf(':') + 1));
        }
        throw new AssertionError("no used_memory_dataset");
    }

    private long memoryUsage(String key) { return basalt.call("MEMORY", "USAGE", key).number(); }

    /**
     * In-place changes are accounted: while lists exist the dataset is the sum of their sizes,
     * and once every list is gone (popped, trimmed, removed, renamed, moved) it is back to zero.
     */
    @Test
    void memoryAccounting() {
        try {
            for (String[] conf : new String[][]{{"-2", "0"}, {"4", "1"}, {"3", "0"}}) {
                basalt.call("CONFIG", "SET", "list-max-listpack-size", conf[0]);
                basalt.call("CONFIG", "SET", "list-compress-depth", conf[1]);
                memoryAccountingRound();
            }
        } finally {
            basalt.call("CONFIG", "SET", "list-max-listpack-size", "-2");
            basalt.call("CONFIG", "SET", "list-compress-depth", "0");
        }
    }

    private void memoryAccountingRound() {
        basalt.call("FLUSHALL");
        long empty = dataset();
        for (int i = 0; i < 500; i++) basalt.call("RPUSH", "a", "element-" + i, "x".repeat(i % 50));
        for (int i = 0; i < 300; i++) basalt.call("LPUSH", "b", "v" + i);
        basalt.call("LSET", "a", "10", "y".repeat(1000));
        basalt.call("LINSERT", "a", "BEFORE", "element-7", "z".repeat(300));
        basalt.call("LREM", "a", "0", "");
        basalt.call("LMOVE", "a", "c", "LEFT", "RIGHT");
        basalt.call("RENAME", "b", "d");
        basalt.call("COPY", "d", "e");
        // reads after turning compression on deflate interior nodes they reach
        basalt.call("CONFIG", "SET", "list-compress-depth", "1");
        basalt.call("LRANGE", "a", "0", "-1");
        basalt.call("LINDEX", "d", "150");
        basalt.call("LPOS", "e", "nothere");
        basalt.call("LINSERT", "c", "BEFORE", "nothere", "x");
        basalt.call("LREM", "d", "0", "nothere");
        org.junit.jupiter.api.Assertions.assertEquals(memoryUsage("a") + memoryUsage("c") + memoryUsage("d")
                + memoryUsage("e"), dataset() - empty);
        basalt.call("LTRIM", "a", "5", "-5");
        basalt.call("LPOP", "a", "100");
        basalt.call("RPOP", "d", "299");
        basalt.call("RPOPLPUSH", "d", "a");
        basalt.call("LMPOP", "2", "e", "c", "LEFT", "COUNT", "1000");
        basalt.call("LMPOP", "1", "c", "LEFT", "COUNT", "1000");
        org.junit.jupiter.api.Assertions.assertEquals(memoryUsage("a"), dataset() - empty);
        basalt.call("LTRIM", "a", "1", "0");
        org.junit.jupiter.api.Assertions.assertEquals(0, basalt.call("DBSIZE").number());
        org.junit.jupiter.api.Assertions.assertEquals(empty, dataset());
    }

    private static String line(String[] lines, String prefix) {
        for (String l : lines) if (l.startsWith(prefix)) return l;
        return null;
    }

    /** cmdstat_x's calls, rejected_calls and failed_calls (the timings differ by nature). */
    private static String callCounts(String info, String name) {
        String l = line(info.split("\\r\\n"), "cmdstat_" + name + ":");
        if (l == null) return null;
        return l.replaceAll(",usec=[0-9]+,usec_per_call=[0-9.]+", "");
    }
}
