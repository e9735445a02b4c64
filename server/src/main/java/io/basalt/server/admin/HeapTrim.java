package io.basalt.server.admin;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.basalt.server.util.Log;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.function.LongSupplier;

/**
 * Gives memory back to the system when the server goes idle after its heap grew.
 *
 * <p>G1 expands the heap while a write burst keeps it collecting (a bulk load, a restore), and
 * shrinks it again only at the end of a concurrent marking cycle, which it starts by itself only
 * when the old generation fills up or after {@code G1PeriodicGCInterval} of complete silence. So
 * after a load the process would keep tens of MiB it no longer needs (100,000 small hashes:
 * RSS growth 42 MiB, 25 after one cycle; redis-server: 26). This cron task starts that cycle once
 * the server has run no command for a second and the committed heap has grown by a tenth (at
 * least 16 MiB) since the last cycle ended: one concurrent cycle per burst, none while clients
 * are busy, none on an idle server whose heap did not grow. (A 100 MB value deleted: its heap is
 * given back about 1.5 s later.)
 *
 * <p>With maxmemory the heap limit leaves room for one value as large as Redis accepts past the
 * limit (see bin/basalt-server). Once such values are deleted, a busy server would keep that
 * heap committed: so a cycle is also started, at most every 5 s, while the committed heap is
 * above what the data needs ({@link #target}). The cycles run on a helper thread, since
 * {@code System.gc()} waits for the cycle it starts.
 *
 * <p>It acts only when {@code System.gc()} starts a concurrent cycle
 * ({@code -XX:+ExplicitGCInvokesConcurrent}, which bin/basalt-server sets): a stop-the-world full
 * collection of a large heap would stall every client.
 */
public final class HeapTrim implements Runnable {
    private static final long MIN_GROWTH = 16L << 20;
    private static final long IDLE_NANOS = 1_000_000_000L;
    /** Least time between two cycles started because the heap is above its target. */
    private static final long TARGET_INTERVAL_NANOS = 5_000_000_000L;

    /** Committed heap above this (slack included) starts a cycle even while busy; 0: none. */
    private final LongSupplier target;
    /** Runs the cycles: System.gc() waits for the concurrent cycle it starts. */
    private final java.util.concurrent.ExecutorService cycles = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "basalt-heap-trim");
        t.setDaemon(true);
        return t;
    });
    private final java.util.concurrent.atomic.AtomicBoolean cycleRunning = new java.util.concurrent.atomic.AtomicBoolean();
    private final LongSupplier commands;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final boolean enabled;
    private long lastCommands = -1;
    private long idleSince;
    private long baseline = -1;
    /** Set by the helper thread when a cycle is over; read by the cron thread. */
    private volatile boolean cycleEnded;
    private long nextTargetCycle = System.nanoTime();

    public HeapTrim(LongSupplier commands, LongSupplier target) {
        this.commands = commands;
        this.target = target;
        this.enabled = concurrentExplicitGc();
    }

    private static boolean concurrentExplicitGc() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return vm != null && vm.getVMOption("ExplicitGCInvokesConcurrent").getValue().equals("true")
                    && vm.getVMOption("DisableExplicitGC").getValue().equals("false")
                    && vm.getVMOption("UseG1GC").getValue().equals("true");
        } catch (RuntimeException e) {
            return false; // not HotSpot: leave the heap to the collector
        }
    }

    @Override public void run() {
        if (!enabled || cycleRunning.get()) return;
        long now = System.nanoTime();
        long committed = memory.getHeapMemoryUsage().getCommitted();
        if (baseline < 0 || cycleEnded) {
            // System.gc() returned when its cycle was over: the heap is now as small as that
            // cycle made it, the baseline for the next growth (a burst right after a trim, as
            // SET/GET/DEL of one large value every few seconds, is trimmed again)
            baseline = committed;
            cycleEnded = false;
        }
        long t = target.getAsLong();
        if (t > 0 && committed > t + Math.max(MIN_GROWTH, t / 8) && now - nextTargetCycle >= 0) {
            // the heap is larger than the data needs, e.g. a huge value was deleted while
            // clients stay busy (the idle rule below would never fire): a concurrent cycle
            // finds the garbage and its remark pause shrinks the heap back. At most one per
            // TARGET_INTERVAL_NANOS, so a heap that stays above the target costs no continuous marking.
            nextTargetCycle = now + TARGET_INTERVAL_NANOS;
            startCycle();
            return;
        }
        long n = commands.getAsLong();
        if (n != lastCommands) {
            lastCommands = n;
            idleSince = now;
            return;
        }
        if (now - idleSince < IDLE_NANOS) return;
        baseline = Math.min(baseline, committed); // the collector shrank it by itself
        if (committed - baseline < Math.max(MIN_GROWTH, baseline / 10)) return;
        startCycle(); // its remark pause shrinks the heap to MaxHeapFreeRatio
    }

    /** A concurrent cycle on the helper thread, unless one is running. */
    private void startCycle() {
        if (!cycleRunning.compareAndSet(false, true)) return;
        cycles.execute(() -> {
            try {
                long before = memory.getHeapMemoryUsage().getCommitted();
                System.gc();
                Log.verbose("Heap trim: committed heap " + (before >> 20) + " MB before, "
                        + (memory.getHeapMemoryUsage().getCommitted() >> 20) + " MB after");
            } finally {
                cycleEnded = true;
                cycleRunning.set(false);
            }
        });
    }

    /**
     * The heap a server with maxmemory needs: its data (maxmemory, or more while a value Redis
     * admits past the limit is stored) and room for garbage, max(maxmemory / 2, 96 MiB), as the
     * launcher's heap limit was before it left room for huge values (docs/configuration.md).
     * 0 without maxmemory: the heap may then take what the collector wants, up to its limit.
     */
    public static long target(io.basalt.server.BasaltServer s) {
        long maxmemory = s.config().getLong("maxmemory");
        if (maxmemory <= 0) return 0;
        long data = Math.max(maxmemory, InfoSections.usedMemory(s));
        return data + Math.max(maxmemory / 2, 96L << 20);
    }
}
