package io.basalt.data;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks that the JVM heap can hold a large array before it is allocated, so that one request
 * asking for a huge value (a 512 MB SETRANGE, SETBIT or SET) gets an error reply instead of
 * exhausting the heap under every other request and thread of the server.
 *
 * <p>Arrays of at least {@link #LARGE} bytes are reserved first: the heap in use now (live data
 * and not yet collected garbage), plus the other large arrays being allocated at this moment on
 * other threads, plus this one, must leave {@link #margin} free. Heap in use counts garbage, so a
 * refusal is first checked again after a concurrent collection cycle ({@code System.gc()} with
 * {@code -XX:+ExplicitGCInvokesConcurrent}, as bin/basalt-server sets: no stop-the-world full
 * collection); without that flag it is refused at once. A refusal throws {@link NoRoom}, an
 * {@link OutOfMemoryError} raised before anything was allocated or changed, which the server
 * turns into Redis's {@code -OOM} error reply for that one request.
 *
 * <p>The heap is the JVM's, not a server's: two servers in one JVM share this guard.
 */
public final class HeapGuard {
    /** Arrays from this size on are checked (smaller ones cannot exhaust a heap alone). */
    public static final int LARGE = 1 << 20;

    private static final Runtime RUNTIME = Runtime.getRuntime();
    private static final AtomicLong IN_FLIGHT = new AtomicLong();
    private static final boolean CONCURRENT_GC = concurrentExplicitGc();

    private HeapGuard() {}

    /** Thrown instead of allocating: the heap cannot hold the array (nothing was changed). */
    public static final class NoRoom extends OutOfMemoryError {
        NoRoom(long bytes) {
            super("not enough heap for " + bytes + " bytes");
        }
    }

    /** A new zeroed array of {@code n} bytes, checked first when large. */
    public static byte[] bytes(int n) {
        if (n < LARGE) return new byte[n];
        reserve(n);
        try {
            return new byte[n];
        } finally {
            // once allocated the array is part of the heap in use: no longer reserved
            IN_FLIGHT.addAndGet(-n);
        }
    }

    /** {@link java.util.Arrays#copyOf(byte[], int)}, checked first when large. */
    public static byte[] copyOf(byte[] a, int n) {
        if (n < LARGE) return java.util.Arrays.copyOf(a, n);
        reserve(n);
        try {
            return java.util.Arrays.copyOf(a, n);
        } finally {
            IN_FLIGHT.addAndGet(-n);
        }
    }

    /** Reserves {@code n} bytes of heap or throws {@link NoRoom}; the caller releases them. */
    private static void reserve(long n) {
        long max = RUNTIME.maxMemory();
        long flight = IN_FLIGHT.addAndGet(n);
        if (admits(inUse(), flight, max)) return;
        if (CONCURRENT_GC) {
            // what is in use may be mostly garbage (a value just deleted or replaced): a
            // concurrent cycle finds out without stopping the other threads; this one waits
            System.gc();
            if (admits(inUse(), IN_FLIGHT.get(), max)) return;
        }
        IN_FLIGHT.addAndGet(-n);
        throw new NoRoom(n);
    }

    /**
     * The rule: heap in use, plus the large arrays reserved (this one included), plus the
     * margin, within the heap limit.
     */
    static boolean admits(long inUse, long reserved, long max) {
        return inUse + reserved + margin(max) <= max;
    }

    /**
     * Heap kept free for everything else that runs meanwhile (other requests, the collector's
     * own room to copy live objects): 1/16 of the heap, at least 32 MiB.
     */
    static long margin(long max) {
        return Math.max(32L << 20, max / 16);
    }

    private static long inUse() {
        return RUNTIME.totalMemory() - RUNTIME.freeMemory();
    }

    /** Whether a large array of {@code n} bytes would be admitted now (tests, INFO). */
    public static boolean fits(long n) {
        long max = RUNTIME.maxMemory();
        return admits(inUse(), IN_FLIGHT.get() + n, max);
    }

    private static boolean concurrentExplicitGc() {
        try {
            com.sun.management.HotSpotDiagnosticMXBean vm =
                    ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            return vm != null && vm.getVMOption("ExplicitGCInvokesConcurrent").getValue().equals("true")
                    && vm.getVMOption("DisableExplicitGC").getValue().equals("false");
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
