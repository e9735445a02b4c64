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

    /** Values of lengths around the 1/2/3-byte varint boundaries, a few equal to each other. */
    private static byte[] value(Random rnd) {
        int kind = rnd.nextInt(10);
        if (kind < 6) return b("v" + rnd.nextInt(8));
        int[] lens = {0, 1, 127, 128, 129, 300, 16383, 16384, 20000};
        byte[] v = new byte[lens[rnd.nextInt(lens.length)]];
        Arrays.fill(v, (byte) ('a' + rnd.nextInt(2)));
        return v;
    }

    @Test
    void randomOperationsMatchModel() {
        long saved = EncodingLimits.listMaxListpackSize;
        try {
            for (long fill : new long[]{-2, -1, -5, 1, 2, 3, 7, 128, 0}) {
                EncodingLimits.listMaxListpackSize = fill;
                runModel(new Random(fill * 31 + 7), 8000);
            }
        } finally {
            EncodingLimits.listMaxListpackSize = saved;
        }
    }

    private static void checkWalks(List<byte[]> model, ListValue l, Random rnd) {
        if (model.isEmpty()) return;
        int from = rnd.nextInt(model.size());
        int to = from + rnd.nextInt(model.size() - from);
        boolean reverse = rnd.nextBoolean();
        List<byte[]> seen = new ArrayList<>();
        l.forEach(from, to, reverse, (buf, off, len) -> seen.add(Arrays.copyOfRange(buf, off, off + len)));
        assertEquals(to - from + 1, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertArrayEquals(model.get(reverse ? to - i : from + i), seen.get(i), "walk at " + i);
        }
    }

    private static void runModel(Random rnd, int ops) {
        ListValue l = new ListValue(b("k"));
        List<byte[]> model = new ArrayList<>();
        for (int op = 0; op < ops; op++) {
            byte[] v = value(rnd);
            switch (rnd.nextInt(10)) {
                case 0, 1 -> { l.pushHead(v); model.add(0, v); }
                case 2, 3 -> { l.pushTail(v); model.add(v); }
                case 9 -> {
                    if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        assertArrayEquals(model.get(i), l.get(i));
                    }
                }
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
                    if (rnd.nextInt(40) == 0 && !model.isEmpty()) {
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
            if (op % 7 == 0) assertSameContents(model, l);
            if (op % 5 == 0) checkWalks(model, l, rnd);
            if (!model.isEmpty() && op % 11 == 0) assertEquals(indexOfModel(model, v), l.indexOf(v));
        }
        assertSameContents(model, l);
        assertTrue(model.size() < 50 || l.nodeCount() > 1, "long lists span several nodes");
        ListValue c = (ListValue) l.copy(b("c"));
        assertSameContents(model, c);
    }

    private static int indexOfModel(List<byte[]> model, byte[] v) {
        for (int i = 0; i < model.size(); i++) if (Arrays.equals(model.get(i), v)) return i;
        return -1;
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
        assertEquals(l.memoryUsage(), r.memoryUsage(), "the dropped entry still accounts for what it held");
    }

    @Test
    void memoryTracksContentsAndShrinks() {
        ListValue l = new ListValue(b("k"));
        long empty = l.memoryUsage();
        for (int i = 0; i < 10000; i++) l.pushTail(new byte[100]);
        long full = l.memoryUsage();
        assertTrue(full > empty + 10000L * 100, "counts element bytes");
        for (int i = 0; i < 9990; i++) l.popHead();
        assertTrue(l.memoryUsage() < full / 20, "drained list gives its nodes back: " + l.memoryUsage());
    }
}
