package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ZSetValue in both encodings against a plain sorted-list model. */
class ZSetValueTest {

    /** The thresholds the values of a test are written with (a keyspace's, in the server). */
    private final EncodingLimits limits = new EncodingLimits();

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void convertsAtThresholdsAndNeverBack() {
        limits.zsetMaxListpackEntries = 3;
        limits.zsetMaxListpackValue = 4;
        ZSetValue z = ZSetValue.create(b("k"), 1, 1, limits);
        assertEquals("listpack", z.encodingName());
        z.put(b("a"), 1, limits);
        z.put(b("b"), 2, limits);
        z.put(b("c"), 3, limits);
        z.put(b("c"), 4, limits); // an update does not convert
        assertEquals("listpack", z.encodingName());
        z.put(b("d"), 4, limits);
        assertEquals("skiplist", z.encodingName());
        z.remove(b("d"));
        z.remove(b("c"));
        assertEquals("skiplist", z.encodingName());
        ZSetValue y = ZSetValue.create(b("k"), 1, 1, limits);
        y.put(b("12345"), 1, limits);
        assertEquals("skiplist", y.encodingName());
        assertEquals("skiplist", ZSetValue.create(b("k"), 1, 5, limits).encodingName());
    }

    @Test
    void copyIsDeepAndRekeyedHandsOver() {
        ZSetValue z = ZSetValue.create(b("k"), 1, 1, limits);
        z.put(b("a"), 1, limits);
        ZSetValue c = (ZSetValue) z.copy(b("k2"));
        c.put(b("b"), 2, limits);
        assertEquals(1, z.size());
        assertEquals(2, c.size());
        ZSetValue r = (ZSetValue) z.rekeyed(b("k3"));
        assertArrayEquals(b("k3"), r.key);
        assertEquals(1.0, r.score(b("a")));
        assertNotSame(z, r);
    }

    /** Random operations over both encodings, checked against a sorted model after each step. */
    @Test
    void matchesModel() {
        for (int limit : new int[]{1000, 8}) {
            limits.zsetMaxListpackEntries = limit;
            Random rnd = new Random(42 + limit);
            ZSetValue z = ZSetValue.create(b("k"), 1, 1, limits);
            Map<String, Double> model = new HashMap<>();
            for (int i = 0; i < 5000; i++) {
                String m = "m" + rnd.nextInt(200);
                int op = rnd.nextInt(10);
                if (op < 6) {
                    double s = rnd.nextInt(30) - 10 + (rnd.nextBoolean() ? 0.5 : 0);
                    boolean added = z.put(b(m), s, limits);
                    assertEquals(!model.containsKey(m), added);
                    model.put(m, s);
                } else if (op < 8) {
                    assertEquals(model.remove(m) != null, z.remove(b(m)));
                } else if (op == 8 && z.size() > 3) {
                    int start = rnd.nextInt(z.size());
                    int end = Math.min(z.size() - 1, start + rnd.nextInt(3));
                    List<String> sorted = sorted(model);
                    for (int r = start; r <= end; r++) model.remove(sorted.get(r));
                    assertEquals(end - start + 1, z.removeRange(start, end));
                }
                check(z, model, rnd);
            }
            assertEquals(limit == 8 ? "skiplist" : "listpack", z.encodingName());
        }
    }

    private static List<String> sorted(Map<String, Double> model) {
        List<String> l = new ArrayList<>(model.keySet());
        l.sort(Comparator.<String>comparingDouble(model::get)
                .thenComparing((x, y) -> Arrays.compareUnsigned(b(x), b(y))));
        return l;
    }

    private static void check(ZSetValue z, Map<String, Double> model, Random rnd) {
        assertEquals(model.size(), z.size());
        List<String> sorted = sorted(model);
        List<String> walked = new ArrayList<>();
        if (z.size() > 0) z.walk(0, z.size() - 1, false, (m, s) -> walked.add(new String(m, StandardCharsets.UTF_8)));
        assertEquals(sorted, walked);
        if (!sorted.isEmpty()) {
            int r = rnd.nextInt(sorted.size());
            String m = sorted.get(r);
            assertEquals(r, z.rank(b(m)));
            assertEquals(model.get(m), z.score(b(m)));
            List<String> back = new ArrayList<>();
            z.walk(r, sorted.size() - 1, true, (mm, s) -> back.add(new String(mm, StandardCharsets.UTF_8)));
            assertEquals(sorted.get(sorted.size() - 1), back.get(0));
            assertEquals(m, back.get(back.size() - 1));
        }
        double v = rnd.nextInt(30) - 10;
        long below = model.values().stream().filter(s -> s < v).count();
        long atMost = model.values().stream().filter(s -> s <= v).count();
        assertEquals(below, z.countBelow(v, false));
        assertEquals(atMost, z.countBelow(v, true));
        assertEquals(-1, z.rank(b("absent")));
        assertFalse(z.remove(b("absent")));
        assertTrue(z.memoryUsage() > 0);
    }
}
