package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashCommandsTest extends DifferentialTest {

    @AfterEach
    void restoreThresholds() {
        for (var c : new io.basalt.compat.harness.RawClient[]{redis, basalt}) {
            c.call("HELLO", "2");
            c.call("CONFIG", "SET", "hash-max-listpack-entries", "512");
            c.call("CONFIG", "SET", "hash-max-listpack-value", "64");
        }
    }

    private void both(String... cmd) {
        redis.call(cmd);
        basalt.call(cmd);
    }

    private void thresholds(int entries, int value) {
        both("CONFIG", "SET", "hash-max-listpack-entries", String.valueOf(entries));
        both("CONFIG", "SET", "hash-max-listpack-value", String.valueOf(value));
    }

    /** The reply's elements as sorted strings (for orders Redis leaves unspecified). */
    private static List<String> sorted(RespValue v) {
        List<String> out = new ArrayList<>();
        for (RespValue e : v.elements()) out.add(e.isAggregate() ? e.get(0).string() + "=" + e.get(1).string() : e.string());
        Collections.sort(out);
        return out;
    }

    private static List<String> pairsSorted(RespValue v) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i += 2) out.add(v.get(i).string() + "=" + v.get(i + 1).string());
        Collections.sort(out);
        return out;
    }

    /** HGETALL compared as sorted field=value pairs (a hashtable's order is unspecified). */
    private void sameContents(String key) {
        assertEquals(pairsSorted(redis.call("HGETALL", key)), pairsSorted(basalt.call("HGETALL", key)));
    }

    private void sameSorted(String... cmd) {
        RespValue a = redis.call(cmd);
        RespValue b = basalt.call(cmd);
        assertEquals(a.type(), b.type(), String.join(" ", cmd));
        assertEquals(sorted(a), sorted(b), String.join(" ", cmd));
    }

    @Test
    void setGetBasics() {
        same("HSET", "h", "a", "1");
        same("HSET", "h", "a", "2", "b", "3", "c", "4");
        same("HGET", "h", "a");
        same("HGET", "h", "zz");
        same("HGET", "nokey", "a");
        same("HSET", "h", "a");
        same("HSET", "h", "a", "1", "b");
        same("HSET", "h");
        same("HMSET", "h", "d", "5", "e", "");
        same("HMSET", "h", "d");
        same("HMSET", "h2", "x", "1");
        same("HGETALL", "h");
        same("HKEYS", "h");
        same("HVALS", "h");
        same("HLEN", "h");
        same("HLEN", "nokey");
        same("HMGET", "h", "a", "zz", "e", "c");
        same("HMGET", "nokey", "a", "b");
        same("HMGET", "h");
        same("HGETALL", "nokey");
        same("HKEYS", "nokey");
        same("HVALS", "nokey");
        same("HSTRLEN", "h", "a");
        same("HSTRLEN", "h", "e");
        same("HSTRLEN", "h", "zz");
        same("HSTRLEN", "nokey", "a");
        same("HEXISTS", "h", "a");
        same("HEXISTS", "h", "zz");
        same("HEXISTS", "nokey", "a");
        same("HSETNX", "h", "a", "9");
        same("HSETNX", "h", "new", "9");
        same("HSETNX", "fresh", "f", "v");
        same("HGETALL", "h");
        same("HGETALL", "fresh");
        same("TYPE", "h");
        same("OBJECT", "ENCODING", "h");
        same(b("HSET"), b("bin"), b("\u0000\u00ff\r\n"), b("\u0001\u0000"));
        same(b("HGET"), b("bin"), b("\u0000\u00ff\r\n"));
        same("HGETALL", "bin");
    }

    private static byte[] b(String s) { return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); }

    @Test
    void resp3Shapes() {
        resp3();
        same("HSET", "h", "a", "1", "b", "2", "c", "3");
        same("HGETALL", "h");
        same("HGETALL", "nokey");
        same("HKEYS", "h");
        same("HVALS", "h");
        same("HMGET", "h", "a", "x");
        same("HGET", "h", "x");
        same("HGET", "nokey", "x");
        same("HRANDFIELD", "nokey");
        same("HRANDFIELD", "nokey", "3");
        same("HRANDFIELD", "nokey", "3", "WITHVALUES");
        same("HRANDFIELD", "h", "0", "WITHVALUES");
        same("HRANDFIELD", "h", "3", "WITHVALUES");
        same("HRANDFIELD", "h", "10", "WITHVALUES");
        same("HRANDFIELD", "h", "10");
        same("HSET", "one", "f", "v");
        same("HRANDFIELD", "one", "1", "WITHVALUES");
        same("HRANDFIELD", "one", "-3", "WITHVALUES");
        same("HRANDFIELD", "one", "-3");
        same("HRANDFIELD", "one");
        same("HSCAN", "h", "0");
        same("HSCAN", "nokey", "0");
        same("HINCRBYFLOAT", "h", "a", "1.5");
        same("HINCRBY", "h", "b", "5");
    }

    @Test
    void deleteAndEmptyRemoval() {
        same("HSET", "h", "a", "1", "b", "2", "c", "3");
        same("HDEL", "h", "a", "zz", "a");
        same("HGETALL", "h");
        same("HDEL", "nokey", "a");
        same("HDEL", "h", "b", "c");
        same("EXISTS", "h");
        same("HLEN", "h");
        same("HDEL", "h");
        same("SET", "s", "x");
        same("HDEL", "s", "a");
        thresholds(2, 64);
        same("HSET", "t", "a", "1", "b", "2", "c", "3");
        same("OBJECT", "ENCODING", "t");
        same("HDEL", "t", "a", "b");
        same("OBJECT", "ENCODING", "t");
        same("HDEL", "t", "c");
        same("EXISTS", "t");
    }

    @Test
    void incrby() {
        same("HINCRBY", "h", "a", "5");
        same("HINCRBY", "h", "a", "-7");
        same("HINCRBY", "h", "a", "x");
        same("HINCRBY", "h", "a", "1.5");
        same("HINCRBY", "h", "a", "99999999999999999999");
        same("HSET", "h", "s", "abc", "big", "9223372036854775807", "small", "-9223372036854775808", "sp", " 1");
        same("HINCRBY", "h", "s", "1");
        same("HINCRBY", "h", "sp", "1");
        same("HINCRBY", "h", "big", "1");
        same("HINCRBY", "h", "big", "0");
        same("HINCRBY", "h", "small", "-1");
        same("HINCRBY", "h", "small", "1");
        same("HINCRBY", "new", "f", "-3");
        same("HGETALL", "h");
        same("HGETALL", "new");
        same("SET", "str", "1");
        same("HINCRBY", "str", "f", "1");
        same("HINCRBY", "str", "f", "x");
    }

    @Test
    void incrbyfloat() {
        same("HINCRBYFLOAT", "h", "a", "10.5");
        same("HINCRBYFLOAT", "h", "a", "0.1");
        same("HINCRBYFLOAT", "h", "a", "-5e3");
        same("HINCRBYFLOAT", "h", "a", "abc");
        same("HINCRBYFLOAT", "h", "a", "inf");
        same("HINCRBYFLOAT", "h", "a", "-inf");
        same("HINCRBYFLOAT", "h", "a", "nan");
        same("HINCRBYFLOAT", "h", "a", "");
        same("HINCRBYFLOAT", "h", "a", "0x10");
        same("HINCRBYFLOAT", "h", "b", "3.0e0");
        same("HINCRBYFLOAT", "h", "c", "1e4930");
        same("HINCRBYFLOAT", "h", "c", "1e4930");
        same("HINCRBYFLOAT", "h", "c", "1e4931");
        same("HSET", "h", "s", "abc", "i", "inf", "n", "5");
        same("HINCRBYFLOAT", "h", "s", "1");
        same("HINCRBYFLOAT", "h", "i", "1");
        same("HINCRBYFLOAT", "h", "n", "0.0000001");
        same("HINCRBYFLOAT", "h", "n", "-5.0000001");
        same("OBJECT", "ENCODING", "h");
        sameContents("h");
        same("SET", "str", "1");
        same("HINCRBYFLOAT", "str", "f", "1");
        same("HINCRBYFLOAT", "str", "f", "x");
    }

    @Test
    void wrongTypeBothWays() {
        same("SET", "s", "v");
        for (String[] c : new String[][]{
                {"HSET", "s", "a", "1"}, {"HMSET", "s", "a", "1"}, {"HSETNX", "s", "a", "1"}, {"HGET", "s", "a"},
                {"HMGET", "s", "a"}, {"HGETALL", "s"}, {"HKEYS", "s"}, {"HVALS", "s"}, {"HLEN", "s"},
                {"HSTRLEN", "s", "a"}, {"HEXISTS", "s", "a"}, {"HDEL", "s", "a"}, {"HINCRBY", "s", "a", "1"},
                {"HINCRBYFLOAT", "s", "a", "1"}, {"HRANDFIELD", "s"}, {"HRANDFIELD", "s", "2"},
                {"HRANDFIELD", "s", "2", "WITHVALUES"}, {"HSCAN", "s", "0"}, {"HSCAN", "s", "x"}}) {
            same(c);
        }
        same("HSET", "h", "a", "1");
        same("GET", "h");
        same("APPEND", "h", "x");
        same("INCR", "h");
        same("STRLEN", "h");
        same("SET", "h", "now a string");
        same("TYPE", "h");
        same("GET", "h");
    }

    @Test
    void encodings() {
        thresholds(3, 5);
        same("HSET", "h", "a", "1", "b", "2", "c", "3");
        same("OBJECT", "ENCODING", "h");
        same("HGETALL", "h");
        same("HSET", "h", "d", "4");
        same("OBJECT", "ENCODING", "h");
        same("HDEL", "h", "a", "b", "c");
        same("OBJECT", "ENCODING", "h");
        same("HSET", "v", "a", "12345");
        same("OBJECT", "ENCODING", "v");
        same("HSET", "v", "a", "123456");
        same("OBJECT", "ENCODING", "v");
        same("HSET", "f", "abcdef", "1");
        same("OBJECT", "ENCODING", "f");
        same("HSETNX", "n", "abcdef", "1");
        same("OBJECT", "ENCODING", "n");
        same("HSET", "i", "x", "1");
        same("HINCRBY", "i", "longfield", "1");
        same("OBJECT", "ENCODING", "i");
        same("HSET", "j", "x", "1");
        same("HINCRBYFLOAT", "j", "x", "0.123456");
        same("OBJECT", "ENCODING", "j");
        same("HSET", "dup", "a", "1", "a", "2", "a", "3", "a", "4");
        same("OBJECT", "ENCODING", "dup");
        same("HGETALL", "dup");
        thresholds(512, 5);
        same("HSET", "u", "a", "1", "b", "2", "c", "3");
        same("HSET", "w", "a", "1", "b", "2", "c", "3");
        same("HSETNX", "u", "a", "1234567");
        same("OBJECT", "ENCODING", "u");
        thresholds(2, 5);
        same("OBJECT", "ENCODING", "u");
        same("HSET", "u", "a", "9");
        same("OBJECT", "ENCODING", "u");
        same("HINCRBY", "w", "a", "1");
        same("OBJECT", "ENCODING", "w");
        thresholds(0, 64);
        same("HSET", "z", "a", "1");
        same("OBJECT", "ENCODING", "z");
        thresholds(128, 64);
        same("HSET", "big", "a", "1");
        same("OBJECT", "ENCODING", "big");
        same("CONFIG", "GET", "hash-max-listpack-entries");
        same("CONFIG", "GET", "hash-max-ziplist-value");
        // hashtable order is unspecified: compare contents
        sameSorted("HKEYS", "h");
        sameSorted("HVALS", "h");
        sameContents("h");
    }

    @Test
    void renameCopyMove() {
        same("HSET", "h", "a", "1", "b", "2");
        same("RENAME", "h", "h2");
        same("HGETALL", "h2");
        same("EXISTS", "h");
        same("COPY", "h2", "h3");
        same("HSET", "h3", "c", "3");
        same("HGETALL", "h2");
        same("HGETALL", "h3");
        same("OBJECT", "ENCODING", "h3");
        same("MOVE", "h3", "5");
        same("EXISTS", "h3");
        same("SELECT", "5");
        same("HGETALL", "h3");
        same("TYPE", "h3");
        same("DEL", "h3");
        same("SELECT", "0");
        same("EXPIRE", "h2", "100");
        same("COPY", "h2", "h4");
        same("TTL", "h4");
        same("HDEL", "h2", "a");
        same("TTL", "h2");
        thresholds(1, 64);
        same("HSET", "ht", "a", "1", "b", "2");
        same("COPY", "ht", "ht2");
        same("OBJECT", "ENCODING", "ht2");
        same("RENAME", "ht", "ht3");
        same("OBJECT", "ENCODING", "ht3");
        same("HLEN", "ht3");
        same("DEL", "ht3", "ht2");
    }

    @Test
    void hrandfield() {
        same("HRANDFIELD", "nokey");
        same("HRANDFIELD", "nokey", "5");
        same("HRANDFIELD", "nokey", "-5", "WITHVALUES");
        same("HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
        same("HRANDFIELD", "h", "x");
        same("HRANDFIELD", "h", "1.5");
        same("HRANDFIELD", "h", "-9223372036854775808");
        same("HRANDFIELD", "h", "9223372036854775807", "WITHVALUES");
        same("HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES");
        same("HRANDFIELD", "h", "1", "WITHVALUESX");
        same("HRANDFIELD", "h", "1", "WITHVALUES", "x");
        same("HRANDFIELD", "h", "0");
        same("HRANDFIELD", "h", "5");
        same("HRANDFIELD", "h", "50", "withvalues");
        Set<String> fields = Set.of("a", "b", "c", "d", "e");
        for (int k = 0; k < 20; k++) {
            assertTrue(fields.contains(basalt.call("HRANDFIELD", "h").string()));
            RespValue some = basalt.call("HRANDFIELD", "h", "3");
            assertEquals(3, some.size());
            assertEquals(3, new HashSet<>(sorted(some)).size());
            RespValue rep = basalt.call("HRANDFIELD", "h", "-20", "WITHVALUES");
            assertEquals(40, rep.size());
            for (int i = 0; i < 40; i += 2) {
                String f = rep.get(i).string();
                assertTrue(fields.contains(f));
                assertEquals(String.valueOf((char) ('1' + (f.charAt(0) - 'a'))), rep.get(i + 1).string());
            }
        }
        resp3();
        RespValue pairs = basalt.call("HRANDFIELD", "h", "-4", "WITHVALUES");
        assertEquals(4, pairs.size());
        for (RespValue p : pairs.elements()) assertEquals(2, p.size());
        RespValue uniq = basalt.call("HRANDFIELD", "h", "4", "WITHVALUES");
        assertEquals(4, uniq.size());
        // randomness: every field shows up over many draws
        Map<String, Integer> seen = new HashMap<>();
        for (int k = 0; k < 200; k++) seen.merge(basalt.call("HRANDFIELD", "h").string(), 1, Integer::sum);
        assertEquals(fields, seen.keySet());
        thresholds(2, 64);
        same("HSET", "t", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
        for (String cnt : new String[]{"2", "4", "5", "9", "-7"}) {
            RespValue r = basalt.call("HRANDFIELD", "t", cnt, "WITHVALUES");
            assertEquals(Math.min(Math.abs(Integer.parseInt(cnt)), cnt.startsWith("-") ? 99 : 5), r.size());
        }
        sameSorted("HRANDFIELD", "t", "5");
        sameSorted("HRANDFIELD", "t", "10", "WITHVALUES");
    }

    @Test
    void hscan() {
        same("HSCAN", "nokey", "0");
        same("HSCAN", "nokey", "0", "COUNT", "0");
        same("HSCAN", "nokey", "x");
        same("HSET", "h", "a1", "1", "b1", "2", "a2", "3");
        same("HSCAN", "h", "0");
        same("HSCAN", "h", "0", "MATCH", "a*");
        same("HSCAN", "h", "0", "MATCH", "*");
        same("HSCAN", "h", "0", "MATCH", "zz*", "COUNT", "1");
        same("HSCAN", "h", "0", "COUNT", "1");
        same("HSCAN", "h", "17", "COUNT", "1");
        same("HSCAN", "h", "0", "COUNT", "0");
        same("HSCAN", "h", "0", "COUNT", "-1");
        same("HSCAN", "h", "0", "COUNT", "x");
        same("HSCAN", "h", "0", "COUNT");
        same("HSCAN", "h", "0", "TYPE", "string");
        same("HSCAN", "h", "0", "FOO", "bar");
        same("HSCAN", "h", "abc");
        same("HSCAN", "h", "-1");
        same("HSCAN", "h", "18446744073709551616");
        same("HSCAN", "h");
        // a hashtable-encoded hash: iterate to the end, every field exactly once here
        thresholds(4, 64);
        List<String> args = new ArrayList<>(List.of("HSET", "big"));
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            args.add("f" + i);
            args.add("v" + i);
            if (i % 3 == 0) expected.add("f" + i);
        }
        same(args.toArray(new String[0]));
        same("OBJECT", "ENCODING", "big");
        Set<String> got = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            RespValue r = basalt.call("HSCAN", "big", cursor, "MATCH", "f*[0369]", "COUNT", "7");
            cursor = r.get(0).string();
            RespValue items = r.get(1);
            for (int i = 0; i < items.size(); i += 2) {
                String f = items.get(i).string();
                assertEquals("v" + f.substring(1), items.get(i + 1).string());
                got.add(f);
            }
            calls++;
        } while (!cursor.equals("0"));
        assertTrue(calls > 1);
        Set<String> want = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String s = String.valueOf(i);
            char last = s.charAt(s.length() - 1);
            if ("0369".indexOf(last) >= 0) want.add("f" + i);
        }
        assertEquals(want, got);
        RespValue first = basalt.call("HSCAN", "big", "0", "COUNT", "1000");
        assertEquals("0", first.get(0).string());
        assertEquals(600, first.get(1).size());
    }

    @Test
    void arityAndMemory() {
        same("HGET", "h");
        same("HLEN");
        same("HEXISTS", "h");
        same("HSETNX", "h", "a");
        same("HINCRBY", "h", "a");
        same("HINCRBYFLOAT", "h", "a");
        same("HSTRLEN", "h");
        same("HRANDFIELD");
        same("HSCAN", "h");
        same("HDEL", "h");
        same("HKEYS");
        basalt.call("HSET", "m", "a", "1");
        long small = basalt.call("MEMORY", "USAGE", "m").number();
        List<String> args = new ArrayList<>(List.of("HSET", "m"));
        for (int i = 0; i < 1000; i++) {
            args.add("field" + i);
            args.add("value" + i);
        }
        basalt.call(args.toArray(new String[0]));
        long big = basalt.call("MEMORY", "USAGE", "m").number();
        assertTrue(big > small + 10000, small + " -> " + big);
    }

    /**
     * HRANDFIELD with a negative count draws every field with the same chance in the hash-table
     * encoding too (a chi-square over 20,000 draws of 10 fields; the 0.001% critical value for 9
     * degrees of freedom is 37.3, so a fair draw fails about once in 100,000 runs).
     */
    @Test
    void hrandfieldWithRepetitionsIsUniformInTheHashTable() {
        String big = "v".repeat(100); // past hash-max-listpack-value: a hash table
        for (int i = 0; i < 10; i++) basalt.call("HSET", "uniform", "f" + i, big);
        assertEquals("hashtable", basalt.call("OBJECT", "ENCODING", "uniform").string());
        Map<String, Integer> seen = new HashMap<>();
        for (RespValue v : basalt.call("HRANDFIELD", "uniform", "-20000").elements()) seen.merge(v.string(), 1, Integer::sum);
        assertEquals(10, seen.size());
        double chi2 = 0;
        for (int n : seen.values()) chi2 += (n - 2000.0) * (n - 2000.0) / 2000.0;
        assertTrue(chi2 < 37.3, "chi-square " + chi2 + ": " + seen);
    }
}
