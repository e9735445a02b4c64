package io.basalt.server.stats;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/** The counters INFO stats / errorstats report; all resettable by CONFIG RESETSTAT. */
public final class ServerStats {
    public final LongAdder connectionsReceived = new LongAdder();
    public final LongAdder commandsProcessed = new LongAdder();
    public final LongAdder rejectedConnections = new LongAdder();
    public final LongAdder netInputBytes = new LongAdder();
    public final LongAdder netOutputBytes = new LongAdder();
    public final LongAdder keyspaceHits = new LongAdder();
    public final LongAdder keyspaceMisses = new LongAdder();
    public final LongAdder errorReplies = new LongAdder();
    public final LongAdder unexpectedErrorReplies = new LongAdder();
    /**
     * Changes since the last save (INFO rdb_changes_since_last_save): successful write commands.
     * Not a statistic: CONFIG RESETSTAT leaves it alone, a completed save resets it.
     */
    public final LongAdder dirty = new LongAdder();
    /**
     * Bytes of the exactly sized buffers that hold large arguments being read or run (see
     * ClientHandler): part of used_memory, as Redis counts client query buffers. Not a
     * statistic: CONFIG RESETSTAT leaves it alone.
     */
    public final LongAdder bigArgumentBytes = new LongAdder();
    private final Map<String, LongAdder> errors = new ConcurrentSkipListMap<>();

    /** Counts an error reply under its code (the first word), as INFO errorstats does. */
    public void error(String message) {
        errorReplies.increment();
        int sp = message.indexOf(' ');
        String code = sp < 0 ? message : message.substring(0, sp);
        LongAdder a = errors.get(code);
        if (a == null) {
            if (errors.size() >= 128) return; // Redis caps distinct error codes at 128
            a = errors.computeIfAbsent(code, k -> new LongAdder());
        }
        a.increment();
    }

    public Map<String, LongAdder> errors() { return errors; }

    public void reset() {
        connectionsReceived.reset();
        commandsProcessed.reset();
        rejectedConnections.reset();
        netInputBytes.reset();
        netOutputBytes.reset();
        keyspaceHits.reset();
        keyspaceMisses.reset();
        errorReplies.reset();
        unexpectedErrorReplies.reset();
        errors.clear();
    }

    /** Tracks instantaneous_ops_per_sec and friends the way Redis samples them (16 samples). */
    public static final class Meter {
        private final long[] samples = new long[16];
        private int index;
        private long lastValue;
        private long lastTime = System.currentTimeMillis();

        public synchronized void sample(long value) {
            long now = System.currentTimeMillis();
            long dt = now - lastTime;
            if (dt <= 0) return;
            samples[index++ % samples.length] = (value - lastValue) * 1000 / dt;
            lastValue = value;
            lastTime = now;
        }

        public synchronized long perSecond() {
            long sum = 0;
            for (long s : samples) sum += s;
            return sum / samples.length;
        }
    }

    public final Meter opsMeter = new Meter();
    public final Meter inputMeter = new Meter();
    public final Meter outputMeter = new Meter();

}
