package io.basalt.data;

import java.util.concurrent.atomic.LongAdder;

/**
 * All databases of one server, split by hash slot into {@link Shard}s that are locked
 * independently, so commands on different shards run in parallel on different event loops.
 */
public final class Keyspace {
    private final Shard[] shards;
    private final int shardMask;
    private final int databases;
    private final LongAdder expiredKeys = new LongAdder();
    private final EncodingLimits limits = new EncodingLimits();
    private volatile ExpiryListener expiryListener = (db, entry) -> { };
    private volatile boolean activeExpireEnabled = true;
    /** A replica's keyspace: its master removes expired keys (see {@link #replicaExpiry}). */
    volatile boolean replicaExpiry;
    /** The access clock a new entry starts with: LRU seconds by default, see {@link #clockSource}. */
    private volatile java.util.function.IntSupplier clockSource =
            () -> (int) ((System.currentTimeMillis() / 1000) & 0xffffff);
    /** Shard where the next active expiry pass starts, so a cut-short cycle resumes fairly. */
    private int expireShardCursor;

    /** Told about every key removed because its TTL passed (lazy or active). Called under the shard lock. */
    public interface ExpiryListener {
        void expired(int db, Object entry);
    }

    /**
     * @param databases number of databases (redis.conf {@code databases})
     * @param shardCount number of shards, a power of two no larger than 16384
     */
    public Keyspace(int databases, int shardCount) {
        if (Integer.bitCount(shardCount) != 1 || shardCount > Slots.COUNT) {
            throw new IllegalArgumentException("shard count must be a power of two <= 16384");
        }
        this.databases = databases;
        this.shards = new Shard[shardCount];
        this.shardMask = shardCount - 1;
        for (int i = 0; i < shardCount; i++) shards[i] = new Shard(this, i, databases);
        this.eviction = new Eviction(this);
    }

    private final Eviction eviction;

    /** maxmemory, the eviction policies and the access clock (LRU / LFU) of every entry. */
    public Eviction eviction() { return eviction; }

    public int databases() { return databases; }

    /**
     * This keyspace's compact-encoding thresholds: the server binds its configuration here, and
     * every command, loader and encoder working on this keyspace's values passes them on.
     */
    public EncodingLimits limits() { return limits; }

    public int shardCount() { return shards.length; }

    public Shard shard(int index) { return shards[index]; }

    /** The shard that owns hash slot {@code slot} (0..16383). */
    public Shard shardOfSlot(int slot) {
        return shards[slot & shardMask];
    }

    /** The shard that owns {@code key}: its slot's low bits. */
    public Shard shardOf(byte[] key) {
        return shards[Slots.slot(key) & shardMask];
    }

    public void expiryListener(ExpiryListener l) { this.expiryListener = l; }

    void expired(int db, Object entry) {
        expiredKeys.increment();
        expiryListener.expired(db, entry);
    }

    public long expiredKeys() { return expiredKeys.sum(); }

    /**
     * Sets where new entries get their access clock (24 bits): the server installs an LFU
     * initializer when an LFU maxmemory-policy is chosen.
     */
    public void clockSource(java.util.function.IntSupplier source) { this.clockSource = source; }

    int newEntryClock() { return clockSource.getAsInt(); }

    /** DEBUG SET-ACTIVE-EXPIRE: turns the background expiry cycle on or off (lazy expiry stays). */
    public void activeExpireEnabled(boolean enabled) { this.activeExpireEnabled = enabled; }

    public boolean activeExpireEnabled() { return activeExpireEnabled; }

    /**
     * Expiry as on a Redis replica (on while this server replicates a master): keys are never
     * removed by their TTL here, the master's DELs do that, so both keyspaces stay the same. A
     * lookup still answers a logically expired key as missing; one made with a negative time
     * (the master's own commands, {@code lookupTime}) sees it live, as Redis's expireIfNeeded
     * does for the master client. No active expiry runs meanwhile.
     */
    public void replicaExpiry(boolean on) { this.replicaExpiry = on; }

    public boolean replicaExpiry() { return replicaExpiry; }

    public void resetStats() { expiredKeys.reset(); }

    private Snapshot snapshot;

    /**
     * Starts a point-in-time snapshot: marks every table under all shard locks (one instant), and
     * returns the walk the caller drives with {@link Snapshot#step}. Returns null while another
     * snapshot is still running.
     */
    public synchronized Snapshot beginSnapshot(Snapshot.Sink sink) {
        return beginSnapshot(sink, null);
    }

    /**
     * {@link #beginSnapshot(Snapshot.Sink)} that also runs {@code atInstant} (when not null) under
     * the same locks, so something else happens at exactly the snapshot instant: the AOF rewrite
     * switches to a new incremental file there (the RDB base and the new file then meet with
     * nothing lost or doubled), a backup cuts the AOF there (its log ends exactly where the
     * snapshot's image stands). If it throws, no snapshot is started.
     */
    public synchronized Snapshot beginSnapshot(Snapshot.Sink sink, Runnable atInstant) {
        if (snapshot != null) return null;
        Snapshot s = new Snapshot(this, sink);
        lockAll();
        try {
            s.start();
            if (atInstant != null) {
                try {
                    atInstant.run();
                } catch (RuntimeException e) {
                    s.abort(); // the locks are reentrant: detaches the walk from every table
                    throw e;
                }
            }
        } finally {
            unlockAll();
        }
        snapshot = s;
        return s;
    }

    synchronized void snapshotEnded(Snapshot s) {
        if (snapshot == s) snapshot = null;
    }

    /** Locks every shard in index order (FLUSHALL, SWAPDB, KEYS snapshots). */
    public void lockAll() {
        for (Shard s : shards) s.lock();
    }

    public void unlockAll() {
        for (int i = shards.length - 1; i >= 0; i--) shards[i].unlock();
    }

    /** Keys in {@code db}; read without locks, so it may be a moment stale, like INFO's figures. */
    public long size(int db) {
        long n = 0;
        for (Shard s : shards) n += s.size(db);
        return n;
    }

    public long volatileCount(int db) {
        long n = 0;
        for (Shard s : shards) n += s.volatileCount(db);
        return n;
    }

    public long memoryUsage() {
        long m = 0;
        for (Shard s : shards) m += s.memoryUsage();
        return m;
    }

    // ---------------------------------------------------------------- string compression

    /**
     * Shortest string value stored LZ4-compressed; {@link Integer#MAX_VALUE} while compression is
     * off, so {@link Shard#put} decides with one compare of the record's length against this field.
     */
    volatile int compressMinSize = Integer.MAX_VALUE;
    /** Percent of its length compression must save for a value to be stored compressed. */
    volatile int compressMinSaving = 10;

    /**
     * basalt-compression / basalt-compression-min-size / basalt-compression-min-saving. Turning
     * compression off stops compressing new values; the ones already compressed stay readable.
     */
    public void compression(boolean on, int minSize, int minSavingPercent) {
        this.compressMinSaving = minSavingPercent;
        this.compressMinSize = on ? Math.max(1, minSize) : Integer.MAX_VALUE;
    }

    /** Whether a new string value of {@code len} bytes may be stored compressed. */
    public boolean mayCompress(int len) { return len >= compressMinSize; }

    /** String values stored compressed now (a running count kept by the tables). */
    public long compressedValues() {
        long n = 0;
        for (Shard s : shards) n += s.compressedValues();
        return n;
    }

    /** Bytes the compressed values save: their lengths minus what they take stored (a running total). */
    public long compressionSavedBytes() {
        long n = 0;
        for (Shard s : shards) n += s.compressionSavedBytes();
        return n;
    }

    /**
     * Keeps, from now on, every table's keys listed by hash slot (Redis's slots_to_keys), so
     * that the keys of a slot are counted and listed without scanning (cluster mode's
     * COUNTKEYSINSLOT, GETKEYSINSLOT, SETSLOT NODE's check). What is stored already is indexed
     * now, under each shard's lock. Only cluster mode turns it on: it costs every new key a CRC16
     * of its name, link writes to its slot's neighbours on insert and delete, and 8 bytes
     * (docs/benchmarks.md, "Cluster mode" has the measurement).
     */
    public void enableSlotIndex() {
        int shift = Integer.numberOfTrailingZeros(shards.length);
        for (Shard s : shards) {
            s.lock();
            try {
                s.enableSlotIndex(shift);
            } finally {
                s.unlock();
            }
        }
        slotIndexed = true;
    }

    private volatile boolean slotIndexed;

    public boolean slotIndexed() { return slotIndexed; }

    /** Keys of {@code db} in hash slot {@code slot} (the slot's shard locked for the count). */
    public int countKeysInSlot(int db, int slot) {
        Shard s = shardOfSlot(slot);
        s.lock();
        try {
            return s.countInSlot(db, slot);
        } finally {
            s.unlock();
        }
    }

    /** Up to {@code max} keys of {@code db} in hash slot {@code slot}, newest first. */
    public java.util.List<byte[]> keysInSlot(int db, int slot, int max) {
        java.util.List<byte[]> out = new java.util.ArrayList<>(Math.min(max, 1024));
        Shard s = shardOfSlot(slot);
        s.lock();
        try {
            s.keysInSlot(db, slot, max, out::add);
        } finally {
            s.unlock();
        }
        return out;
    }

    /** Empties one database. Callers hold all shard locks (or accept per-shard atomicity). */
    public void flush(int db) {
        for (Shard s : shards) {
            s.lock();
            try {
                s.clear(db);
            } finally {
                s.unlock();
            }
        }
    }

    /** Swaps two databases atomically with respect to every other command. */
    public void swap(int a, int b) {
        lockAll();
        try {
            for (Shard s : shards) s.swap(a, b);
        } finally {
            unlockAll();
        }
    }

    /**
     * One active-expiry pass, like Redis's {@code activeExpireCycle}: visits shards round-robin
     * (resuming where the previous cycle stopped), examining a bounded number of entries under
     * each shard's lock, and goes round again while more than 10% of what it examined was stale
     * and the time budget lasts. Does nothing while disabled by DEBUG SET-ACTIVE-EXPIRE 0.
     * Called from one thread (the server cron).
     *
     * @return keys removed
     */
    public long activeExpireCycle(long budgetNanos) {
        if (!activeExpireEnabled || replicaExpiry) return 0;
        long deadline = System.nanoTime() + budgetNanos;
        long removedTotal = 0;
        boolean again = true;
        while (again) {
            again = false;
            for (int k = 0; k < shards.length; k++) {
                if (System.nanoTime() >= deadline) return removedTotal;
                Shard s = shards[expireShardCursor];
                expireShardCursor = (expireShardCursor + 1) & shardMask;
                long r;
                s.lock();
                try {
                    r = s.expireSome(System.currentTimeMillis());
                } finally {
                    s.unlock();
                }
                long removed = r & 0xffffffffL;
                long examined = r >>> 32;
                removedTotal += removed;
                // another round while more than 10% of the keys with a TTL were stale (Redis's rule)
                if (examined > 0 && removed * 10 > examined) again = true;
            }
        }
        return removedTotal;
    }
}
