package io.basalt.server.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyHistogramTest {

    @Test
    void bucketsAreContiguousAndWithinTwoPercent() {
        long previousHigh = -1;
        for (long v = 1; v < 50_000_000L; v = v < 1000 ? v + 1 : v + v / 97) {
            int i = LatencyHistogram.index(v);
            long high = LatencyHistogram.highestEquivalent(i);
            assertTrue(high >= v, "value " + v + " above its bucket " + high);
            assertTrue(high - v <= Math.max(1, v / 50), "bucket of " + v + " too wide: " + high);
            assertTrue(high >= previousHigh);
            previousHigh = high;
        }
    }

    @Test
    void percentilesAndCumulativeBuckets() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 99; i++) h.record(1_000); // 1us
        h.record(1_000_000); // 1ms
        assertEquals(100, h.count());
        assertEquals(1.0, h.valueAtPercentile(50) / 1000.0, 0.02);
        assertEquals(1.0, h.valueAtPercentile(99) / 1000.0, 0.02);
        assertEquals(1000.0, h.valueAtPercentile(99.9) / 1000.0, 20);
        long[][] b = h.cumulativeBuckets();
        assertEquals(1, b[0][0]);
        assertEquals(99, b[0][1]);
        assertEquals(100, b[b.length - 1][1]);
        assertEquals(1056, b[b.length - 1][0]);
        h.reset();
        assertEquals(0, h.count());
        assertEquals(0, h.cumulativeBuckets().length);
    }
}
