package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HashValue}: both encodings against a HashMap model, conversions, scan and copies. */
class HashValueTest {

    /** The thresholds the hashes of a test are written with (a keyspace's, in the server). */
    private final EncodingLimits limits = new EncodingLimits();

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    private static String s(byte[] b) { return new String(b, StandardCharsets.ISO_8859_1); }

    private static Map<String, String> contents(HashValue h) {
        Map<String, String> m = new HashMap<>();
        h.forEach((f, v) -> assertNull(m.put(s(f), s(v)), "field visited twice"));
        return m;
    }

    @Test
    void listpackKeepsInsertionOrderAndReplacesInPlace() {
        HashValue h = new HashValue(b("k"));
        assertTrue(h.set(b("a"), b("1"), limits));
        assertTrue(h.set(b("b"), b("22"), limits));
        assertTrue(h.set(b("c"), b(""), limits));
        assertFalse(h.set(b("a"), b("a much longer value than before"), limits));
        assertFalse(h.set(b("b"), b(""), limits));
        List<String> order = new ArrayList<>();
        h.forEach((f, v) -> order.add(s(f) + "=" + s(v)));
        assertEquals(List.of("a=a much longer value than before", "b=", "c="), order);
        assertEquals("listpack", h.encodingName());
        assertTrue(h.delete(b("b")));
        assertFalse(h.delete(b("b")));
        assertEquals(2, h.size());
        assertArrayEquals(b("a much longer value than before"), h.get(b("a")));
        assertNull(h.get(b("b")));
    }

    @Test
    void convertsAtTheThresholdsAndNeverBack() {
        limits.hashMaxListpackEntries = 3;
        limits.hashMaxListpackValue = 4;
        HashValue h = new HashValue(b("k"));
        for (String f : new String[]{"a", "b", "c"}) h.set(b(f), b("v"), limits);
        assertEquals("listpack", h.encodingName());
        h.set(b("d"), b("v"), limits);
        assertEquals("hashtable", h.encodingName());
        h.delete(b("a"));
        h.delete(b("b"));
        assertEquals("hashtable", h.encodingName());
        HashValue v = new HashValue(b("k"));
        v.set(b("f"), b("1234"), limits);
        assertEquals("listpack", v.encodingName());
        v.set(b("f"), b("12345"), limits);
        assertEquals("hashtable", v.encodingName());
        assertArrayEquals(b("12345"), v.get(b("f")));
    }

    @Test
    void randomOperationsMatchAModel() {
        Random rnd = new Random(42);
        for (int round = 0; round < 20; round++) {
            limits.hashMaxListpackEntries = rnd.nextInt(40);
            HashValue h = new HashValue(b("k"));
            Map<String, String> model = new HashMap<>();
            for (int i = 0; i < 2000; i++) {
                String f = "f" + rnd.nextInt(100);
                if (rnd.nextInt(3) == 0) {
                    assertEquals(model.remove(f) != null, h.delete(b(f)));
                } else {
                    String v = "x".repeat(rnd.nextInt(200));
                    assertEquals(model.put(f, v) == null, h.set(b(f), b(v), limits));
                }
                assertEquals(model.size(), h.size());
            }
            assertEquals(model, contents(h));
            for (String f : model.keySet()) assertTrue(h.contains(b(f)));
        }
    }

    @Test
    void scanVisitsEveryFieldAcrossGrowth() {
        limits.hashMaxListpackEntries = 0;
        HashValue h = new HashValue(b("k"));
        for (int i = 0; i < 50; i++) h.set(b("f" + i), b("v"), limits);
        Map<String, Integer> seen = new HashMap<>();
        long cursor = 0;
        int steps = 0;
        do {
            cursor = h.scan(cursor, (f, v) -> seen.merge(s(f), 1, Integer::sum));
            // the table grows mid-iteration: fields present throughout must still be returned
            if (steps++ == 5) for (int i = 50; i < 500; i++) h.set(b("g" + i), b("v"), limits);
        } while (cursor != 0);
        for (int i = 0; i < 50; i++) assertTrue(seen.containsKey("f" + i), "f" + i);
        // and across shrinking, when most fields go away mid-iteration
        seen.clear();
        cursor = 0;
        steps = 0;
        do {
            cursor = h.scan(cursor, (f, v) -> seen.merge(s(f), 1, Integer::sum));
            if (steps++ == 20) for (int i = 50; i < 500; i++) h.delete(b("g" + i));
        } while (cursor != 0);
        for (int i = 0; i < 50; i++) assertTrue(seen.containsKey("f" + i), "f" + i);
    }

    @Test
    void copiesAreIndependentAndRekeyHandsOver() {
        for (long limit : new long[]{512, 0}) {
            limits.hashMaxListpackEntries = limit;
            HashValue h = new HashValue(b("k"));
            h.set(b("a"), b("1"), limits);
            h.set(b("b"), b("2"), limits);
            HashValue c = (HashValue) h.copy(b("c"));
            c.set(b("a"), b("changed"), limits);
            c.delete(b("b"));
            assertArrayEquals(b("1"), h.get(b("a")));
            assertArrayEquals(b("2"), h.get(b("b")));
            assertEquals(h.encodingName(), c.encodingName());
            HashValue r = (HashValue) h.rekeyed(b("renamed"));
            assertArrayEquals(b("renamed"), r.key());
            assertEquals(contents(h), contents(r));
        }
    }

    @Test
    void memoryEstimateFollowsTheContents() {
        HashValue h = new HashValue(b("k"));
        long empty = h.memoryUsage();
        for (int i = 0; i < 100; i++) h.set(b("field" + i), b("value" + i), limits);
        long listpack = h.memoryUsage();
        assertTrue(listpack > empty + 100 * 10);
        limits.hashMaxListpackEntries = 50;
        h.set(b("one-more"), b("v"), limits);
        assertEquals("hashtable", h.encodingName());
        assertTrue(h.memoryUsage() > listpack, "a hashtable costs more than the listpack");
        long before = h.memoryUsage();
        h.delete(b("field1"));
        assertTrue(h.memoryUsage() < before);
    }

    @Test
    void randomPairIsAPairOfTheHash() {
        for (long limit : new long[]{512, 0}) {
            limits.hashMaxListpackEntries = limit;
            HashValue h = new HashValue(b("k"));
            for (int i = 0; i < 10; i++) h.set(b("f" + i), b("v" + i), limits);
            for (int k = 0; k < 100; k++) {
                byte[][] p = h.randomPair();
                assertEquals("v" + s(p[0]).substring(1), s(p[1]));
            }
        }
    }

    /** The listpack keeps key, clock and TTL in its record header: all survive every change. */
    @Test
    void headerFieldsSurviveEdits() {
        for (long limit : new long[]{512, 2}) {
            limits.hashMaxListpackEntries = limit;
            HashValue h = new HashValue(b("the-key"));
            assertEquals(-1, h.expireAt());
            h.clock(0xabcdef);
            h.expireAt(123456789012L);
            h.set(b("f1"), b("v1"), limits);
            assertTrue(h.keyEquals(b("the-key")));
            assertFalse(h.keyEquals(b("the-kez")));
            assertEquals(Entries.hash(b("the-key")), Entries.hashOf(h));
            assertTrue(Entries.keyMatches(h, b("the-*"), false));
            h.set(b("f2"), b("v2"), limits);
            h.set(b("f3"), b("v3"), limits); // the hashtable when the limit is 2
            h.set(b("f1"), b("longer value"), limits);
            h.delete(b("f2"));
            assertEquals(0xabcdef, h.clock());
            assertEquals(123456789012L, h.expireAt());
            assertArrayEquals(b("the-key"), h.key());
            h.expireAt(-1);
            assertEquals(-1, h.expireAt());
            assertEquals(0xabcdef, h.clock());
            assertArrayEquals(b("longer value"), h.get(b("f1")));
            assertArrayEquals(b("v3"), h.get(b("f3")));
            assertEquals(2, h.size());
            HashValue r = (HashValue) Entries.withKey(h, b("k2"));
            assertArrayEquals(b("k2"), r.key());
            assertEquals(0xabcdef, r.clock());
            assertEquals(contents(h), contents(r));
        }
    }
}
