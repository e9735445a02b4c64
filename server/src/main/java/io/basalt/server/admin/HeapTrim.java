package io.basalt.server.admin;

import com.sun.management.HotSpotDiagnosticMXBean;

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
 * least 16 MiB) since the last time: one concurrent cycle per burst, none while clients are
 * busy, none on an idle server whose heap did not grow.
 *
 * <p>It acts only when {@code System.gc()} starts a concurrent cycle
 * ({@code -XX:+ExplicitGCInvokesConcurrent}, which bin/basalt-server sets): a stop-the-world full
 * collection of a large heap would stall every client.
 */
public final class HeapTrim implements Runnable {
    private static final long MIN_GROWTH = 16L << 20;
    private static final long IDLE_NANOS = 1_000_000_000L;
    /** How long a started cycle is given before the committed size is taken as the new baseline. */
    private static final long SETTLE_NANOS = 5_000_000_000L;

    private final LongSupplier commands;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final boolean enabled;
    private long lastCommands = -1;
    private long idleSince;
    private long baseline = -1;
    private long settleUntil;

    public HeapTrim(LongSupplier commands) {
        this.commands = commands;
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
        if (!enabled) return;
        long now = System.nanoTime();
        long committed = memory.getHeapMemoryUsage().getCommitted();
        if (baseline < 0 || (settleUntil != 0 && now - settleUntil >= 0)) {
            baseline = committed;
            settleUntil = 0;
        }
        long n = commands.getAsLong();
        if (n != lastCommands) {
            lastCommands = n;
            idleSince = now;
            return;
        }
        if (settleUntil != 0 || now - idleSince < IDLE_NANOS) return;
        baseline = Math.min(baseline, committed); // the collector shrank it by itself
        if (committed - baseline < Math.max(MIN_GROWTH, baseline / 10)) return;
        System.gc(); // a concurrent cycle: its remark pause shrinks the heap to MaxHeapFreeRatio
        settleUntil = now + SETTLE_NANOS;
    }
}
