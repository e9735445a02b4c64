package io.basalt.compat.commands;

import io.basalt.compat.harness.DifferentialTest;
import io.basalt.compat.harness.RawClient;
import io.basalt.resp.RespValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SCAN. Cursor values are Basalt's own (shard index + bucket cursor), so iteration semantics are
 * checked on Basalt; error replies, and replies that don't depend on cursors, are compared with
 * redis-server byte for byte.
 */
class ScanTest extends DifferentialTest {

    private void fill(RawClient c, String prefix, int n) {
        ByteArrayOutputStream bulk = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            bulk.writeBytes(RawClient.encode(b("SET"), b(prefix + i), b("v")));
        }
        c.sendRaw(bulk.toByteArray());
        for (int i = 0; i < n; i++) c.read();
    }

    /** Runs a whole iteration with the extra arguments; returns every key returned (duplicates kept). */
    private List<String> iterate(String... extra) {
        List<String> keys = new ArrayList<>();
        String cursor = "0";
        int calls = 0;
        do {
            List<String> cmd = new ArrayList<>(List.of("SCAN", cursor));
            cmd.addAll(List.of(extra));
            RespValue r = basalt.call(cmd.toArray(new String[0]));
            assertEquals(2, r.size(), r::toString);
            cursor = r.get(0).string();
            for (int i = 0; i < r.get(1).size(); i++) keys.add(r.get(1).get(i).string());
            assertTrue(++calls < 1_000_000, "SCAN must terminate");
        } while (!cursor.equals("0"));
        return keys;
    }

    @Test
    void errorsMatchRedis() {
        same("SCAN");
        same("SCAN", "x");
        same("SCAN", " 1");
        same("SCAN", "1 ");
        same("SCAN", "0x10");
        same("SCAN", "18446744073709551616");
        same("SCAN", "-18446744073709551616");
        same("SCAN", "+");
        same("SCAN", "-");
        same("SCAN", "1.0");
        same("SCAN", "0", "COUNT");
        same("SCAN", "0", "COUNT", "0");
        same("SCAN", "0", "COUNT", "-1");
        same("SCAN", "0", "COUNT", "x");
        same("SCAN", "0", "COUNT", "99999999999999999999");
        same("SCAN", "0", "MATCH");
        same("SCAN", "0", "TYPE");
        same("SCAN", "0", "FOO", "bar");
        same("SCAN", "0", "MATCH", "*", "COUNT");
        same("SCAN", "x", "COUNT", "0");
        same("SCAN", "0", "COUNT", "0", "FOO");
        resp3();
        same("SCAN", "x");
        same("SCAN", "0", "COUNT", "0");
    }

    @Test
    void smallDatabasesMatchRedisExactly() {
        same("SCAN", "0");
        same("SCAN", "", "COUNT", "5");
        same("SCAN", "+0");
        same("SCAN", "0", "MATCH", "*", "COUNT", "100", "TYPE", "string");
        same("SET", "k", "v");
        same("SCAN", "0");
        same("SCAN", "0", "MATCH", "k");
        same("SCAN", "0", "MATCH", "x*");
        same("SCAN", "0", "TYPE", "string");
        same("SCAN", "0", "TYPE", "STRING");
        same("SCAN", "0", "TYPE", "hash");
        same("SCAN", "0", "TYPE", "nosuchtype");
        resp3();
        same("SCAN", "0");
        same("SCAN", "0", "TYPE", "list");
    }

    @Test
    void fullIterationReturnsEveryKey() {
        fill(basalt, "key:", 5000);
        for (String count : new String[]{"1", "7", "10", "100", "100000"}) {
            List<String> keys = iterate("COUNT", count);
            Set<String> distinct = new HashSet<>(keys);
            assertEquals(5000, distinct.size(), "COUNT " + count);
            // without resizes in between, each key comes exactly once
            assertEquals(5000, keys.size(), "COUNT " + count);
        }
    }

    @Test
    void countBoundsTheBatch() {
        fill(basalt, "key:", 2000);
        RespValue r = basalt.call("SCAN", "0", "COUNT", "5");
        assertTrue(r.get(1).size() <= 5 + 8, "batch of " + r.get(1).size());
        assertTrue(!r.get(0).string().equals("0"));
        r = basalt.call("SCAN", "0", "COUNT", "100000");
        assertEquals("0", r.get(0).string());
        assertEquals(2000, r.get(1).size());
    }

    @Test
    void matchAndType() {
        fill(basalt, "user:", 300);
        fill(basalt, "item:", 200);
        Set<String> users = new HashSet<>(iterate("MATCH", "user:*"));
        assertEquals(300, users.size());
        assertTrue(users.stream().allMatch(k -> k.startsWith("user:")));
        // item:17 .. item:97
        Set<String> sevens = new HashSet<>(iterate("MATCH", "item:?7", "COUNT", "3"));
        assertEquals(9, sevens.size(), sevens::toString);
        assertTrue(sevens.contains("item:17") && sevens.contains("item:97") && !sevens.contains("item:7"));
        assertEquals(sevens, new HashSet<>(iterate("MATCH", "item:?7")));
        assertEquals(500, new HashSet<>(iterate("TYPE", "string")).size());
        assertEquals(500, new HashSet<>(iterate("TYPE", "String", "MATCH", "*")).size());
        assertEquals(0, iterate("TYPE", "hash").size());
        assertEquals(0, iterate("MATCH", "nothing*", "TYPE", "string").size());
    }

    @Test
    void otherDatabasesAreSeparate() {
        fill(basalt, "a", 50);
        basalt.call("SELECT", "5");
        fill(basalt, "b", 30);
        assertEquals(30, new HashSet<>(iterate()).size());
        basalt.call("SELECT", "0");
        assertEquals(50, new HashSet<>(iterate()).size());
    }

    @Test
    void expiredKeysAreNotReturned() throws InterruptedException {
        fill(basalt, "k", 100);
        for (int i = 0; i < 100; i += 2) basalt.call("PEXPIRE", "k" + i, "10");
        Thread.sleep(50);
        Set<String> keys = new HashSet<>(iterate("COUNT", "1000"));
        assertEquals(50, keys.size());
        assertTrue(keys.stream().allMatch(k -> Integer.parseInt(k.substring(1)) % 2 == 1));
    }

    /** Keys present for the whole iteration are returned even while the tables grow between calls. */
    @Test
    void guaranteeHoldsWhileTheKeyspaceGrows() {
        fill(basalt, "orig:", 1000);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int added = 0;
        do {
            RespValue r = basalt.call("SCAN", cursor, "COUNT", "20");
            cursor = r.get(0).string();
            for (int i = 0; i < r.get(1).size(); i++) seen.add(r.get(1).get(i).string());
            // the tables double several times during the walk, then it runs to its end
            if (added < 25) fill(basalt, "new" + added + ":", 300);
            added++;
        } while (!cursor.equals("0"));
        for (int i = 0; i < 1000; i++) assertTrue(seen.contains("orig:" + i), "orig:" + i + " missed");
    }

    /** ... and while they shrink. */
    @Test
    void guaranteeHoldsWhileTheKeyspaceShrinks() {
        fill(basalt, "keep:", 300);
        fill(basalt, "drop:", 20000);
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int next = 0;
        do {
            RespValue r = basalt.call("SCAN", cursor, "COUNT", "50");
            cursor = r.get(0).string();
            for (int i = 0; i < r.get(1).size(); i++) seen.add(r.get(1).get(i).string());
            List<String> del = new ArrayList<>(List.of("DEL"));
            for (int i = 0; i < 2000 && next < 20000; i++) del.add("drop:" + next++);
            if (del.size() > 1) basalt.call(del.toArray(new String[0]));
        } while (!cursor.equals("0"));
        for (int i = 0; i < 300; i++) assertTrue(seen.contains("keep:" + i), "keep:" + i + " missed");
    }

    @Test
    void arbitraryCursorsAreAccepted() {
        fill(basalt, "k", 100);
        for (String c : new String[]{"18446744073709551615", "-1", "12345678901234", "63", "64", "+7"}) {
            RespValue r = basalt.call("SCAN", c);
            assertEquals('*', r.type(), () -> "SCAN " + c + " -> " + r);
        }
    }

    /** Another connection writes and deletes while the walk runs: no errors, no missed keys. */
    @Test
    void guaranteeHoldsUnderConcurrentWrites() throws Exception {
        fill(basalt, "stable:", 2000);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (RawClient w = new RawClient(io.basalt.compat.harness.BasaltInstance.shared().port())) {
                int i = 0;
                while (!stop.get()) {
                    w.call("SET", "churn:" + (i % 5000), "v");
                    if (i % 3 == 0) w.call("DEL", "churn:" + ((i * 7) % 5000));
                    i++;
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        writer.start();
        try {
            for (int round = 0; round < 3; round++) {
                Set<String> seen = new HashSet<>(iterate("COUNT", "25"));
                for (int i = 0; i < 2000; i++) assertTrue(seen.contains("stable:" + i), "stable:" + i + " missed");
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        if (failure.get() != null) throw new AssertionError(failure.get());
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
