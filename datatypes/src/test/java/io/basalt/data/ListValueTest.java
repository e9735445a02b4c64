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

    private static void assertSameContents(List<byte[]> model, ListValue l, EncodingLimits limits) {
        assertEquals(model.size(), l.size());
        for (int i = 0; i < model.size(); i++) assertArrayEquals(model.get(i), l.get(i, limits), "at " + i);
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

    /** The thresholds every operation of a test is given (a keyspace's, in the server). */
    private final EncodingLimits limits = new EncodingLimits();

    @Test
    void randomOperationsMatchModel() {
        for (long fill : new long[]{-2, -1, -5, 1, 2, 3, 7, 128, 0}) {
            limits.listMaxListpackSize = fill;
            limits.listCompressDepth = 0;
            runModel(new Random(fill * 31 + 7), 6000, limits);
        }
        for (long fill : new long[]{-1, 2, 5}) {
            for (long depth : new long[]{1, 2}) {
                limits.listMaxListpackSize = fill;
                limits.listCompressDepth = depth;
                runModel(new Random(fill * 17 + depth), 6000, limits);
            }
        }
    }

    /** list-compress-depth deflates interior nodes: same contents, less memory. */
    @Test
    void compressionSavesMemoryAndKeepsContents() {
        {
            limits.listMaxListpackSize = 8;
            limits.listCompressDepth = 0;
            ListValue plain = new ListValue(b("p"));
            for (int i = 0; i < 2000; i++) plain.pushTail(b("value number " + i + " " + "z".repeat(80)), limits);
            limits.listCompressDepth = 1;
            ListValue packed = new ListValue(b("q"));
            List<byte[]> model = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                byte[] v = b("value number " + i + " " + "z".repeat(80));
                if (i % 2 == 0) packed.pushTail(v, limits); else packed.pushHead(v, limits);
                if (i % 2 == 0) model.add(v); else model.add(0, v);
            }
            assertTrue(packed.compressedNodes() > packed.nodeCount() - 3, "interior nodes deflated");
            assertTrue(packed.memoryUsage() * 3 < plain.memoryUsage(),
                    packed.memoryUsage() + " vs " + plain.memoryUsage());
            assertSameContents(model, packed, limits);
            packed.set(1000, b("changed"), limits);
            model.set(1000, b("changed"));
            packed.insert(777, b("inserted"), limits);
            model.add(777, b("inserted"));
            assertSameContents(model, packed, limits);
            assertTrue(packed.compressedNodes() > packed.nodeCount() - 5, "deflated again after access");
            ListValue copy = (ListValue) packed.copy(b("c"));
            assertSameContents(model, copy, limits);
            assertTrue(copy.memoryUsage() <= packed.memoryUsage(), "a copy carries no slack");
        }
    }

    /**
     * The walk without limits (RDB, AOF rewrite) leaves a compressed list exactly as it found
     * it, whatever list-compress-depth says by now: a snapshot must not change accounted sizes.
     */
    @Test
    void persistenceWalkLeavesTheListAsFound() {
        limits.listMaxListpackSize = 4;
        limits.listCompressDepth = 1;
        ListValue l = new ListValue(b("k"));
        List<byte[]> model = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] v = b("compressible value " + (i % 13) + " " + "q".repeat(60));
            l.pushTail(v, limits);
            model.add(v);
        }
        int packed = l.compressedNodes();
        assertTrue(packed > 10, "interior nodes deflated");
        long size = l.memoryUsage();
        limits.listCompressDepth = 0; // a later CONFIG SET does not matter to this walk
        List<byte[]> seen = new ArrayList<>();
        l.forEach(0, l.size() - 1, false, (buf, off, len) -> seen.add(Arrays.copyOfRange(buf, off, off + len)));
        assertEquals(model.size(), seen.size());
        for (int i = 0; i < seen.size(); i++) assertArrayEquals(model.get(i), seen.get(i));
        assertEquals(packed, l.compressedNodes());
        assertEquals(size, l.memoryUsage());
    }

    private static void checkWalks(List<byte[]> model, ListValue l, Random rnd, EncodingLimits limits) {
        if (model.isEmpty()) return;
        int from = rnd.nextInt(model.size());
        int to = from + rnd.nextInt(model.size() - from);
        boolean reverse = rnd.nextBoolean();
        List<byte[]> seen = new ArrayList<>();
        l.forEach(from, to, reverse, limits, (buf, off, len) -> seen.add(Arrays.copyOfRange(buf, off, off + len)));
        assertEquals(to - from + 1, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertArrayEquals(model.get(reverse ? to - i : from + i), seen.get(i), "walk at " + i);
        }
    }

    private static void runModel(Random rnd, int ops, EncodingLimits limits) {
        ListValue l = new ListValue(b("k"));
        List<byte[]> model = new ArrayList<>();
        for (int op = 0; op < ops; op++) {
            byte[] v = value(rnd);
            switch (rnd.nextInt(10)) {
                case 0, 1 -> { l.pushHead(v, limits); model.add(0, v); }
                case 2, 3 -> { l.pushTail(v, limits); model.add(v); }
                case 9 -> {
                    if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        assertArrayEquals(model.get(i), l.get(i, limits));
                    }
                }
                case 4 -> {
                    byte[] p = l.popHead(limits);
                    if (model.isEmpty()) assertNull(p); else assertArrayEquals(model.remove(0), p);
                }
                case 5 -> {
                    byte[] p = l.popTail(limits);
                    if (model.isEmpty()) assertNull(p); else assertArrayEquals(model.remove(model.size() - 1), p);
                }
                case 6 -> {
                    int i = rnd.nextInt(model.size() + 1);
                    l.insert(i, v, limits);
                    model.add(i, v);
                }
                case 7 -> {
                    long count = rnd.nextInt(4);
                    boolean tail = rnd.nextBoolean();
                    long removed = l.removeMatching(v, count, tail, limits);
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
                        l.trim(left, right, limits);
                        if (left + right >= model.size()) model.clear();
                        else {
                            model.subList(model.size() - right, model.size()).clear();
                            model.subList(0, left).clear();
                        }
                    } else if (!model.isEmpty()) {
                        int i = rnd.nextInt(model.size());
                        l.set(i, v, limits);
                        model.set(i, v);
                    }
                }
            }
            if (op % 7 == 0) assertSameContents(model, l, limits);
            if (op % 5 == 0) checkWalks(model, l, rnd, limits);
            if (!model.isEmpty() && op % 11 == 0) assertEquals(indexOfModel(model, v), l.indexOf(v, limits));
        }
        assertSameContents(model, l, limits);
        assertTrue(model.size() < 50 || l.nodeCount() > 1, "long lists span several nodes");
        ListValue c = (ListValue) l.copy(b("c"));
        assertSameContents(model, c, limits);
    }

    private static int indexOfModel(List<byte[]> model, byte[] v) {
        for (int i = 0; i < model.size(); i++) if (Arrays.equals(model.get(i), v)) return i;
        return -1;
    }

    @Test
    void copyIsDeepAndRekeyHandsOver() {
        ListValue l = new ListValue(b("a"));
        for (int i = 0; i < 100; i++) l.pushTail(b("x" + i), limits);
        ListValue c = (ListValue) l.copy(b("b"));
        assertArrayEquals(b("b"), c.key);
        assertEquals(100, c.size());
        assertNotSame(l.get(5, limits), c.get(5, limits));
        c.set(0, b("changed"), limits);
        assertArrayEquals(b("x0"), l.get(0, limits));
        ListValue r = (ListValue) l.rekeyed(b("c"));
        assertEquals(100, r.size());
        assertArrayEquals(b("x99"), r.get(99, limits));
        assertEquals("list", r.typeName());
        assertEquals("quicklist", r.encodingName());
        assertEquals(l.memoryUsage(), r.memoryUsage(), "the dropped entry still accounts for what it held");
    }

    @Test
    void memoryTracksContentsAndShrinks() {
        ListValue l = new ListValue(b("k"));
        long empty = l.memoryUsage();
        for (int i = 0; i < 10000; i++) l.pushTail(new byte[100], limits);
        long full = l.memoryUsage();
        assertTrue(full > empty + 10000L * 100, "counts element bytes");
        for (int i = 0; i < 9990; i++) l.popHead(limits);
        assertTrue(l.memoryUsage() < full / 20, "drained list gives its nodes back: " + l.memoryUsage());
    }
}
