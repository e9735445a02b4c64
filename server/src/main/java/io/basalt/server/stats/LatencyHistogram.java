package io.basalt.server.stats;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A per-command latency histogram in nanoseconds, log-linear like HdrHistogram with two
 * significant digits (64 linear sub-buckets per power of two), lock-free so commands on every
 * event loop record into it. Feeds INFO latencystats and LATENCY HISTOGRAM as Redis 7.0's
 * hdr_histogram does.
 */
public final class LatencyHistogram {
    private static final int SUB = 128;
    private static final int HALF = SUB / 2;
    /** Indexes: 0..127 exact, then 64 per power of two up to 2^63. */
    private static final int SIZE = SUB + 57 * HALF;

    private final AtomicLongArray counts = new AtomicLongArray(SIZE);
    private final java.util.concurrent.atomic.LongAdder total = new java.util.concurrent.atomic.LongAdder();

    public void record(long nanos) {
        if (nanos < 1) nanos = 1; // Redis's histogram minimum is 1ns
        counts.incrementAndGet(index(nanos));
        total.increment();
    }

    public long count() { return total.sum(); }

    static int index(long v) {
        if (v < SUB) return (int) v;
        int shift = 63 - Long.numberOfLeadingZeros(v) - 6;
        return SUB + (shift - 1) * HALF + (int) ((v >>> shift) - HALF);
    }

    /** The largest value that falls into bucket {@code i}. */
    static long highestEquivalent(int i) {
        if (i < SUB) return i;
        int shift = (i - SUB) / HALF + 1;
        long m = (i - SUB) % HALF + HALF;
        return ((m + 1) << shift) - 1;
    }

    /** Like hdr_value_at_percentile: the highest equivalent value below which p% of samples fall. */
    public long valueAtPercentile(double p) {
        long n = count();
        if (n == 0) return 0;
        long want = Math.max(1, (long) Math.ceil(Math.min(100.0, p) / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < SIZE; i++) {
            seen += counts.get(i);
            if (seen >= want) return highestEquivalent(i);
        }
        return highestEquivalent(SIZE - 1);
    }

    /**
     * LATENCY HISTOGRAM's buckets: cumulative counts at power-of-two bounds starting at 1024ns,
     * as (upper bound in microseconds, cumulative count), only where the count grew.
     */
    public long[][] cumulativeBuckets() {
        java.util.List<long[]> out = new java.util.ArrayList<>();
        long previous = 0;
        long cumulative = 0;
        int i = 0;
        long n = count();
        for (long bound = 1024; bound > 0 && cumulative < n; bound <<= 1) {
            while (i < SIZE && highestEquivalent(i) < bound) cumulative += counts.get(i++);
            // keyed like hdr's log iterator: the bound's highest equivalent value (2 significant digits)
            if (cumulative > previous) out.add(new long[]{(bound + (bound >> 7) - 1) / 1000, cumulative});
            previous = cumulative;
        }
        return out.toArray(new long[0][]);
    }

    public void reset() {
        for (int i = 0; i < SIZE; i++) counts.set(i, 0);
        total.reset();
    }
}
