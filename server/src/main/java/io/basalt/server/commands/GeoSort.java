package io.basalt.server.commands;

import java.util.function.ToDoubleFunction;

/**
 * The sorts behind ASC/DESC of the geo searches, as Redis 7.0 on glibc runs them, because the
 * order of equal distances (points at one position, or a NaN distance) is part of the reply:
 * the whole result is sorted with glibc's qsort (a stable top-down merge sort), and a COUNT
 * smaller than the result with Redis's pqsort (Bentley-McIlroy quicksort that only recurses
 * into parts overlapping the wanted prefix; not stable). Both use Redis's comparator, under
 * which a NaN distance compares below everything.
 */
final class GeoSort {
    private GeoSort() {}

    /**
     * Sorts {@code a} by {@code key} (descending when {@code desc}) so that its first
     * {@code wanted} elements are Redis's.
     */
    static <T> void sort(T[] a, ToDoubleFunction<T> key, boolean desc, int wanted) {
        Sorter<T> s = new Sorter<>(a, key, desc);
        if (wanted == a.length) s.mergeSort(0, a.length, a.clone());
        else s.pqsort(0, a.length, 0, wanted - 1);
    }

    private static final class Sorter<T> {
        private final T[] a;
        private final ToDoubleFunction<T> key;
        private final boolean desc;

        Sorter(T[] a, ToDoubleFunction<T> key, boolean desc) {
            this.a = a;
            this.key = key;
            this.desc = desc;
        }

        /** sort_gp_asc, or sort_gp_desc (its negation). */
        private int cmp(int i, int j) {
            double x = key.applyAsDouble(a[i]);
            double y = key.applyAsDouble(a[j]);
            int r = x > y ? 1 : x == y ? 0 : -1;
            return desc ? -r : r;
        }

        private void swap(int i, int j) {
            T t = a[i];
            a[i] = a[j];
            a[j] = t;
        }

        /** Swaps the n elements from i with the n from j, pairwise, first to last. */
        private void vecswap(int i, int j, int n) {
            for (int k = 0; k < n; k++) swap(i + k, j + k);
        }

        // ---------------------------------------------------------- glibc msort_with_tmp

        private void mergeSort(int from, int n, T[] tmp) {
            if (n <= 1) return;
            int n1 = n / 2;
            int n2 = n - n1;
            mergeSort(from, n1, tmp);
            mergeSort(from + n1, n2, tmp);
            int i = from, j = from + n1, k = 0;
            while (n1 > 0 && n2 > 0) {
                if (cmp(i, j) <= 0) {
                    tmp[k++] = a[i++];
                    n1--;
                } else {
                    tmp[k++] = a[j++];
                    n2--;
                }
            }
            while (n1-- > 0) tmp[k++] = a[i++];
            System.arraycopy(tmp, 0, a, from, k); // what is left of the right run is in place
        }

        // ---------------------------------------------------------- Redis pqsort.c

        private int med3(int x, int y, int z) {
            return cmp(x, y) < 0
                    ? (cmp(y, z) < 0 ? y : (cmp(x, z) < 0 ? z : x))
                    : (cmp(y, z) > 0 ? y : (cmp(x, z) < 0 ? x : z));
        }

        /**
         * _pqsort over a[lo, lo + n): sorts enough that the ranks lrange..rrange hold what a full
         * sort would put there, skipping parts outside that range.
         */
        private void pqsort(int lo, int n, int lrange, int rrange) {
            while (true) {
                if (n < 7) {
                    for (int pm = lo + 1; pm < lo + n; pm++) {
                        for (int pl = pm; pl > lo && cmp(pl - 1, pl) > 0; pl--) swap(pl, pl - 1);
                    }
                    return;
                }
                int pm = lo + n / 2;
                if (n > 7) {
                    int pl = lo;
                    int pn = lo + n - 1;
                    if (n > 40) {
                        int d = n / 8;
                        pl = med3(pl, pl + d, pl + 2 * d);
                        pm = med3(pm - d, pm, pm + d);
                        pn = med3(pn - 2 * d, pn - d, pn);
                    }
                    pm = med3(pl, pm, pn);
                }
                swap(lo, pm);
                int pa = lo + 1, pb = pa;
                int pc = lo + n - 1, pd = pc;
                while (true) {
                    int r;
                    while (pb <= pc && (r = cmp(pb, lo)) <= 0) {
                        if (r == 0) {
                            swap(pa, pb);
                            pa++;
                        }
                        pb++;
                    }
                    while (pb <= pc && (r = cmp(pc, lo)) >= 0) {
                        if (r == 0) {
                            swap(pc, pd);
                            pd--;
                        }
                        pc--;
                    }
                    if (pb > pc) break;
                    swap(pb, pc);
                    pb++;
                    pc--;
                }
                int pn = lo + n;
                int r = Math.min(pa - lo, pb - pa);
                vecswap(lo, pb - r, r);
                r = Math.min(pd - pc, pn - pd - 1);
                vecswap(pb, pn - r, r);
                if ((r = pb - pa) > 1 && overlaps(lo, r, lrange, rrange)) pqsort(lo, r, lrange, rrange);
                if ((r = pd - pc) > 1) {
                    // iterate rather than recurse
                    lo = pn - r;
                    n = r;
                    if (overlaps(lo, n, lrange, rrange)) continue;
                }
                return;
            }
        }

        /** Whether a[lo, lo + n) holds any of the ranks lrange..rrange (pqsort's pointer test). */
        private static boolean overlaps(int lo, int n, int lrange, int rrange) {
            return !((lrange < lo && rrange < lo) || (lrange >= lo + n && rrange >= lo + n));
        }
    }
}
