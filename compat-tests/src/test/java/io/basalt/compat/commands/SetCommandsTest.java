package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Set commands against redis-server 7.0: byte-identical replies where Redis's order is defined
 * (intsets are ascending), sorted contents where it is not (hashtable sets, random picks).
 */
class SetCommandsTest extends DifferentialTest {

    @AfterEach
    void resetThreshold() {
        redis.call("CONFIG", "SET", "set-max-intset-entries", "512");
        basalt.call("CONFIG", "SET", "set-max-intset-entries", "512");
    }

    /** Same reply type and the same elements in any order (unspecified order in Redis). */
    private void sameSorted(String... cmd) {
        RespValue r = redis.call(cmd);
        RespValue b = basalt.call(cmd);
        assertEquals(r.type(), b.type(), () -> "reply type to " + String.join(" ", cmd));
        assertEquals(sorted(r), sorted(b), () -> "reply to " + String.join(" ", cmd));
    }

    private static List<String> sorted(RespValue v) {
        List<String> out = new ArrayList<>();
        if (v.elements() == null) {
            out.add(v.rawString());
            return out;
        }
        for (RespValue e : v.elements()) out.add(e.isAggregate() ? sorted(e).toString() : e.rawString());
        out.sort(null);
        return out;
    }

    private void both(String... cmd) {
        redis.call(cmd);
        basalt.call(cmd);
    }

    @Test
    void addRemoveMembersIntset() {
        same("SADD", "s", "3", "1", "2", "1");
        same("SADD", "s", "-5", "9223372036854775807", "-9223372036854775808", "0");
        same("SMEMBERS", "s");
        same("OBJECT", "ENCODING", "s");
        same("TYPE", "s");
        same("SCARD", "s");
        same("SISMEMBER", "s", "1");
        same("SISMEMBER", "s", "01");
        same("SISMEMBER", "s", "x");
        same("SMISMEMBER", "s", "1", "x", "2", "-0");
        same("SREM", "s", "1", "1", "x", "01", "2");
        same("SMEMBERS", "s");
        same("SREM", "s", "3", "-5", "9223372036854775807", "-9223372036854775808", "0", "more");
        same("EXISTS", "s");
        same("SMEMBERS", "s");
        same("SCARD", "s");
        same("SREM", "s", "1");
        same("SISMEMBER", "nokey", "1");
        same("SMISMEMBER", "nokey", "1", "2");
        same("SADD", "s");
        same("SREM", "s");
        same("SMISMEMBER", "s");
        same("SCARD");
    }

    @Test
    void resp3Replies() {
        resp3();
        same("SADD", "s", "2", "1");
        same("SMEMBERS", "s");
        same("SMEMBERS", "nokey");
        same("SCARD", "s");
        same("SISMEMBER", "s", "1");
        same("SMISMEMBER", "s", "1", "3");
        same("SMISMEMBER", "nokey", "1");
        same("SRANDMEMBER", "nokey");
        same("SRANDMEMBER", "s", "5");
        same("SRANDMEMBER", "s", "-1", "x");
        same("SUNION", "nokey");
        same("SDIFF", "s", "nokey");
        same("SINTER", "s", "nokey");
        same("SINTERCARD", "1", "nokey");
        same("SSCAN", "s", "0", "MATCH", "2");
        same("SET", "str", "v");
        same("SMEMBERS", "str");
        same("SADD", "h", "z");
        same("SMEMBERS", "h");
        same("SPOP", "h");
        same("SPOP", "h");
    }

    @Test
    void nonCanonicalIntegersMakeHashtables() {
        for (String v : new String[]{"01", "+1", " 1", "-0", "1.0", "9223372036854775808", "", "abc"}) {
            same("DEL", "s");
            same("SADD", "s", "5", v);
            same("OBJECT", "ENCODING", "s");
            sameSorted("SMEMBERS", "s");
            same("SISMEMBER", "s", v);
            same("SISMEMBER", "s", "5");
        }
        same("DEL", "s");
        same("SADD", "s", "abc");
        same("OBJECT", "ENCODING", "s");
        same("SADD", "s", "1");
        same("SREM", "s", "abc");
        same("OBJECT", "ENCODING", "s"); // never converts back
        same("SMEMBERS", "s");
    }

    @Test
    void intsetThreshold() {
        both("CONFIG", "SET", "set-max-intset-entries", "3");
        same("SADD", "s", "1", "2", "3");
        same("OBJECT", "ENCODING", "s");
        same("SADD", "s", "3");
        same("OBJECT", "ENCODING", "s");
        same("SADD", "s", "4");
        same("OBJECT", "ENCODING", "s");
        sameSorted("SMEMBERS", "s");
        same("SADD", "big", "1", "2", "3", "4", "5");
        same("OBJECT", "ENCODING", "big");
        both("CONFIG", "SET", "set-max-intset-entries", "0");
        same("SADD", "z", "1");
        same("OBJECT", "ENCODING", "z");
        same("CONFIG", "GET", "set-max-intset-entries");
        both("CONFIG", "SET", "set-max-intset-entries", "512");
        same("CONFIG", "GET", "set-max-intset-entries");
    }

    @Test
    void wrongTypeBothWays() {
        same("SET", "str", "v");
        for (String[] c : new String[][]{
                {"SADD", "str", "1"}, {"SREM", "str", "1"}, {"SMEMBERS", "str"}, {"SISMEMBER", "str", "1"},
                {"SMISMEMBER", "str", "1"}, {"SCARD", "str"}, {"SPOP", "str"}, {"SPOP", "str", "2"},
                {"SRANDMEMBER", "str"}, {"SRANDMEMBER", "str", "2"}, {"SINTER", "str"}, {"SUNION", "str"},
                {"SDIFF", "str"}, {"SSCAN", "str", "0"}, {"SINTERCARD", "1", "str"}}) {
            same(c);
        }
        same("SADD", "s", "1", "a");
        same("GET", "s");
        same("APPEND", "s", "x");
        same("INCR", "s");
        same("SINTER", "s", "str");
        same("SINTER", "nokey", "str");
        same("SUNION", "s", "str");
        same("SDIFF", "nokey", "str");
        same("SINTERSTORE", "d", "s", "str");
        same("SUNIONSTORE", "d", "s", "str");
        same("SDIFFSTORE", "d", "s", "str");
        same("SMOVE", "str", "s", "1");
        same("SMOVE", "s", "str", "1");
        same("SMOVE", "nokey", "str", "1");
        sameSorted("SMEMBERS", "s");
    }

    @Test
    void spopAndSrandmember() {
        same("SPOP", "nokey");
        same("SPOP", "nokey", "3");
        same("SRANDMEMBER", "nokey");
        same("SRANDMEMBER", "nokey", "3");
        same("SRANDMEMBER", "nokey", "-3");
        same("SADD", "s", "1", "2", "3", "4", "5");
        same("SPOP", "s", "-1");
        same("SPOP", "s", "x");
        same("SPOP", "s", "1", "2");
        same("SPOP", "s", "0");
        same("SRANDMEMBER", "s", "x");
        same("SRANDMEMBER", "s", "-9223372036854775808");
        same("SRANDMEMBER", "s", "1", "2");
        same("SRANDMEMBER", "s", "0");
        same("SRANDMEMBER", "s", "5");
        same("SRANDMEMBER", "s", "100"); // whole intset: ascending
        sameShape("SRANDMEMBER", "s", "3");
        sameShape("SRANDMEMBER", "s", "-20");
        sameShape("SRANDMEMBER", "s");
        RespValue distinct = basalt.call("SRANDMEMBER", "s", "4");
        assertEquals(4, new HashSet<>(sorted(distinct)).size());
        RespValue dup = basalt.call("SRANDMEMBER", "s", "-50");
        assertEquals(50, dup.size());
        Set<String> members = Set.of("1", "2", "3", "4", "5");
        for (RespValue e : dup.elements()) assertTrue(members.contains(e.string()));
        sameShape("SPOP", "s");
        same("SCARD", "s");
        sameShape("SPOP", "s", "2");
        same("SCARD", "s");
        sameShape("SPOP", "s", "2");
        same("EXISTS", "s");
        same("SADD", "h", "a", "b", "c");
        sameSorted("SRANDMEMBER", "h", "3");
        sameSorted("SPOP", "h", "10");
        same("EXISTS", "h");
        same("SADD", "one", "x");
        same("SPOP", "one");
        same("EXISTS", "one");
        same("SADD", "i", "3", "1", "2");
        same("SPOP", "i", "3"); // whole intset: ascending
        resp3();
        same("SPOP", "nokey");
        same("SPOP", "nokey", "2");
        same("SRANDMEMBER", "nokey", "2");
        same("SADD", "i", "3", "1", "2");
        same("SPOP", "i", "0");
        same("SRANDMEMBER", "i", "0");
        same("SRANDMEMBER", "i", "10");
        sameShape("SRANDMEMBER", "i", "2");
        sameShape("SPOP", "i", "2");
        sameShape("SPOP", "i", "5");
    }

    /** Same reply type and element count (random contents). */
    private void sameShape(String... cmd) {
        RespValue r = redis.call(cmd);
        RespValue b = basalt.call(cmd);
        assertEquals(r.type(), b.type(), () -> "reply type to " + String.join(" ", cmd));
        assertEquals(r.size(), b.size(), () -> "reply size to " + String.join(" ", cmd));
    }

    @Test
    void smove() {
        same("SADD", "a", "1", "2", "x");
        same("SMOVE", "a", "b", "1");
        same("OBJECT", "ENCODING", "b");
        same("SMOVE", "a", "c", "x");
        same("OBJECT", "ENCODING", "c");
        same("SMOVE", "a", "b", "nope");
        same("SMOVE", "a", "a", "2");
        same("SMOVE", "a", "a", "nope");
        same("SMOVE", "a", "b", "2");
        same("EXISTS", "a");
        same("SMEMBERS", "b");
        same("SMOVE", "nokey", "b", "1");
        same("SADD", "b", "5");
        same("SMOVE", "c", "b", "x");
        same("OBJECT", "ENCODING", "b");
        sameSorted("SMEMBERS", "b");
        same("SMOVE", "b", "c");
    }

    @Test
    void interUnionDiff() {
        same("SADD", "a", "1", "2", "3", "4");
        same("SADD", "b", "3", "4", "5");
        same("SADD", "c", "4", "x", "3");
        same("SADD", "d", "x", "y", "z");
        same("SINTER", "a", "b");
        same("SINTER", "a", "b", "nokey");
        same("SINTER", "a", "a");
        sameSorted("SINTER", "c", "a");
        same("SINTER", "a");
        same("SUNION", "a", "b", "nokey");
        sameSorted("SUNION", "a", "c");
        same("SUNION", "nokey");
        same("SDIFF", "a", "b");
        same("SDIFF", "a", "c", "nokey");
        same("SDIFF", "nokey", "a");
        same("SDIFF", "a", "a");
        sameSorted("SDIFF", "d", "c");
        same("SINTERCARD", "2", "a", "b");
        same("SINTERCARD", "2", "a", "b", "LIMIT", "1");
        same("SINTERCARD", "2", "a", "b", "limit", "0");
        same("SINTERCARD", "2", "a", "nokey");
        same("SINTERCARD", "1", "a", "LIMIT", "2", "LIMIT", "3");
        same("SINTERCARD", "0", "a");
        same("SINTERCARD", "-1", "a");
        same("SINTERCARD", "x", "a");
        same("SINTERCARD", "3", "a", "b");
        same("SINTERCARD", "1", "a", "LIMIT");
        same("SINTERCARD", "1", "a", "LIMIT", "-1");
        same("SINTERCARD", "1", "a", "LIMIT", "x");
        same("SINTERCARD", "1", "a", "FOO", "1");
        same("SINTERCARD", "1");
        // *STORE: replace the destination whatever it held, drop its TTL, delete on empty
        same("SET", "dst", "string");
        same("EXPIRE", "dst", "100");
        same("SINTERSTORE", "dst", "a", "b");
        same("TYPE", "dst");
        same("TTL", "dst");
        same("SMEMBERS", "dst");
        same("OBJECT", "ENCODING", "dst");
        same("SUNIONSTORE", "dst", "a", "c");
        same("OBJECT", "ENCODING", "dst");
        sameSorted("SMEMBERS", "dst");
        same("SDIFFSTORE", "dst", "a", "b");
        same("SMEMBERS", "dst");
        same("SINTERSTORE", "dst", "a", "d");
        same("EXISTS", "dst");
        same("SET", "dst", "v");
        same("SINTERSTORE", "dst", "a", "nokey");
        same("EXISTS", "dst");
        same("SET", "dst", "v");
        same("SUNIONSTORE", "dst", "nokey");
        same("EXISTS", "dst");
        same("SET", "dst", "v");
        same("SDIFFSTORE", "dst", "a", "a");
        same("EXISTS", "dst");
        same("SUNIONSTORE", "a", "a", "b");
        same("SMEMBERS", "a");
        same("SDIFFSTORE", "a", "a", "b");
        same("SMEMBERS", "a");
        same("SINTERSTORE", "dst");
        resp3();
        same("SINTER", "a", "b");
        same("SINTER", "a", "nokey");
        same("SUNION", "a", "b");
        same("SDIFF", "nokey", "a");
        same("SMEMBERS", "a");
        same("SMEMBERS", "nokey");
        same("SINTERCARD", "2", "a", "b");
        same("SINTERSTORE", "dst", "a", "b");
    }

    @Test
    void diffAlgorithmsGiveRedisEncodings() {
        // one big first set and small others: Redis copies the first set then removes (algorithm
        // 2), so the all-integer result keeps the hashtable encoding the copy took on
        same("SADD", "a", "x", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        same("SADD", "b", "x");
        same("SADD", "c", "9");
        same("SDIFFSTORE", "d", "a", "b", "c");
        same("OBJECT", "ENCODING", "d");
        sameSorted("SDIFF", "a", "b", "c");
        // comparable sizes: Redis probes (algorithm 1) and builds an intset
        same("SADD", "e", "x", "1", "2", "3", "4", "5", "6", "7", "8");
        same("SDIFFSTORE", "d", "a", "e");
        same("OBJECT", "ENCODING", "d");
        same("SMEMBERS", "d");
        same("SDIFFSTORE", "d", "b", "a");
        same("EXISTS", "d");
    }

    @Test
    void sscan() {
        same("SSCAN", "nokey", "0");
        same("SSCAN", "nokey", "x");
        same("SSCAN", "nokey", "0", "COUNT", "0");
        same("SADD", "s", "1", "2", "3", "10", "20");
        same("SSCAN", "s", "0");
        same("SSCAN", "s", "0", "COUNT", "1");
        same("SSCAN", "s", "0", "MATCH", "1*");
        same("SSCAN", "s", "0", "MATCH", "*", "COUNT", "2");
        same("SSCAN", "s", "-1");
        same("SSCAN", "s", "18446744073709551615");
        same("SSCAN", "s", "18446744073709551616");
        same("SSCAN", "s", "x");
        same("SSCAN", "s", "0", "COUNT", "0");
        same("SSCAN", "s", "0", "COUNT", "x");
        same("SSCAN", "s", "0", "MATCH");
        same("SSCAN", "s", "0", "TYPE", "set");
        same("SSCAN", "s", "0", "FOO", "bar");
        same("SSCAN", "s");
        same("SADD", "h", "a", "b", "c", "ab");
        sameSorted("SSCAN", "h", "0");
        sameSorted("SSCAN", "h", "0", "MATCH", "a*");
        resp3();
        same("SSCAN", "s", "0");
        same("SSCAN", "nokey", "0");
    }

    @Test
    void sscanLargeHashtableVisitsAll() {
        List<String> cmd = new ArrayList<>(List.of("SADD", "big"));
        for (int i = 0; i < 300; i++) cmd.add("m" + i);
        basalt.call(cmd.toArray(new String[0]));
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int calls = 0;
        do {
            RespValue r = basalt.call("SSCAN", "big", cursor, "COUNT", "7");
            cursor = r.get(0).string();
            for (RespValue e : r.get(1).elements()) seen.add(e.string());
            if (calls == 3) basalt.call("SREM", "big", "m299", "m0", "m150");
            calls++;
        } while (!cursor.equals("0"));
        assertTrue(calls > 10);
        for (int i = 1; i < 299; i++) if (i != 150) assertTrue(seen.contains("m" + i), "m" + i);
    }

    @Test
    void renameCopyMove() {
        same("SADD", "s", "1", "2", "3");
        same("SADD", "h", "a", "b");
        same("RENAME", "s", "s2");
        same("SMEMBERS", "s2");
        same("OBJECT", "ENCODING", "s2");
        same("COPY", "s2", "s3");
        same("SADD", "s3", "4");
        same("SMEMBERS", "s2");
        same("SMEMBERS", "s3");
        same("COPY", "h", "h2");
        same("SREM", "h2", "a");
        sameSorted("SMEMBERS", "h");
        same("SMEMBERS", "h2");
        same("RENAME", "h", "hh");
        sameSorted("SMEMBERS", "hh");
        same("OBJECT", "ENCODING", "hh");
        same("MOVE", "s3", "5");
        same("EXISTS", "s3");
        same("SELECT", "5");
        same("SMEMBERS", "s3");
        same("DEL", "s3");
        same("SELECT", "0");
        same("EXPIRE", "s2", "100");
        same("RENAME", "s2", "s4");
        same("TTL", "s4");
        same("SADD", "s4", "5");
        same("TTL", "s4");
    }

    @Test
    void srandmemberDistinctFromABigSet() {
        List<String> cmd = new ArrayList<>(List.of("SADD", "big"));
        for (int i = 0; i < 100; i++) cmd.add("m" + i);
        basalt.call(cmd.toArray(new String[0]));
        for (int n : new int[]{1, 5, 33, 34, 60, 99}) {
            RespValue r = basalt.call("SRANDMEMBER", "big", Integer.toString(n));
            assertEquals(n, r.size());
            assertEquals(n, new HashSet<>(sorted(r)).size());
        }
        RespValue p = basalt.call("SPOP", "big", "10");
        assertEquals(10, new HashSet<>(sorted(p)).size());
        assertEquals(90, basalt.call("SCARD", "big").number());
    }

    @Test
    void ttlSurvivesInPlaceChanges() {
        same("SADD", "s", "1", "2", "3", "a");
        same("EXPIRE", "s", "1000");
        same("SADD", "s", "4");
        same("SREM", "s", "1");
        same("SPOP", "s", "0");
        same("SMOVE", "s", "t", "2");
        same("TTL", "s");
        same("TTL", "t");
        same("SUNIONSTORE", "s", "s");
        same("TTL", "s");
    }

    @Test
    void memoryUsageFollowsContents() {
        basalt.call("SADD", "s", "1");
        long small = basalt.call("MEMORY", "USAGE", "s").number();
        List<String> cmd = new ArrayList<>(List.of("SADD", "s"));
        for (int i = 0; i < 400; i++) cmd.add("member-" + i);
        basalt.call(cmd.toArray(new String[0]));
        long big = basalt.call("MEMORY", "USAGE", "s").number();
        assertTrue(big > small + 400 * 20, small + " -> " + big);
        basalt.call("SADD", "ints", "1", "2", "3", "4", "5", "6", "7", "8");
        assertTrue(basalt.call("MEMORY", "USAGE", "ints").number() < 300);
    }

    @Test
    void binaryMembers() {
        same(b("SADD"), b("bin"), b("a\u0000b"), b("\r\n"), b(""));
        same(b("SISMEMBER"), b("bin"), b("a\u0000b"));
        same(b("SISMEMBER"), b("bin"), b("a"));
        same(b("SCARD"), b("bin"));
        same(b("SREM"), b("bin"), b(""));
        same(b("SCARD"), b("bin"));
    }

    private static byte[] b(String s) { return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); }
}
