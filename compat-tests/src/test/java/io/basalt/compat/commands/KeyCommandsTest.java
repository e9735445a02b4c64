package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DEL UNLINK EXISTS TOUCH TYPE KEYS RANDOMKEY RENAME RENAMENX MOVE COPY SWAPDB OBJECT, against redis-server. */
class KeyCommandsTest extends DifferentialTest {

    private void both(String... cmd) {
        redis.call(cmd);
        basalt.call(cmd);
    }

    /** Compares an array reply whose order is unspecified (KEYS): same elements, same count. */
    private void sameUnordered(String... cmd) {
        RespValue r = redis.call(cmd);
        RespValue b = basalt.call(cmd);
        assertEquals(r.type(), b.type(), () -> "reply type to " + String.join(" ", cmd));
        assertEquals(sorted(r), sorted(b), () -> "reply to " + String.join(" ", cmd));
    }

    private static List<String> sorted(RespValue v) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) out.add(v.get(i).rawString());
        Collections.sort(out);
        return out;
    }

    // ---------------------------------------------------------------- DEL UNLINK EXISTS TOUCH TYPE

    @Test
    void delAndUnlink() {
        sameAll(cmd("SET", "a", "1"), cmd("SET", "b", "2"), cmd("SET", "c", "3"));
        same("DEL", "nokey");
        same("DEL", "a", "a", "nokey");
        same("EXISTS", "a");
        same("UNLINK", "b", "c", "b");
        same("DBSIZE");
        same("DEL");
        same("UNLINK");
        same("SET", "{t}x", "1");
        same("SET", "{t}y", "1");
        same("SET", "other", "1");
        same("DEL", "{t}x", "other", "{t}y", "zz");
        same("DBSIZE");
    }

    @Test
    void existsCountsDuplicates() {
        same("SET", "a", "1");
        same("EXISTS", "a", "a", "a", "b");
        same("EXISTS", "b");
        same("EXISTS");
        same("TOUCH", "a", "a", "b");
        same("TOUCH", "nokey");
        same("TOUCH");
    }

    @Test
    void type() {
        same("SET", "s", "v");
        same("TYPE", "s");
        same("TYPE", "nokey");
        same("TYPE");
        same("TYPE", "a", "b");
        resp3();
        same("TYPE", "s");
        same("TYPE", "nokey");
    }

    // ---------------------------------------------------------------- KEYS

    @Test
    void keysPatterns() {
        for (String k : new String[]{"hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "h?llo", "a[b", "x\\y",
                "foo:1", "foo:2", "foo:10", "FOO:3", "user:{1}", ""}) {
            both("SET", k, "v");
        }
        for (String p : new String[]{"*", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo",
                "h\\*llo", "h\\?llo", "a\\[b", "a[[]b", "x\\\\y", "foo:*", "foo:?", "foo:[0-9]", "FOO*", "*:*",
                "user:{*}", "nomatch*", "h[e", "h[", "", "**", "*o", "[", "\\", "h[\\]]llo", "*llo*"}) {
            sameUnordered("KEYS", p);
        }
        same("KEYS");
        same("KEYS", "a", "b");
        resp3();
        sameUnordered("KEYS", "h*");
        same("KEYS", "nomatch");
    }

    @Test
    void keysSkipsExpiredAndOtherDatabases() throws InterruptedException {
        sameAll(cmd("SET", "a", "1"), cmd("SET", "b", "2"), cmd("PEXPIRE", "b", "20"),
                cmd("SELECT", "3"), cmd("SET", "c", "3"), cmd("SELECT", "0"));
        Thread.sleep(60);
        sameUnordered("KEYS", "*");
        same("SELECT", "3");
        sameUnordered("KEYS", "*");
    }

    @Test
    void keysOnManyKeysAcrossShards() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            String k = "k" + i;
            sb.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k).append("\r\n$1\r\nv\r\n");
        }
        basalt.sendRaw(sb.toString());
        redis.sendRaw(sb.toString());
        for (int i = 0; i < 2000; i++) {
            basalt.read();
            redis.read();
        }
        same("DBSIZE");
        sameUnordered("KEYS", "*");
        sameUnordered("KEYS", "k1?9");
        sameUnordered("KEYS", "k[12]*5");
    }

    // ---------------------------------------------------------------- RANDOMKEY

    @Test
    void randomkey() {
        same("RANDOMKEY");
        same("SET", "only", "1");
        same("RANDOMKEY");
        same("RANDOMKEY", "x");
        resp3();
        same("DEL", "only");
        same("RANDOMKEY");
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            basalt.call("SET", "key" + i, "v");
            all.add("key" + i);
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            String k = basalt.call("RANDOMKEY").string();
            assertTrue(all.contains(k), k);
            seen.add(k);
        }
        assertTrue(seen.size() > 20, "random keys should spread over the keyspace: " + seen.size());
    }

    @Test
    void randomkeySkipsExpiredKeys() throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            basalt.call("SET", "gone" + i, "v");
            basalt.call("PEXPIRE", "gone" + i, "10");
        }
        basalt.call("SET", "stays", "v");
        Thread.sleep(40);
        for (int i = 0; i < 10; i++) assertEquals("stays", basalt.call("RANDOMKEY").string());
    }

    // ---------------------------------------------------------------- RENAME RENAMENX

    @Test
    void rename() {
        same("RENAME", "nokey", "x");
        same("RENAMENX", "nokey", "x");
        same("RENAME", "nokey", "nokey");
        same("SET", "a", "1");
        same("RENAME", "a", "a");
        same("RENAMENX", "a", "a");
        same("RENAME", "a", "b");
        same("GET", "a");
        same("GET", "b");
        same("SET", "c", "3");
        same("RENAMENX", "b", "c");
        same("RENAME", "b", "c");
        same("GET", "c");
        same("EXISTS", "b");
        same("RENAMENX", "c", "d");
        same("GET", "d");
        same("RENAME", "d");
        same("RENAME", "a", "b", "c");
        same("OBJECT", "ENCODING", "d");
        resp3();
        same("RENAME", "d", "e");
        same("RENAMENX", "e", "f");
        same("RENAME", "zz", "e");
    }

    @Test
    void renameKeepsTtlAndEncoding() {
        same("SET", "big", "x".repeat(100));
        same("EXPIRE", "big", "1000");
        same("RENAME", "big", "{other}big");
        same("TTL", "{other}big");
        same("OBJECT", "ENCODING", "{other}big");
        same("SET", "n", "12345");
        same("RENAME", "n", "m");
        same("OBJECT", "ENCODING", "m");
        same("TTL", "m");
        // the destination's TTL is replaced by the source's (none)
        same("SET", "t", "1");
        same("EXPIRE", "t", "500");
        same("RENAME", "m", "t");
        same("TTL", "t");
    }

    @Test
    void renameOfExpiredSourceIsNoSuchKey() throws InterruptedException {
        sameAll(cmd("SET", "a", "1"), cmd("PEXPIRE", "a", "10"), cmd("SET", "b", "2"));
        Thread.sleep(40);
        same("RENAME", "a", "b");
        same("GET", "b");
    }

    // ---------------------------------------------------------------- MOVE

    @Test
    void move() {
        same("MOVE", "nokey", "1");
        same("MOVE", "nokey", "0");
        same("MOVE", "nokey", "16");
        same("MOVE", "nokey", "-1");
        same("MOVE", "nokey", "x");
        same("MOVE", "nokey", "99999999999");
        same("MOVE", "nokey", "1.5");
        same("SET", "a", "1");
        same("EXPIRE", "a", "100");
        same("MOVE", "a", "1");
        same("EXISTS", "a");
        same("SELECT", "1");
        same("GET", "a");
        same("TTL", "a");
        same("SET", "b", "in1");
        same("SELECT", "0");
        same("SET", "b", "in0");
        same("MOVE", "b", "1");
        same("GET", "b");
        same("MOVE");
        same("MOVE", "a");
        same("MOVE", "a", "1", "2");
        resp3();
        same("MOVE", "b", "2");
        same("MOVE", "b", "x");
    }

    // ---------------------------------------------------------------- COPY

    @Test
    void copy() {
        same("COPY", "nokey", "x");
        same("SET", "a", "hello");
        same("COPY", "a", "a");
        same("COPY", "a", "a", "DB", "0");
        same("COPY", "a", "a", "DB", "1");
        same("SELECT", "1");
        same("GET", "a");
        same("SELECT", "0");
        same("COPY", "a", "b");
        same("GET", "b");
        same("COPY", "a", "b");
        same("SET", "a", "world");
        same("COPY", "a", "b", "REPLACE");
        same("GET", "b");
        same("COPY", "a", "b", "replace", "db", "2", "db", "3");
        same("SELECT", "3");
        same("GET", "b");
        same("SELECT", "0");
        same("COPY", "a", "b", "DB");
        same("COPY", "a", "b", "DB", "16");
        same("COPY", "a", "b", "DB", "-1");
        same("COPY", "a", "b", "DB", "x");
        same("COPY", "a", "b", "DB", "99999999999");
        same("COPY", "a", "b", "FOO");
        same("COPY", "a", "b", "REPLACE", "FOO");
        same("COPY", "nokey", "b", "FOO");
        same("COPY", "a");
        resp3();
        same("COPY", "a", "{x}c");
        same("GET", "{x}c");
        same("COPY", "a", "{x}c");
    }

    @Test
    void copyKeepsTtlAndEncoding() {
        same("SET", "n", "42");
        same("EXPIRE", "n", "300");
        same("COPY", "n", "m");
        same("TTL", "m");
        same("OBJECT", "ENCODING", "m");
        same("SET", "r", "y".repeat(60));
        same("COPY", "r", "s");
        same("OBJECT", "ENCODING", "s");
        same("TTL", "s");
        // the copy is independent of the source
        same("SET", "r", "changed");
        same("GET", "s");
        same("PERSIST", "n");
        same("TTL", "m");
    }

    // ---------------------------------------------------------------- SWAPDB

    @Test
    void swapdb() {
        same("SWAPDB", "0", "x");
        same("SWAPDB", "x", "0");
        same("SWAPDB", "x", "y");
        same("SWAPDB", "0", "99999999999");
        same("SWAPDB", "99999999999", "0");
        same("SWAPDB", "0", "16");
        same("SWAPDB", "-1", "0");
        same("SWAPDB", "0");
        same("SWAPDB", "0", "1", "2");
        same("SET", "a", "zero");
        same("SELECT", "1");
        same("SET", "a", "one");
        same("SET", "b", "only-one");
        same("SWAPDB", "0", "1");
        same("GET", "a");
        same("GET", "b");
        same("DBSIZE");
        same("SELECT", "0");
        same("GET", "a");
        same("GET", "b");
        same("DBSIZE");
        same("SWAPDB", "0", "0");
        same("GET", "a");
        resp3();
        same("SWAPDB", "1", "0");
        same("GET", "a");
    }

    // ---------------------------------------------------------------- OBJECT

    @Test
    void objectEncodingAndRefcount() {
        sameAll(cmd("SET", "i", "5"), cmd("SET", "zero", "0"), cmd("SET", "max", "9999"), cmd("SET", "big", "10000"),
                cmd("SET", "neg", "-1"), cmd("SET", "e", "hello"), cmd("SET", "r", "z".repeat(45)),
                cmd("SET", "e44", "z".repeat(44)), cmd("SET", "lead", "05"), cmd("SET", "long", "9223372036854775807"),
                cmd("SET", "over", "9223372036854775808"), cmd("SET", "empty", ""));
        for (String k : new String[]{"i", "zero", "max", "big", "neg", "e", "r", "e44", "lead", "long", "over", "empty", "nokey"}) {
            same("OBJECT", "ENCODING", k);
            same("OBJECT", "REFCOUNT", k);
        }
        same("OBJECT", "ENCODING");
        same("OBJECT", "ENCODING", "a", "b");
        same("OBJECT", "REFCOUNT");
        resp3();
        same("OBJECT", "ENCODING", "i");
        same("OBJECT", "ENCODING", "nokey");
        same("OBJECT", "REFCOUNT", "nokey");
        same("OBJECT", "REFCOUNT", "i");
    }

    @Test
    void objectIdletimeFreqHelp() {
        same("SET", "a", "1");
        same("OBJECT", "FREQ", "a");
        same("OBJECT", "FREQ", "nokey");
        same("OBJECT", "IDLETIME", "nokey");
        same("OBJECT", "IDLETIME");
        same("OBJECT", "FREQ");
        long idle = basalt.call("OBJECT", "IDLETIME", "a").number();
        assertTrue(idle >= 0 && idle <= 2, "idle " + idle);
        same("OBJECT", "HELP");
        same("OBJECT", "help");
        same("OBJECT", "HELP", "x");
        same("OBJECT");
        same("OBJECT", "FOO");
        same("OBJECT", "FOO", "a");
        resp3();
        same("OBJECT", "HELP");
        same("OBJECT", "FREQ", "a");
        same("OBJECT", "IDLETIME", "nokey");
    }

    @Test
    void objectIdletimeGrowsAndTouchResetsIt() throws InterruptedException {
        basalt.call("SET", "a", "1");
        Thread.sleep(2100);
        assertTrue(basalt.call("OBJECT", "IDLETIME", "a").number() >= 1);
        // OBJECT itself does not touch; TOUCH does
        assertTrue(basalt.call("OBJECT", "IDLETIME", "a").number() >= 1);
        basalt.call("TOUCH", "a");
        assertEquals(0, basalt.call("OBJECT", "IDLETIME", "a").number());
    }
}
