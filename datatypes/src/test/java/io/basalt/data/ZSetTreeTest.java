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
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The B+tree sorted-set encoding against a sorted model: ranks, ranges, deletes, updates. */
class ZSetTreeTest {

    /** A (score, member) pair of the model. */
    private record E(double score, byte[] member) {}

    private static final Comparator<E> ORDER = (a, b) -> {
        if (a.score < b.score) return -1;
        if (a.score > b.score) return 1;
        return Arrays.compareUnsigned(a.member, b.member);
    };

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** The model: member -> score plus the ordered set of entries. */
    private static final class Model {
        final Map<String, Double> scores = new HashMap<>();
        final TreeSet<E> order = new TreeSet<>(ORDER);

        void put(byte[] m, double s) {
            Double old = scores.put(new String(m, StandardCharsets.ISO_8859_1), s);
            if (old != null) order.remove(new E(old, m));
            order.add(new E(s, m));
        }

        boolean remove(byte[] m) {
            Double old = scores.remove(new String(m, StandardCharsets.ISO_8859_1));
            if (old == null) return false;
            order.remove(new E(old, m));
            return true;
        }

        List<E> list() { return new ArrayList<>(order); }
    }

    private static List<E> walk(ZSetTree t, int start, int end, boolean rev) {
        List<E> out = new ArrayList<>();
        t.walk(start, end, rev, (m, s) -> out.add(new E(s, m)));
        return out;
    }

    private static void assertSame(List<E> expected, List<E> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).score, actual.get(i).score, "score at " + i);
            assertArrayEquals(expected.get(i).member, actual.get(i).member, "member at " + i);
        }
    }

    private static void compare(ZSetTree t, Model model, Random rnd) {
        t.check();
        List<E> all = model.list();
        assertEquals(all.size(), t.size());
        if (all.isEmpty()) return;
        assertSame(all, walk(t, 0, all.size() - 1, false));
        for (int k = 0; k < 20; k++) {
            int a = rnd.nextInt(all.size());
            int c = a + rnd.nextInt(Math.min(300, all.size() - a));
            assertSame(all.subList(a, c + 1), walk(t, a, c, false));
            List<E> rev = new ArrayList<>(all.subList(a, c + 1));
            java.util.Collections.reverse(rev);
            assertSame(rev, walk(t, a, c, true));
            E e = all.get(a);
            assertEquals(a, t.rank(e.member));
            assertEquals(e.score, t.score(e.member));
            // countBelow against a linear count of the model
            double v = e.score + (rnd.nextBoolean() ? 0 : 0.25);
            boolean incl = rnd.nextBoolean();
            int expect = 0;
            for (E x : all) if (x.score < v || (incl && x.score == v)) expect++;
            assertEquals(expect, t.countBelow(v, incl));
        }
    }

    @Test
    void randomOperationsMatchModel() {
        for (int seed = 1; seed <= 3; seed++) {
            Random rnd = new Random(seed);
            ZSetTree t = new ZSetTree();
            Model model = new Model();
            int members = seed == 1 ? 300 : 20000;
            int ops = seed == 1 ? 20000 : 60000;
            for (int i = 0; i < ops; i++) {
                // members of varied lengths, some long enough to trigger byte splits
                int id = rnd.nextInt(members);
                byte[] m = b((id % 97 == 0 ? "long-".repeat(300) : "m") + id);
                int op = rnd.nextInt(10);
                double s = rnd.nextInt(200) - 100 + (rnd.nextBoolean() ? 0.5 : 0);
                if (op < 6) {
                    if (t.find(m)) t.update(m, s);
                    else t.insert(m, s);
                    model.put(m, s);
                } else if (op < 9) {
                    assertEquals(model.remove(m), t.delete(m));
                } else if (t.size() > 0) {
                    List<E> all = model.list();
                    int a = rnd.nextInt(all.size());
                    int c = Math.min(all.size() - 1, a + rnd.nextInt(50));
                    t.removeRange(a, c);
                    for (E e : all.subList(a, c + 1)) model.remove(e.member);
                }
                if (i % 5000 == 0) compare(t, model, rnd);
            }
            compare(t, model, rnd);
            // drain everything: the tree shrinks back to an empty root leaf
            for (E e : model.list()) assertTrue(t.delete(e.member));
            assertEquals(0, t.size());
            t.check();
        }
    }

    @Test
    void ascendingAndDescendingInsertsKeepOrderAndDeepTrees() {
        Random rnd = new Random(7);
        for (boolean asc : new boolean[]{true, false}) {
            ZSetTree t = new ZSetTree();
            Model model = new Model();
            int n = 200_000; // two levels of inner nodes at 64 entries per leaf, 64 children
            for (int i = 0; i < n; i++) {
                double s = asc ? i : n - i;
                byte[] m = b("m:" + i);
                t.insert(m, s);
                model.put(m, s);
            }
            compare(t, model, rnd);
            // delete most of it in random order; merges keep the structure valid
            List<E> all = model.list();
            java.util.Collections.shuffle(all, rnd);
            for (int i = 0; i < all.size() - 1000; i++) {
                assertTrue(t.delete(all.get(i).member));
                model.remove(all.get(i).member);
            }
            compare(t, model, rnd);
        }
    }

    @Test
    void lexCountsWithEqualScores() {
        ZSetTree t = new ZSetTree();
        List<byte[]> ms = new ArrayList<>();
        for (int i = 0; i < 5000; i++) ms.add(b(String.format("k%05d", i * 2)));
        java.util.Collections.shuffle(ms, new Random(3));
        for (byte[] m : ms) t.insert(m, 0);
        t.check();
        for (int i = 0; i < 10000; i += 7) {
            byte[] v = b(String.format("k%05d", i));
            int below = (i + 1) / 2;           // members k00000 .. below v
            boolean present = i % 2 == 0;
            assertEquals(below, t.countBelowLex(v, false));
            assertEquals(below + (present ? 1 : 0), t.countBelowLex(v, true));
        }
    }

    @Test
    void inPlaceUpdateAndNegativeZero() {
        ZSetTree t = new ZSetTree();
        for (int i = 0; i < 1000; i++) t.insert(b("m" + i), i);
        t.update(b("m500"), 500.5); // stays between its neighbours
        assertEquals(500.5, t.score(b("m500")));
        assertEquals(500, t.rank(b("m500")));
        t.update(b("m500"), -1); // moves to the front
        assertEquals(0, t.rank(b("m500")));
        t.insert(b("z"), -0.0);
        assertEquals(-0.0, t.score(b("z")));
        assertEquals(1, t.countBelow(0.0, false)); // -0.0 ties with 0.0: only -1 is below
        assertNull(t.score(b("absent")));
        assertFalse(t.delete(b("absent")));
        assertEquals(-1, t.rank(b("absent")));
        t.check();
    }

    @Test
    void largeRangeRemovalsKeepTheTreeValid() {
        Random rnd = new Random(9);
        ZSetTree t = new ZSetTree();
        Model model = new Model();
        for (int i = 0; i < 100_000; i++) {
            byte[] m = b("m" + i);
            double s = rnd.nextInt(1_000_000);
            t.insert(m, s);
            model.put(m, s);
        }
        int[][] cuts = {{10_000, 79_999}, {0, 99}, {19_000, 19_999}, {5, 5}};
        for (int[] c : cuts) {
            List<E> all = model.list();
            t.removeRange(c[0], c[1]);
            for (E e : all.subList(c[0], c[1] + 1)) model.remove(e.member);
            compare(t, model, rnd);
        }
        t.removeRange(0, t.size() - 1);
        assertEquals(0, t.size());
        t.check();
        t.insert(b("again"), 1);
        assertEquals(0, t.rank(b("again")));
        t.check();
    }
}
