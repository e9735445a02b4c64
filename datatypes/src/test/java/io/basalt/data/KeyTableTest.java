package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KeyTable}: the hash table, its resizes, and SCAN's cursor guarantees. */
class KeyTableTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static byte[] rec(String key, long expireAt) {
        return StringRecord.create(b(key), b("v-" + key), expireAt, StringRecord.ENC_EMBSTR);
    }

    private static void put(KeyTable t, byte[] r) {
        byte[] k = StringRecord.key(r);
        t.put(r, k, Entries.hash(k));
    }

    private static Object get(KeyTable t, String key) {
        return t.get(b(key), Entries.hash(b(key)));
    }

    private static Object remove(KeyTable t, String key) {
        return t.remove(b(key), Entries.hash(b(key)));
    }

    @Test
    void putGetReplaceRemove() {
        KeyTable t = new KeyTable();
        byte[] a = rec("a", -1);
        assertNull(t.put(a, b("a"), Entries.hash(b("a"))));
        assertSame(a, get(t, "a"));
        assertNull(get(t, "b"));
        byte[] a2 = rec("a", 123);
        assertSame(a, t.put(a2, b("a"), Entries.hash(b("a"))));
        assertSame(a2, get(t, "a"));
        assertEquals(1, t.size());
        assertEquals(1, t.volatileCount());
        assertSame(a2, remove(t, "a"));
        assertNull(remove(t, "a"));
        assertEquals(0, t.size());
        assertEquals(0, t.volatileCount());
    }

    @Test
    void growsAndShrinksKeepingEveryEntry() {
        KeyTable t = new KeyTable();
        int n = 50_000;
        for (int i = 0; i < n; i++) put(t, rec("k" + i, i % 3 == 0 ? 1000 + i : -1));
        assertEquals(n, t.size());
        assertTrue(t.bucketCount() >= n, "load factor <= 1");
        assertEquals((n + 2) / 3, t.volatileCount());
        for (int i = 0; i < n; i++) assertNotNull(get(t, "k" + i), "k" + i);
        for (int i = 0; i < n - 10; i++) assertNotNull(remove(t, "k" + i));
        assertEquals(10, t.size());
        assertTrue(t.bucketCount() <= 128, "shrunk to " + t.bucketCount());
        for (int i = n - 10; i < n; i++) assertNotNull(get(t, "k" + i));
        long mem = t.memoryUsage();
        assertTrue(mem > 0 && mem < 10_000, "memory " + mem);
        t.clear();
        assertEquals(0, t.size());
        assertEquals(0, t.volatileCount());
    }

    @Test
    void ttlChangedKeepsVolatileCount() {
        KeyTable t = new KeyTable();
        put(t, rec("a", -1));
        t.ttlChanged(false, true);
        assertEquals(1, t.volatileCount());
        t.ttlChanged(true, true);
        assertEquals(1, t.volatileCount());
        t.ttlChanged(true, false);
        assertEquals(0, t.volatileCount());
    }

    private static Set<String> fullScan(KeyTable t) {
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        do {
            cursor = t.scan(cursor, e -> seen.add(new String(Entries.key(e), StandardCharsets.UTF_8)));
        } while (cursor != 0);
        return seen;
    }

    @Test
    void scanVisitsEveryEntryOnce() {
        KeyTable t = new KeyTable();
        assertEquals(Set.of(), fullScan(t));
        for (int i = 0; i < 1000; i++) put(t, rec("k" + i, -1));
        List<String> all = new ArrayList<>();
        long cursor = 0;
        int steps = 0;
        do {
            cursor = t.scan(cursor, e -> all.add(new String(Entries.key(e), StandardCharsets.UTF_8)));
            steps++;
        } while (cursor != 0);
        assertEquals(1000, all.size());
        assertEquals(1000, new HashSet<>(all).size());
        assertEquals(t.bucketCount(), steps, "one bucket per step");
    }

    /** Entries present throughout are returned even if the table grows between steps. */
    @Test
    void scanGuaranteeUnderGrowth() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 100; i++) put(t, rec("orig" + i, -1));
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int added = 0;
        do {
            cursor = t.scan(cursor, e -> seen.add(new String(Entries.key(e), StandardCharsets.UTF_8)));
            // grow for a while (several doublings), then let the walk finish
            if (added < 5000) for (int i = 0; i < 50; i++) put(t, rec("new" + added++, -1));
        } while (cursor != 0);
        for (int i = 0; i < 100; i++) assertTrue(seen.contains("orig" + i), "orig" + i);
    }

    /** ... and if it shrinks between steps. */
    @Test
    void scanGuaranteeUnderShrink() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 50; i++) put(t, rec("keep" + i, -1));
        for (int i = 0; i < 20_000; i++) put(t, rec("drop" + i, -1));
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int dropped = 0;
        int startBuckets = t.bucketCount();
        do {
            cursor = t.scan(cursor, e -> seen.add(new String(Entries.key(e), StandardCharsets.UTF_8)));
            for (int i = 0; i < 1000 && dropped < 20_000; i++) remove(t, "drop" + dropped++);
        } while (cursor != 0);
        assertTrue(t.bucketCount() < startBuckets / 8, "the table did shrink");
        for (int i = 0; i < 50; i++) assertTrue(seen.contains("keep" + i), "keep" + i);
    }

    /** Alternating growth and shrink, on every step. */
    @Test
    void scanGuaranteeUnderChurn() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 64; i++) put(t, rec("keep" + i, -1));
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int round = 0;
        do {
            cursor = t.scan(cursor, e -> seen.add(new String(Entries.key(e), StandardCharsets.UTF_8)));
            if (round >= 200) {
                round++;
                continue;
            }
            if (round % 2 == 0) {
                for (int i = 0; i < 3000; i++) put(t, rec("tmp" + i, -1));
            } else {
                for (int i = 0; i < 3000; i++) remove(t, "tmp" + i);
            }
            round++;
        } while (cursor != 0 && round < 100_000);
        for (int i = 0; i < 64; i++) assertTrue(seen.contains("keep" + i), "keep" + i);
    }

    @Test
    void activeExpiryRemovesOnlyStaleEntries() {
        KeyTable t = new KeyTable();
        for (int i = 0; i < 1000; i++) put(t, rec("p" + i, -1));
        for (int i = 0; i < 10; i++) put(t, rec("old" + i, 100));
        for (int i = 0; i < 10; i++) put(t, rec("new" + i, 10_000));
        List<Object> expired = new ArrayList<>();
        long r = t.expireSome(5000, t.slabTop(), expired::add);
        assertEquals(10, r & 0xffffffffL);
        assertEquals(10, expired.size());
        assertEquals(1010, t.size());
        assertEquals(10, t.volatileCount());
        for (int i = 0; i < 10; i++) assertNull(get(t, "old" + i));
    }

    @Test
    void randomReturnsLiveEntries() {
        KeyTable t = new KeyTable();
        assertNull(t.random(java.util.concurrent.ThreadLocalRandom.current()));
        for (int i = 0; i < 100; i++) put(t, rec("k" + i, -1));
        for (int i = 0; i < 90; i++) remove(t, "k" + i);
        for (int i = 0; i < 100; i++) {
            Object e = t.random(java.util.concurrent.ThreadLocalRandom.current());
            String k = new String(Entries.key(e), StandardCharsets.UTF_8);
            assertTrue(Integer.parseInt(k.substring(1)) >= 90, k);
        }
    }
}
