package io.basalt.cluster.placement;

import io.basalt.cluster.Slots;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Balanced placement over the explicit slot table (DESIGN.md §5, research/cluster.md §2): given
 * who owns each of the 16384 slots and a weight per master, the smallest set of slot moves that
 * leaves every master within one slot of its exact share {@code 16384·w/Σw}.
 *
 * <p>Why an explicit table and not a ring: clients only ever see slot→node, and a planner over
 * that table reaches ±1 balance with the minimum movement, where a vnode ring or plain rendezvous
 * hashing leave a node with Binomial(16384, 1/N) slots (+17% at N=100). Consistent hashing is
 * kept for the part where it shines, choosing <em>which</em> slots move: each master ranks slots
 * by a 64-bit rendezvous (highest-random-weight) score {@code h(node, slot)}, keeps the ones it
 * ranks highest, and a leaving slot goes to the under-full master that ranks it highest. So a
 * plan depends only on the table and the weights (not on the order of the input map, nor on the
 * JVM), two operators computing it get the same moves, and repeating it after it ran moves
 * nothing.
 *
 * <p>Targets: {@code t_i = ⌊16384·w_i/Σw⌋}, computed exactly (decimal weights, no rounding), and
 * the {@code R = 16384 − Σt_i} remaining slots go one each to masters whose share has a fraction.
 * Among those, masters that already hold more than their floor come first (each one so chosen
 * is one slot less to move, which is what makes the plan minimal over all ±1-balanced targets),
 * then the larger fraction, then the node id. The plan moves exactly {@code Σ max(0, cnt_i − t_i)}
 * assigned slots, plus every unassigned slot (to be claimed, {@code from == null}); no plan that
 * balances to ±1 can move fewer (see {@link Plan#lowerBound}).
 *
 * <p>Pure Java and no server types: the admin CLI (and later a live rebalancer) feed it the table
 * they read from CLUSTER NODES and execute the moves.
 */
public final class Planner {
    private Planner() {}

    /** One slot to move; {@code from} is null for a slot no master serves yet. */
    public record Move(int slot, String from, String to) {}

    /**
     * A plan: the moves in slot order, each master's slot count before and its target after, and
     * the number of unassigned slots it claims. Maps are sorted by node id.
     */
    public record Plan(List<Move> moves, Map<String, Integer> before, Map<String, Integer> targets, int unassigned) {
        /**
         * The least number of moves any ±1-balanced plan needs from this table: the slots above
         * target on over-full masters, plus the unassigned ones. Equal to {@code moves().size()}.
         */
        public int lowerBound() {
            int n = unassigned;
            for (Map.Entry<String, Integer> e : before.entrySet()) n += Math.max(0, e.getValue() - targets.get(e.getKey()));
            return n;
        }
    }

    /**
     * Plans the moves.
     *
     * @param owners  the slot table: {@code owners[s]} is the id of the master serving slot s, or
     *                null; exactly {@link Slots#COUNT} entries
     * @param weights every master that may hold slots, with its weight (finite, ≥ 0; 0 drains it);
     *                every owner in the table must be here, and at least one weight must be > 0
     * @throws IllegalArgumentException for a table or weights that break those rules
     */
    public static Plan plan(String[] owners, Map<String, Double> weights) {
        if (owners.length != Slots.COUNT) {
            throw new IllegalArgumentException("the slot table has " + owners.length + " entries, not " + Slots.COUNT);
        }
        // canonical order: by id, whatever order the caller's map iterates in
        List<String> ids = new ArrayList<>(weights.keySet());
        Collections.sort(ids);
        int n = ids.size();
        Map<String, Integer> index = new TreeMap<>();
        for (int i = 0; i < n; i++) index.put(ids.get(i), i);

        BigDecimal[] w = new BigDecimal[n];
        BigDecimal total = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
            Double d = weights.get(ids.get(i));
            if (d == null || d.isNaN() || d.isInfinite() || d < 0) {
                throw new IllegalArgumentException("bad weight " + d + " for " + ids.get(i));
            }
            // valueOf goes through Double.toString: 0.1 is the decimal 0.1, as the operator typed it
            w[i] = BigDecimal.valueOf(d);
            total = total.add(w[i]);
        }
        if (total.signum() == 0) throw new IllegalArgumentException("no master has a weight above 0");

        int[] count = new int[n];
        int unassigned = 0;
        for (int s = 0; s < Slots.COUNT; s++) {
            String o = owners[s];
            if (o == null) {
                unassigned++;
                continue;
            }
            Integer i = index.get(o);
            if (i == null) throw new IllegalArgumentException("slot " + s + " is served by " + o + ", which has no weight");
            count[i]++;
        }

        int[] target = targets(w, total, count);

        // each master keeps the slots it ranks highest; the others leave it
        long[] nodeHash = new long[n];
        for (int i = 0; i < n; i++) nodeHash[i] = fnv1a64(ids.get(i));
        List<List<Integer>> owned = new ArrayList<>(n);
        for (int i = 0; i < n; i++) owned.add(new ArrayList<>(count[i]));
        for (int s = 0; s < Slots.COUNT; s++) {
            if (owners[s] != null) owned.get(index.get(owners[s])).add(s);
        }
        boolean[] leaves = new boolean[Slots.COUNT];
        for (int i = 0; i < n; i++) {
            int excess = count[i] - target[i];
            if (excess <= 0) continue;
            long h = nodeHash[i];
            Integer[] mine = owned.get(i).toArray(new Integer[0]);
            // lowest score first; slot number breaks the (2^-64) ties
            Arrays.sort(mine, (a, b) -> {
                int c = Long.compareUnsigned(score(h, a), score(h, b));
                return c != 0 ? c : Integer.compare(a, b);
            });
            for (int k = 0; k < excess; k++) leaves[mine[k]] = true;
        }

        // the leaving and unassigned slots, in slot order, each to the under-full master that ranks
        // it highest among those with room left
        int[] room = new int[n];
        for (int i = 0; i < n; i++) room[i] = Math.max(0, target[i] - count[i]);
        List<Move> moves = new ArrayList<>();
        for (int s = 0; s < Slots.COUNT; s++) {
            if (owners[s] != null && !leaves[s]) continue;
            int best = -1;
            long bestScore = 0;
            for (int j = 0; j < n; j++) {
                if (room[j] == 0) continue;
                long sc = score(nodeHash[j], s);
                // ids are sorted, so on an equal score the smaller id (found first) wins
                if (best < 0 || Long.compareUnsigned(sc, bestScore) > 0) {
                    best = j;
                    bestScore = sc;
                }
            }
            // Σroom = Σexcess + unassigned, so there is always one
            room[best]--;
            moves.add(new Move(s, owners[s], ids.get(best)));
        }

        Map<String, Integer> before = new TreeMap<>();
        Map<String, Integer> targets = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            before.put(ids.get(i), count[i]);
            targets.put(ids.get(i), target[i]);
        }
        return new Plan(Collections.unmodifiableList(moves), Collections.unmodifiableMap(before),
                Collections.unmodifiableMap(targets), unassigned);
    }

    /** The per-master targets (see the class comment), for masters in id order. */
    private static int[] targets(BigDecimal[] w, BigDecimal total, int[] count) {
        int n = w.length;
        BigDecimal slots = BigDecimal.valueOf(Slots.COUNT);
        int[] t = new int[n];
        BigDecimal[] frac = new BigDecimal[n]; // 16384·w_i − t_i·Σw: the fraction, times Σw
        int left = Slots.COUNT;
        for (int i = 0; i < n; i++) {
            BigDecimal share = slots.multiply(w[i]);
            t[i] = share.divide(total, 0, RoundingMode.FLOOR).intValueExact();
            frac[i] = share.subtract(total.multiply(BigDecimal.valueOf(t[i])));
            left -= t[i];
        }
        // left < the number of masters with a fraction (it is the sum of those fractions)
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            boolean ha = frac[a].signum() > 0, hb = frac[b].signum() > 0;
            if (ha != hb) return ha ? -1 : 1;
            boolean oa = count[a] > t[a], ob = count[b] > t[b];
            if (oa != ob) return oa ? -1 : 1;
            int c = frac[b].compareTo(frac[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int k = 0; k < left; k++) t[order[k]]++;
        return t;
    }

    /** The rendezvous score of a slot for a node (given by its id's hash); compare unsigned. */
    static long score(long nodeHash, int slot) {
        return fmix64(nodeHash ^ fmix64(slot * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L));
    }

    /** FNV-1a, 64-bit, over the id's UTF-8 bytes: fixed by its spec, the same on every JVM. */
    static long fnv1a64(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** MurmurHash3's 64-bit finalizer: every input bit flips about half the output bits. */
    static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
