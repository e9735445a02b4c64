package io.basalt.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HeapGuard admits large arrays the heap can hold and refuses, before allocating, those it cannot. */
class HeapGuardTest {

    @Test
    void smallAndFittingArraysAreAllocated() {
        assertEquals(10, HeapGuard.bytes(10).length);
        assertEquals(HeapGuard.LARGE, HeapGuard.bytes(HeapGuard.LARGE).length);
        byte[] a = {1, 2, 3};
        byte[] b = HeapGuard.copyOf(a, HeapGuard.LARGE + 1);
        assertEquals(HeapGuard.LARGE + 1, b.length);
        assertEquals(3, b[2]);
        assertTrue(HeapGuard.fits(HeapGuard.LARGE));
    }

    @Test
    void anArrayTheHeapCannotHoldIsRefusedNotAttempted() {
        long max = Runtime.getRuntime().maxMemory();
        assertFalse(HeapGuard.fits(max));
        assertFalse(HeapGuard.fits(max - HeapGuard.margin(max) + 1));
        if (max < Integer.MAX_VALUE - 16) {
            // only where an int-sized array can exceed the heap (a small test heap)
            assertThrows(HeapGuard.NoRoom.class, () -> HeapGuard.bytes((int) max));
        }
        // a refusal reserves nothing: a fitting array is still admitted afterwards
        assertTrue(HeapGuard.fits(HeapGuard.LARGE));
        assertEquals(HeapGuard.LARGE, HeapGuard.bytes(HeapGuard.LARGE).length);
    }

    @Test
    void theRuleCountsWhatOtherThreadsAreAllocating() {
        long mib = 1L << 20;
        long max = 786 * mib; // the launcher's heap for maxmemory 50mb
        assertEquals(49 * mib + 128 * 1024, HeapGuard.margin(max));
        // one 512 MiB value on a nearly empty heap: admitted
        assertTrue(HeapGuard.admits(30 * mib, 516 * mib, max));
        // a second one while the first is being allocated: refused
        assertFalse(HeapGuard.admits(30 * mib, 2 * 516 * mib, max));
        // or once the first is stored
        assertFalse(HeapGuard.admits(546 * mib, 516 * mib, max));
        // a small heap always keeps 32 MiB
        assertEquals(32 * mib, HeapGuard.margin(100 * mib));
    }
}
