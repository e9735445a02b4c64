package io.basalt.cluster.placement;

import io.basalt.cluster.Slots;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlannerTest {
    private static String id(int i) {
        // 40 hex characters, as Redis node ids
        return String.format("%040x", 0x9e3779b97f4a7c15L * (i + 1));
    }

    private static Map<String, Double> equal(int n) {
        Map<String, Double> w = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) w.put(id(i), 1.0);
        return w;
    }

    /** The table after the plan ran. */
    private static String[] apply(String[] owners, Planner.Plan plan) {
        String[] after = owners.clone();
        for (Planner.Move m : plan.moves()) {
            assertEquals(owners[m.slot()], m.from(), "move of slot " + m.slot() + " names its owner");
            after[m.slot()] = m.to();
        }
        return after;
    }

    private static Map<String, Integer> counts(String[] owners) {
        Map<String, Integer> c = new TreeMap<>();
        for (String o : owners) if (o != null) c.merge(o, 1, Integer::sum);
        return c;
    }

    /**
     * Checks what every plan must hold: each slot moves at most once, the result has every slot
     * assigned with each master within ±1 of its exact share (and at its target), and the
     * number of moves is the least any ±1-balanced plan could make, computed here independently
     * of the planner's targets.
     */
    private static String[] check(String[] owners, Map<String, Double> weights, Planner.Plan plan) {
        Set<Integer> slots = plan.moves().stream().map(Planner.Move::slot).collect(Collectors.toSet());
        assertEquals(plan.moves().size(), slots.size(), "a slot moves once");
        String[] after = apply(owners, plan);
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Integer> now = counts(after);
        int sum = 0;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            int c = now.getOrDefault(e.getKey(), 0);
            double exact = Slots.COUNT * e.getValue() / total;
            assertTrue(Math.abs(c - exact) < 1.0 + 1e-9, e.getKey() + " holds " + c + ", exact share " + exact);
            assertEquals(plan.targets().get(e.getKey()), c);
            sum += c;
        }
        assertEquals(Slots.COUNT, sum, "every slot assigned");

        // the minimum over all targets t_i in {floor, ceil} summing to 16384: start from the floors,
        // each of the R extra slots saves a move when given to a master above its floor
        Map<String, Integer> before = counts(owners);
        int floors = 0, unassigned = 0, base = 0, canSave = 0;
        for (String o : owners) if (o == null) unassigned++;
        for (Map.Entry<String, Double> e : weights.entrySet()) {
            double exact = Slots.COUNT * e.getValue() / total;
            int fl = (int) Math.floor(exact + 1e-9);
            floors += fl;
            int c = before.getOrDefault(e.getKey(), 0);
            base += Math.max(0, c - fl);
            if (exact - fl > 1e-9 && c > fl) canSave++;
        }
        int r = Slots.COUNT - floors;
        int least = base - Math.min(r, canSave) + unassigned;
        assertEquals(least, plan.moves().size(), "minimal");
        assertEquals(least, plan.lowerBound());
        return after;
    }

    private static String[] empty() {
        return new String[Slots.COUNT];
    }

    @Test
    void fromAnEmptyTableEveryMasterGetsItsShareWithinOne() {
        for (int n : new int[]{1, 3, 5, 7, 10, 100}) {
            Map<String, Double> w = equal(n);
            Planner.Plan p = Planner.plan(empty(), w);
            assertEquals(Slots.COUNT, p.unassigned());
            assertEquals(Slots.COUNT, p.moves().size());
            assertTrue(p.moves().stream().allMatch(m -> m.from() == null));
            String[] after = check(empty(), w, p);
            int min = Collections.min(counts(after).values()), max = Collections.max(counts(after).values());
            assertTrue(max - min <= 1, n + " masters: " + min + ".." + max);
        }
    }

    @Test
    void aBalancedTableMovesNothing() {
        Map<String, Double> w = equal(7);
        String[] t = apply(empty(), Planner.plan(empty(), w));
        Planner.Plan again = Planner.plan(t, w);
        assertEquals(List.of(), again.moves());
        assertEquals(0, again.lowerBound());
    }

    @Test
    void redisCliCreateLayoutIsAlreadyBalanced() {
        // redis-cli --cluster create with 3 masters: 0-5460, 5461-10922, 10923-16383
        String[] t = empty();
        for (int s = 0; s < Slots.COUNT; s++) t[s] = s <= 5460 ? id(0) : s <= 10922 ? id(1) : id(2);
        assertEquals(List.of(), Planner.plan(t, equal(3)).moves());
    }

    @Test
    void joinMovesOneNPlusOneThAllToTheNewMaster() {
        for (int n : new int[]{1, 3, 10, 100}) {
            Map<String, Double> w = equal(n);
            String[] t = apply(empty(), Planner.plan(empty(), w));
            Map<String, Double> joined = new LinkedHashMap<>(w);
            String newcomer = id(n);
            joined.put(newcomer, 1.0);
            Planner.Plan p = Planner.plan(t, joined);
            check(t, joined, p);
            assertTrue(p.moves().stream().allMatch(m -> m.to().equals(newcomer)), "every move goes to the newcomer");
            // 16384/(n+1) within one: the ideal fraction 1/(N+1), not a slot more
            double ideal = (double) Slots.COUNT / (n + 1);
            assertTrue(Math.abs(p.moves().size() - ideal) < 1, n + "->" + (n + 1) + ": " + p.moves().size() + " moves, ideal " + ideal);
            // and every old master gives its fair part, not just the first ones
            Map<String, Long> from = p.moves().stream().collect(Collectors.groupingBy(Planner.Move::from, Collectors.counting()));
            assertEquals(n, from.size());
        }
    }

    @Test
    void leaveWithWeightZeroDrainsTheMasterToTheOthersOnly() {
        int n = 10;
        Map<String, Double> w = equal(n);
        String[] t = apply(empty(), Planner.plan(empty(), w));
        String leaving = id(4);
        int had = counts(t).get(leaving);
        w.put(leaving, 0.0);
        Planner.Plan p = Planner.plan(t, w);
        String[] after = check(t, w, p);
        assertEquals(had, p.moves().size(), "only the drained master's slots move");
        assertTrue(p.moves().stream().allMatch(m -> m.from().equals(leaving)));
        assertNull(counts(after).get(leaving));
        assertEquals(0, p.targets().get(leaving));
    }

    @Test
    void weightsGiveProportionalShares() {
        Map<String, Double> w = new LinkedHashMap<>();
        w.put(id(0), 1.0);
        w.put(id(1), 2.0);
        w.put(id(2), 3.0);
        w.put(id(3), 0.5);
        String[] after = check(empty(), w, Planner.plan(empty(), w));
        Map<String, Integer> c = counts(after);
        // 16384 * w / 6.5
        assertEquals(2520, c.get(id(0)), 1);
        assertEquals(5041, c.get(id(1)), 1);
        assertEquals(7562, c.get(id(2)), 1);
        assertEquals(1260, c.get(id(3)), 1);

        // then change one weight: minimal again, from a weighted table
        w.put(id(3), 2.0);
        check(after, w, Planner.plan(after, w));
    }

    @Test
    void decimalWeightsAreExact() {
        // 0.1 + 0.2 + 0.7 is not 1.0 in binary floating point; the targets must still sum to 16384
        Map<String, Double> w = Map.of(id(0), 0.1, id(1), 0.2, id(2), 0.7);
        Planner.Plan p = Planner.plan(empty(), w);
        check(empty(), w, p);
        assertEquals(Slots.COUNT, p.targets().values().stream().mapToInt(Integer::intValue).sum());
    }

    @Test
    void randomTablesArePlannedMinimally() {
        Random rnd = new Random(42);
        for (int round = 0; round < 50; round++) {
            int n = 1 + rnd.nextInt(12);
            Map<String, Double> w = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) w.put(id(i), (double) rnd.nextInt(4)); // some zeros
            if (w.values().stream().allMatch(x -> x == 0)) w.put(id(0), 1.0);
            String[] t = empty();
            for (int s = 0; s < Slots.COUNT; s++) {
                // skewed ownership, some slots unassigned
                int k = rnd.nextInt(n + 1);
                t[s] = k == n ? null : id(Math.min(k, rnd.nextInt(n)));
            }
            String[] after = check(t, w, Planner.plan(t, w));
            assertEquals(List.of(), Planner.plan(after, w).moves(), "a plan that ran leaves nothing to do");
        }
    }

    @Test
    void plansDependOnlyOnTableAndWeightsNotOnInputOrder() {
        Map<String, Double> w = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) w.put(id(i), 1.0 + (i % 3));
        String[] t = empty();
        for (int s = 0; s < Slots.COUNT; s++) t[s] = id(s * 6 / Slots.COUNT < 4 ? s % 2 : 2);
        Planner.Plan p1 = Planner.plan(t, w);

        List<String> keys = new ArrayList<>(w.keySet());
        Collections.shuffle(keys, new Random(7));
        Map<String, Double> shuffled = new LinkedHashMap<>();
        for (String k : keys) shuffled.put(k, w.get(k));
        Map<String, Double> hashed = new HashMap<>(w);
        assertEquals(p1, Planner.plan(t, shuffled));
        assertEquals(p1, Planner.plan(t.clone(), hashed));
        assertTrue(p1.moves().size() > 0);
    }

    @Test
    void theSlotsThatMoveAreSpreadOverTheSlotSpace() {
        // rendezvous choice, not the first or last slots of each master's range: the newcomer's
        // slots fall in every sixteenth of the slot space
        Map<String, Double> w = equal(4);
        String[] t = empty();
        for (int s = 0; s < Slots.COUNT; s++) t[s] = id(s * 4 / Slots.COUNT);
        w.put(id(4), 1.0);
        Planner.Plan p = Planner.plan(t, w);
        boolean[] seen = new boolean[16];
        for (Planner.Move m : p.moves()) seen[m.slot() * 16 / Slots.COUNT] = true;
        for (boolean b : seen) assertTrue(b);
    }

    @Test
    void rendezvousScoresAreFixed() {
        // the hash is part of the plan's contract (plans reproducible across versions and JVMs)
        assertEquals(0xcbf29ce484222325L, Planner.fnv1a64(""));
        assertEquals(0xaf63dc4c8601ec8cL, Planner.fnv1a64("a"));
        assertNotNull(Planner.plan(empty(), equal(2)));
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(new String[10], equal(2)));
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(empty(), Map.of(id(0), 0.0)));
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(empty(), Map.of(id(0), -1.0)));
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(empty(), Map.of(id(0), Double.NaN)));
        String[] t = empty();
        t[5] = "unknown";
        assertThrows(IllegalArgumentException.class, () -> Planner.plan(t, equal(2)));
    }
}
