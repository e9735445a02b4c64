package io.basalt.server.admin;

import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.module.ServerModule;
import io.basalt.server.stats.LatencyHistogram;
import io.basalt.server.stats.SlowlogEntry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-command observation after execution, like Redis's {@code call()} epilogue: the per-command
 * latency histograms (INFO latencystats, LATENCY HISTOGRAM), the slow log (SLOWLOG) and the
 * latency monitor's "command" / "fast-command" events (LATENCY LATEST/HISTORY/GRAPH/DOCTOR).
 */
public final class Monitoring implements ServerModule {
    /** Redis keeps 160 samples per latency event. */
    static final int LATENCY_SAMPLES = 160;
    static final int SLOWLOG_MAX_ARGS = 32;
    static final int SLOWLOG_MAX_ARG_LEN = 128;

    private final BasaltServer server;
    private final Map<CommandSpec, LatencyHistogram> histograms = new ConcurrentHashMap<>();
    private final Deque<SlowlogEntry> slowlog = new ArrayDeque<>();
    private long nextSlowlogId;
    private final Map<String, LatencyEvent> events = new LinkedHashMap<>();

    // hot configuration, pushed by Config.bind
    volatile long slowlogSlowerThan = 10000;
    volatile long slowlogMaxLen = 128;
    volatile long latencyThresholdMs;
    volatile boolean latencyTracking = true;

    public Monitoring(BasaltServer server) {
        this.server = server;
    }

    @Override
    public void bind(io.basalt.server.config.Config config) {
        config.bind("slowlog-log-slower-than", v -> slowlogSlowerThan = Long.parseLong(v));
        config.bind("slowlog-max-len", v -> slowlogMaxLen(Long.parseLong(v)));
        config.bind("latency-monitor-threshold", v -> latencyThresholdMs = Long.parseLong(v));
        config.bind("latency-tracking", v -> latencyTracking = v.equals("yes"));
    }

    public void afterCommand(Client c, CommandSpec spec, RespRequest req, long micros) {
        if (latencyTracking) histograms.computeIfAbsent(spec, k -> new LatencyHistogram()).record(micros * 1000);
        long slower = slowlogSlowerThan;
        if (slower >= 0 && micros >= slower && !spec.is(CommandFlags.SKIP_SLOWLOG)) {
            pushSlowlog(c, spec, req, micros);
        }
        long threshold = latencyThresholdMs;
        if (threshold > 0 && micros / 1000 >= threshold) {
            addLatencySample(spec.is(CommandFlags.FAST) ? "fast-command" : "command", micros / 1000);
        }
    }

    // ---------------------------------------------------------------- latency histograms

    /** The histogram of {@code spec}, or null if it never ran since the last reset. */
    public LatencyHistogram histogram(CommandSpec spec) { return histograms.get(spec); }

    public void resetHistograms() { histograms.clear(); }

    // ---------------------------------------------------------------- slowlog

    private void pushSlowlog(Client c, CommandSpec spec, RespRequest req, long micros) {
        int argc = req.argc();
        int n = Math.min(argc, SLOWLOG_MAX_ARGS);
        byte[][] args = new byte[n][];
        for (int i = 0; i < n; i++) {
            if (n < argc && i == n - 1) {
                args[i] = ("... (" + (argc - n + 1) + " more arguments)").getBytes(StandardCharsets.US_ASCII);
                break;
            }
            if (spec.redacted(req, i)) {
                args[i] = "(redacted)".getBytes(StandardCharsets.US_ASCII);
                continue;
            }
            int len = req.length(i);
            if (len > SLOWLOG_MAX_ARG_LEN) {
                // only the bytes kept are copied: the argument may be a 512 MB value
                byte[] tail = ("... (" + (len - SLOWLOG_MAX_ARG_LEN) + " more bytes)").getBytes(StandardCharsets.US_ASCII);
                byte[] r = new byte[SLOWLOG_MAX_ARG_LEN + tail.length];
                req.buffer().getBytes(req.offset(i), r, 0, SLOWLOG_MAX_ARG_LEN);
                System.arraycopy(tail, 0, r, SLOWLOG_MAX_ARG_LEN, tail.length);
                args[i] = r;
            } else {
                args[i] = req.bytes(i);
            }
        }
        synchronized (slowlog) {
            slowlog.addFirst(new SlowlogEntry(nextSlowlogId++, System.currentTimeMillis() / 1000, micros, args,
                    c.address(), c.name()));
            while (slowlog.size() > slowlogMaxLen) slowlog.removeLast();
        }
    }

    /** Newest first, at most {@code count} entries (all when negative). */
    public List<SlowlogEntry> slowlog(long count) {
        synchronized (slowlog) {
            List<SlowlogEntry> out = new ArrayList<>();
            for (SlowlogEntry e : slowlog) {
                if (count >= 0 && out.size() >= count) break;
                out.add(e);
            }
            return out;
        }
    }

    public int slowlogLen() {
        synchronized (slowlog) {
            return slowlog.size();
        }
    }

    public void slowlogReset() {
        synchronized (slowlog) {
            slowlog.clear();
        }
    }

    void slowlogMaxLen(long max) {
        synchronized (slowlog) {
            slowlogMaxLen = max;
            while (slowlog.size() > max) slowlog.removeLast();
        }
    }

    // ---------------------------------------------------------------- latency monitor

    /** One latency event's history: a ring of (unix time, milliseconds) samples plus its maximum. */
    public static final class LatencyEvent {
        public final long[] times = new long[LATENCY_SAMPLES];
        public final long[] latencies = new long[LATENCY_SAMPLES];
        public int idx;
        public long max;

        /** Samples oldest first, as (time, latency) pairs. */
        public List<long[]> samples() {
            List<long[]> out = new ArrayList<>();
            for (int j = 0; j < LATENCY_SAMPLES; j++) {
                int k = (idx + j) % LATENCY_SAMPLES;
                if (times[k] == 0) continue;
                out.add(new long[]{times[k], latencies[k]});
            }
            return out;
        }

        public long[] latest() {
            int k = (idx + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES;
            return new long[]{times[k], latencies[k]};
        }
    }

    /** latencyAddSample: samples within the same second are merged, keeping the larger. */
    public void addLatencySample(String event, long ms) {
        long now = System.currentTimeMillis() / 1000;
        synchronized (events) {
            LatencyEvent e = events.computeIfAbsent(event, k -> new LatencyEvent());
            if (ms > e.max) e.max = ms;
            int prev = (e.idx + LATENCY_SAMPLES - 1) % LATENCY_SAMPLES;
            if (e.times[prev] == now) {
                if (ms > e.latencies[prev]) e.latencies[prev] = ms;
                return;
            }
            e.times[e.idx] = now;
            e.latencies[e.idx] = ms;
            e.idx = (e.idx + 1) % LATENCY_SAMPLES;
        }
    }

    /** A copy of the events, by name, for the LATENCY commands. */
    public Map<String, LatencyEvent> latencyEvents() {
        synchronized (events) {
            return new LinkedHashMap<>(events);
        }
    }

    /** Resets the named events (all when none are named); returns how many existed. */
    public int latencyReset(List<String> names) {
        synchronized (events) {
            if (names.isEmpty()) {
                int n = events.size();
                events.clear();
                return n;
            }
            int n = 0;
            for (String name : names) if (events.remove(name) != null) n++;
            return n;
        }
    }

    public long latencyThresholdMs() { return latencyThresholdMs; }

    BasaltServer server() { return server; }
}
