package io.basalt.data;

import java.util.BitSet;

/**
 * A point-in-time snapshot of a {@link Keyspace}, taken without copying it: {@link
 * Keyspace#beginSnapshot} marks every table under all shard locks at one instant, then {@link
 * #step} walks the tables shard by shard while writers keep running. A writer about to change an
 * entry the walk has not reached serializes it first (see {@link KeyTable#snap}), so every entry
 * reaches the sink exactly once, with its value as of the start. The sink is called under the
 * entry's shard lock and must encode the entry before returning.
 */
public final class Snapshot {
    /** Receives each entry of the snapshot once, under its shard lock. */
    public interface Sink {
        void entry(int db, Object entry);
    }

    private final Keyspace keyspace;
    private final Sink sink;
    private final long[] sizes;
    private final long[] expires;
    private int shard;
    private volatile boolean done;

    Snapshot(Keyspace keyspace, Sink sink) {
        this.keyspace = keyspace;
        this.sink = sink;
        this.sizes = new long[keyspace.databases()];
        this.expires = new long[keyspace.databases()];
    }

    /** Keys per database at the snapshot instant (for RESIZEDB). */
    public long size(int db) { return sizes[db]; }

    public long expires(int db) { return expires[db]; }

    /** Called by Keyspace with all shards locked. */
    void start() {
        for (int i = 0; i < keyspace.shardCount(); i++) {
            Shard s = keyspace.shard(i);
            for (int db = 0; db < keyspace.databases(); db++) {
                KeyTable t = s.table(db);
                sizes[db] += t.size();
                expires[db] += t.volatileCount();
                t.snap = new TableSnap(sink, db, t.slabTop());
            }
        }
    }

    /**
     * Serializes up to about {@code budget} slab slots of the current shard under its lock.
     * Returns false once everything was written (the snapshot is then detached from the tables).
     */
    public boolean step(int budget) {
        if (done) return false;
        Shard s = keyspace.shard(shard);
        boolean shardDone = true;
        s.lock();
        try {
            for (KeyTable t : s.tables()) {
                TableSnap ts = t.snap;
                if (ts == null) continue;
                budget -= ts.walk(t, budget);
                if (ts.cursor < ts.end) {
                    shardDone = false;
                    break;
                }
                t.snap = null;
            }
        } finally {
            s.unlock();
        }
        if (shardDone) shard++;
        if (shard == keyspace.shardCount()) {
            done = true;
            keyspace.snapshotEnded(this);
            return false;
        }
        return true;
    }

    /** Abandons the snapshot (write error): detaches it from every table. */
    public void abort() {
        for (int i = 0; i < keyspace.shardCount(); i++) {
            Shard s = keyspace.shard(i);
            s.lock();
            try {
                for (KeyTable t : s.tables()) t.snap = null;
            } finally {
                s.unlock();
            }
        }
        done = true;
        keyspace.snapshotEnded(this);
    }

    /** One table's walk state. Guarded by the shard lock. */
    static final class TableSnap {
        final Sink sink;
        /** The database the table had at the snapshot instant (SWAPDB moves tables, not entries). */
        final int db;
        final int end;
        int cursor;
        /** Slots at or past the cursor already written by a writer, or born after the instant. */
        final BitSet done = new BitSet();

        TableSnap(Sink sink, int db, int end) {
            this.sink = sink;
            this.db = db;
            this.end = end;
        }

        void beforeWrite(KeyTable t, int slot) {
            if (slot < cursor || slot >= end || done.get(slot)) return;
            done.set(slot);
            sink.entry(db, t.slotEntry(slot));
        }

        void bornAfter(int slot) {
            if (slot >= cursor && slot < end) done.set(slot);
        }

        /** Walks up to budget slots; returns how many it visited. */
        int walk(KeyTable t, int budget) {
            int n = 0;
            while (cursor < end && n < budget) {
                if (!done.get(cursor)) {
                    Object e = t.slotEntry(cursor);
                    if (e != null) sink.entry(db, e);
                } else {
                    done.clear(cursor);
                }
                cursor++;
                n++;
            }
            return n;
        }

        /** Writes everything left and detaches (FLUSHDB during the snapshot). */
        void finish(KeyTable t) {
            walk(t, Integer.MAX_VALUE);
            t.snap = null;
        }
    }
}
