package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ListValue} against a plain java.util list model, plus copy/rekey and memory accounting. */
class ListValueTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static void assertSameContents(List<byte[]> model, ListValue l) {
        assertEquals(model.size(), l.size());
        for (int i = 0; i < model.size(); i++) assertArrayEquals(model.get(i), l.get(i), "at " + i);
    }

    @Test
    void randomOperationsMatchModel() {
        Random rnd = new Random(42);
        ListValue l = new ListValue(b("k"));
        List<byte[]> model = new ArrayList<>();
        for (int op = 0; op < 50000; op++) {
            byte[] v = b("v" + rnd.nextInt(8));
            switch (rnd.nextInt(9)) {
                case 0, 1 -> { l.pushHead(v); model.add(0, v); }
                case 2, 3 -> { l.pushTail(v); model.add(v); }
                case 4 -> {
                    byte[] p = l.popHead();
                    if (model.isEmpty()) assertNull(p); else assertArrayEquals(model.remove(0), p);
                }
                case 5 -> {
                    byte[] p = l.popTail();
                    if (model.isEmpty()) assertNull(p); else assertArrayEquals(model.remove(model.size() - 1), p);
                }
                case 6 -> {
                    int i = rnd.nextInt(model.size() + 1);
                    l.insert(i, v);
                    model.add(i, v);
                }
                case 7 -> {
                    long count = rnd.nextInt(4);
                    boolean tail = rnd.nextBoolean();
                    long removed = l.removeMatching(v, count, tail);
                    long want = 0;
                    if (!tail) {
                        for (int i = 0; i < model.size() && (count == 0 || want < count); ) {
                            if (Arrays.equals(model.get(i), v)) { model.remove(i); want++; } else i++;
                        }
                    } else {
                        for (int i = model.size() - 1; i >= 0 && (count == 0 || want < count); i--) {
                            if (Arrays.equals(model.get(i), v)) { model.remove(i); want++; }
                        }
                    }
                    assertEquals(want, removed);
                }
                default -> {
                    if (rnd.nextInt(20) == 0 && !model.isEmpty()) {
                        int left = rnd.nextInt(model.size() + 1);
                        int right = rnd.nextInt(model.size() + 1);
                        l.trim(left, right);
                        if (left + right >= model.size()) model.clear();
                        else {
                            model.subList(model.size() - right, model.size()).clear();
                            model.subList(0, left).clear();
                        }
                    } else if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        l.set(i, v);
                        model.set(i, v);
                    }
                }
            }
            assertSameContents(model, l);
        }
    }

    @Test
    void copyIsDeepAndRekeyHandsOver() {
        ListValue l = new ListValue(b("a"));
        for (int i = 0; i < 100; i++) l.pushTail(b("x" + i));
        ListValue c = (ListValue) l.copy(b("b"));
        assertArrayEquals(b("b"), c.key);
        assertEquals(100, c.size());
        assertNotSame(l.get(5), c.get(5));
        c.set(0, b("changed"));
        assertArrayEquals(b("x0"), l.get(0));
        ListValue r = (ListValue) l.rekeyed(b("c"));
        assertEquals(100, r.size());
        assertArrayEquals(b("x99"), r.get(99));
        assertEquals("list", r.typeName());
        assertEquals("quicklist", r.encodingName());
    }

    @Test
    void memoryTracksContentsAndShrinks() {
        ListValue l = new ListValue(b("k"));
        long empty = l.memoryUsage();
        for (int i = 0; i < 10000; i++) l.pushTail(new byte[100]);
        long full = l.memoryUsage();
        assertTrue(full > empty + 10000L * 100, "counts element bytes");
        for (int i = 0; i < 9990; i++) l.popHead();
        assertTrue(l.memoryUsage() < full / 100, "drained list gives its ring back: " + l.memoryUsage());
    }
}
