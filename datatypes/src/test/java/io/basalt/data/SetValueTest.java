package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SetValueTest {
    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static String s(byte[] b) { return new String(b, StandardCharsets.UTF_8); }

    /** The thresholds the values of a test are written with (a keyspace's, in the server). */
    private final EncodingLimits limits = new EncodingLimits();

    @Test
    void canonicalIntegersLikeString2ll() {
        for (String ok : new String[]{"0", "-1", "42", "9223372036854775807", "-9223372036854775808"}) {
            assertTrue(SetValue.isCanonicalLong(b(ok)), ok);
            assertEquals(Long.parseLong(ok), SetValue.parseCanonical(b(ok)));
        }
        for (String bad : new String[]{"", "-", "-0", "01", "+1", " 1", "1 ", "1.0", "9223372036854775808",
                "-9223372036854775809", "abc", "123456789012345678901"}) {
            assertFalse(SetValue.isCanonicalLong(b(bad)), bad);
        }
    }

    @Test
    void intsetStaysSortedAndCompact() {
        SetValue v = SetValue.createFor(b("k"), b("5"));
        assertEquals("intset", v.encodingName());
        assertEquals("set", v.typeName());
        for (String m : new String[]{"5", "-3", "10", "0", "5"}) v.add(b(m), limits);
        assertEquals(4, v.size());
        assertEquals("-3", s(v.get(0)));
        assertEquals("0", s(v.get(1)));
        assertEquals("5", s(v.get(2)));
        assertEquals("10", s(v.get(3)));
        assertTrue(v.contains(b("10")));
        assertFalse(v.contains(b("010")));
        assertFalse(v.contains(b("x")));
        assertTrue(v.remove(b("0")));
        assertFalse(v.remove(b("0")));
        assertFalse(v.remove(b("x")));
        assertEquals("5", s(v.get(1)));
        assertTrue(v.memoryUsage() < 200);
    }

    @Test
    void convertsExactlyAtTheThresholdAndNeverBack() {
        limits.setMaxIntsetEntries = 3;
        SetValue v = SetValue.createIntset(b("k"));
        v.add(b("1"), limits);
        v.add(b("2"), limits);
        v.add(b("3"), limits);
        assertEquals("intset", v.encodingName());
        assertFalse(v.add(b("3"), limits));
        assertEquals("intset", v.encodingName());
        v.add(b("4"), limits);
        assertEquals("hashtable", v.encodingName());
        assertEquals(4, v.size());
        v.remove(b("4"));
        assertEquals("hashtable", v.encodingName());
        SetValue w = SetValue.createFor(b("k"), b("1"));
        w.add(b("1"), limits);
        w.add(b("a"), limits);
        assertEquals("hashtable", w.encodingName());
        assertTrue(w.contains(b("1")));
        assertTrue(w.contains(b("a")));
    }

    @Test
    void hashtableRandomRemovalKeepsIndexConsistent() {
        SetValue v = SetValue.createFor(b("k"), b("x"));
        Set<String> model = new HashSet<>();
        Random r = new Random(7);
        for (int i = 0; i < 20000; i++) {
            String m = "m" + r.nextInt(500);
            int op = r.nextInt(3);
            if (op == 0) assertEquals(model.add(m), v.add(b(m), limits));
            else if (op == 1) assertEquals(model.remove(m), v.remove(b(m)));
            else if (v.size() > 0) model.remove(s(v.removeAt(r.nextInt(v.size()))));
            assertEquals(model.size(), v.size());
        }
        for (String m : model) assertTrue(v.contains(b(m)));
        Set<String> listed = new HashSet<>();
        for (int i = 0; i < v.size(); i++) listed.add(s(v.get(i)));
        assertEquals(model, listed);
    }

    @Test
    void memoryEstimateTracksChanges() {
        SetValue v = SetValue.createFor(b("k"), b("a"));
        long empty = v.memoryUsage();
        for (int i = 0; i < 100; i++) v.add(b("member-" + i), limits);
        long full = v.memoryUsage();
        assertTrue(full > empty + 100 * 20);
        for (int i = 0; i < 100; i++) v.remove(b("member-" + i));
        assertTrue(v.memoryUsage() < full);
    }

    @Test
    void copyIsDeepAndRekeyHandsOver() {
        SetValue v = SetValue.createFor(b("k"), b("a"));
        v.add(b("a"), limits);
        v.add(b("b"), limits);
        SetValue c = (SetValue) v.copy(b("k2"));
        assertNotSame(v, c);
        assertArrayEquals(b("k2"), c.key);
        c.add(b("c"), limits);
        assertEquals(2, v.size());
        assertEquals(3, c.size());
        assertEquals(c.memoryUsage() - v.memoryUsage() > 0, true);
        SetValue r = (SetValue) v.rekeyed(b("longer-key"));
        assertEquals(2, r.size());
        assertTrue(r.contains(b("b")));
        assertEquals(v.memoryUsage() + "longer-key".length() - 1, r.memoryUsage());
        SetValue i = SetValue.createFor(b("n"), b("1"));
        i.add(b("1"), limits);
        SetValue ic = (SetValue) i.copy(b("n2"));
        ic.add(b("2"), limits);
        assertEquals(1, i.size());
        assertEquals("intset", ic.encodingName());
    }
}
