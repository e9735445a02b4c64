package io.basalt.server.exec;

import io.basalt.data.Keyspace;

import java.util.List;

/**
 * The one publish point of every write effect (Redis's {@code propagateNow}, Dragonfly's
 * journal): {@link Propagation} is its only caller, under the shard locks of the writes, so the
 * sinks see the effects in exactly the order they were executed, whether or not the AOF is on.
 * With no sink subscribed nothing is built or published ({@link #active()}), so a server without
 * AOF or replicas pays nothing for it.
 */
public final class EffectStream {
    private final Keyspace keyspace;
    private volatile EffectSink[] sinks = new EffectSink[0];
    private long seq; // guarded by this

    public EffectStream(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    /** Whether any sink listens: when false, writers skip building their records. */
    public boolean active() { return sinks.length > 0; }

    /**
     * Adds a sink. Every shard is locked meanwhile, so the sink's stream starts between two
     * writes: it sees every effect after the keyspace state of this instant and none before.
     */
    public void subscribe(EffectSink sink) {
        keyspace.lockAll();
        try {
            synchronized (this) {
                EffectSink[] s = sinks;
                EffectSink[] n = java.util.Arrays.copyOf(s, s.length + 1);
                n[s.length] = sink;
                sinks = n;
            }
        } finally {
            keyspace.unlockAll();
        }
    }

    /** Removes a sink, between two writes (every shard locked). */
    public void unsubscribe(EffectSink sink) {
        keyspace.lockAll();
        try {
            synchronized (this) {
                EffectSink[] s = sinks;
                int n = 0;
                EffectSink[] kept = new EffectSink[s.length];
                for (EffectSink x : s) if (x != sink) kept[n++] = x;
                sinks = java.util.Arrays.copyOf(kept, n);
            }
        } finally {
            keyspace.unlockAll();
        }
    }

    /**
     * Publishes one atomic unit, the caller holding the shard locks of the writes in it. Returns
     * its sequence number.
     */
    long publish(List<Effect> effects) {
        synchronized (this) {
            long n = ++seq;
            for (EffectSink s : sinks) s.accept(n, effects);
            return n;
        }
    }

    /** The units published so far. */
    public synchronized long sequence() { return seq; }

    /** What replies wait for before they leave (the AOF's fsync with appendfsync always), or null. */
    public Watermark durability() {
        for (EffectSink s : sinks) {
            Watermark w = s.durability();
            if (w != null) return w;
        }
        return null;
    }
}
