package io.basalt.data;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A group of hash slots, with one table per database and one lock over all of them. Every key of
 * a slot lands in the same shard whatever its database, so MOVE, COPY ... DB and SWAPDB never
 * need a second shard's lock for the same key.
 *
 * <p>Callers hold {@link #lock()} around every call; a command that touches several shards locks
 * them in ascending {@link #index()} order (see {@link Keyspace#lockAll}).
 */
public final class Shard {
    private final int index;
    private final ReentrantLock lock = new ReentrantLock();
    private final KeyTable[] dbs;
    private final Keyspace keyspace;

    Shard(Keyspace keyspace, int index, int databases) {
        this.keyspace = keyspace;
        this.index = index;
        this.dbs = new KeyTable[databases];
        for (int i = 0; i < databases; i++) dbs[i] = new KeyTable();
        for (KeyTable t : dbs) bytes += t.memoryDelta();
    }

    /**
     * Running total of the tables' memory, updated (under the lock) after every change, so the
     * per-command maxmemory check reads one field per shard instead of walking every table.
     * Read without the lock: a moment stale at worst.
     */
    private volatile long bytes;

    private void accounted(KeyTable t) {
        long d = t.memoryDelta();
        if (d != 0) bytes += d; // written under the lock only
    }

    public int index() { return index; }

    /** The table currently holding database {@code db} (snapshots). */
    KeyTable table(int db) { return dbs[db]; }

    /** Every table of this shard, whatever database it holds now. */
    KeyTable[] tables() { return dbs; }

    public void lock() { lock.lock(); }

    public void unlock() {
        // the last unlock of a command: every edit it opened must have been closed (accounted)
        assert lock.getHoldCount() > 1 || editDepth == 0 : "a Shard.Edit was not closed";
        lock.unlock();
    }

    public boolean heldByCurrentThread() { return lock.isHeldByCurrentThread(); }

    /** Locks the shard if that is possible at once (or held by this thread already). */
    public boolean tryLock() { return lock.tryLock(); }

    /** Locks the shard if that is possible within {@code nanos}. */
    public boolean tryLock(long nanos) {
        try {
            return lock.tryLock(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The live entry for {@code key}, or null. An entry past its expiry is deleted here (lazy
     * expiry) and counted in {@code expired_keys}, exactly as a Redis lookup does; on a replica
     * ({@link Keyspace#replicaExpiry}) it only reads as missing. A negative {@code now} sees
     * every entry live (a replica applying its master's stream).
     */
    public Object get(int db, byte[] key, long now) {
        KeyTable t = dbs[db];
        int h = Entries.hash(key);
        Object e = t.get(key, h);
        if (e == null) return null;
        long at = Entries.expireAt(e);
        if (at >= 0 && at <= now) {
            if (keyspace.replicaExpiry) return null;
            t.remove(key, h);
            accounted(t);
            keyspace.expired(db, e);
            return null;
        }
        return e;
    }

    /** The entry for {@code key} even if it has expired, without deleting it. */
    public Object peek(int db, byte[] key) {
        return dbs[db].get(key, Entries.hash(key));
    }

    /**
     * Inserts or replaces; returns the previous entry (possibly an expired one) or null. An entry
     * whose access clock was never set (fresh records) gets the keyspace's current clock, so
     * OBJECT IDLETIME of a key nobody has read yet is its age, as in Redis. A string record whose
     * value is eligible is stored LZ4-compressed instead (see {@link Keyspace#compression}): the
     * one place every writer passes, so callers must not write into {@code entry} after this.
     */
    public Object put(int db, byte[] key, Object entry) {
        if (entry instanceof byte[] r && r.length > keyspace.compressMinSize) {
            entry = StringRecord.compress(r, keyspace.compressMinSize, keyspace.compressMinSaving);
        }
        boolean fresh = Entries.clock(entry) == 0;
        if (fresh) Entries.clock(entry, keyspace.newEntryClock());
        Object prev = dbs[db].put(entry, key, Entries.hash(key));
        accounted(dbs[db]);
        // Redis's dbOverwrite: under an LFU policy a new value keeps the old one's counter, so
        // rewriting a hot key does not make it look new
        if (fresh && prev != null && prev != entry && keyspace.eviction().lfu()) Entries.clock(entry, Entries.clock(prev));
        return prev;
    }

    public Object remove(int db, byte[] key) {
        Object e = dbs[db].remove(key, Entries.hash(key));
        if (e != null) accounted(dbs[db]);
        return e;
    }

    /** Changes the expiry of an existing object entry in place (strings are replaced via {@link #put}). */
    public void setExpire(int db, ObjectEntry e, long expireAt) {
        boolean had = e.expireAt() >= 0;
        // a small hash keeps its TTL in its record, which grows or shrinks by it
        long before = e.memoryUsage();
        e.expireAt(expireAt);
        dbs[db].ttlChanged(had, expireAt >= 0);
        long delta = e.memoryUsage() - before;
        if (delta != 0) {
            dbs[db].resized(delta);
            accounted(dbs[db]);
        }
    }

    /**
     * Gives the stored entry {@code e} (of either kind) a new absolute expiry in ms, -1 to make it
     * persistent. Returns the entry now stored: for strings a new record replaces the old one.
     */
    public Object setExpire(int db, Object e, long expireAt) {
        if (e instanceof ObjectEntry o) {
            setExpire(db, o, expireAt);
            return o;
        }
        byte[] r = (byte[]) e;
        byte[] n = StringRecord.withExpire(r, expireAt);
        // a record handed to put() and then given its TTL (RESTORE) is compressed here instead
        if (n.length > keyspace.compressMinSize) n = StringRecord.compress(n, keyspace.compressMinSize, keyspace.compressMinSaving);
        if (n != r) {
            dbs[db].put(n, StringRecord.key(n), Entries.hashOf(n));
            accounted(dbs[db]);
        }
        return n;
    }

    /** Records that an object entry grew or shrank in place by {@code delta} bytes (see {@link Edit}). */
    void resized(int db, long delta) {
        dbs[db].resized(delta);
        accounted(dbs[db]);
    }

    // ---------------------------------------------------------------- in-place edits

    /** The edits open on this shard, innermost last; reused, so opening one allocates nothing. */
    private Edit[] edits = new Edit[2];
    private int editDepth;

    /**
     * Opens an in-place change of the collection {@code value} stored at {@code key} (null when
     * the key is missing: the command may then {@link Edit#insert} a new one). Use it with
     * try-with-resources around every change of a stored collection, reads that may deflate list
     * nodes included:
     * <pre>{@code
     * try (Shard.Edit ed = shard.edit(db, key, h)) {
     *     if (h == null) h = ed.insert(new HashValue(key));
     *     h.set(field, value, ed.limits());
     * }
     * }</pre>
     * Closing it accounts the size change, then removes the key if the collection was left
     * empty, in that order (the table un-accounts a removed entry by its current size). A command
     * cannot forget either, nor get the order wrong. The shard must be locked by this thread.
     * Edits nest (LMOVE edits its source and destination) and close in reverse order; an edit of
     * a value another open edit already covers (LMOVE of a list onto itself) is left to that one.
     */
    public Edit edit(int db, byte[] key, ObjectEntry value) {
        if (!lock.isHeldByCurrentThread()) throw new IllegalStateException("shard " + index + " is not locked");
        boolean covered = false;
        for (int i = 0; i < editDepth && value != null; i++) covered |= edits[i].value == value;
        if (editDepth == edits.length) edits = java.util.Arrays.copyOf(edits, editDepth * 2);
        Edit e = edits[editDepth];
        if (e == null) e = edits[editDepth] = new Edit();
        editDepth++;
        e.db = db;
        e.key = key;
        e.value = value;
        e.covered = covered;
        e.before = value == null || covered ? 0 : value.memoryUsage();
        return e;
    }

    /**
     * One in-place change of a stored collection, from {@link #edit} to {@link #close}. The
     * handle belongs to its shard and is reused by the next edit once closed: it must not be
     * kept beyond its try block.
     */
    public final class Edit implements AutoCloseable {
        private int db;
        private byte[] key;
        private ObjectEntry value;
        private long before;
        private boolean covered;

        private Edit() {}

        /**
         * Stores {@code created} at the edit's missing key, now (so it is in the keyspace for the
         * rest of the command, as Redis's dbAdd), and returns it; its growth until the edit
         * closes is accounted then, and it is removed then if still empty.
         */
        public <T extends ObjectEntry> T insert(T created) {
            if (value != null) throw new IllegalStateException("the key already holds a value");
            put(db, key, created);
            value = created;
            before = created.memoryUsage();
            return created;
        }

        /** The thresholds of this shard's keyspace, for the value's operations. */
        public EncodingLimits limits() { return keyspace.limits(); }

        @Override
        public void close() {
            if (editDepth == 0 || edits[editDepth - 1] != this) {
                throw new IllegalStateException("edits close in the reverse order of opening");
            }
            editDepth--;
            ObjectEntry v = value;
            value = null;
            if (v == null || covered) return;
            // the delta first: the table un-accounts a removed entry by its current size
            long delta = v.memoryUsage() - before;
            if (delta != 0) resized(db, delta);
            // an emptied collection disappears, as in Redis (unless the command replaced it)
            if (v.isEmpty() && dbs[db].get(key, Entries.hash(key)) == v) remove(db, key);
        }
    }

    public int size(int db) { return dbs[db].size(); }

    /**
     * Keys of {@code db} in hash slot {@code slot} (a slot of this shard), expired ones not yet
     * removed included, as Redis's countKeysInSlot; 0 unless {@link Keyspace#enableSlotIndex}.
     */
    public int countInSlot(int db, int slot) { return dbs[db].countInSlot(slot); }

    /** Up to {@code max} keys of {@code db} in hash slot {@code slot}, newest first. */
    public void keysInSlot(int db, int slot, int max, Consumer<byte[]> out) { dbs[db].keysInSlot(slot, max, out); }

    void enableSlotIndex(int shift) {
        for (KeyTable t : dbs) t.enableSlotIndex(shift);
    }

    /** Eviction sampling over {@code db}'s table; see {@link KeyTable#sample}. */
    int sample(int db, int n, boolean volatileOnly, Object[] out) {
        return dbs[db].sample(n, volatileOnly, java.util.concurrent.ThreadLocalRandom.current(), out);
    }

    public int volatileCount(int db) { return dbs[db].volatileCount(); }

    public long memoryUsage() { return bytes; }

    /** Compressed string values in every database of this shard (read without the lock). */
    public long compressedValues() {
        long n = 0;
        for (KeyTable t : dbs) n += t.compressedValues();
        return n;
    }

    /** Bytes saved by the compressed string values of this shard (read without the lock). */
    public long compressionSavedBytes() {
        long n = 0;
        for (KeyTable t : dbs) n += t.compressionSavedBytes();
        return n;
    }

    /**
     * For tests, under the lock: bytes by which the accounting differs from the entries measured
     * now plus the tables' arrays (an in-place change that was not reported through
     * {@link #resized}, or a table change the running total missed).
     */
    public long accountingDrift() {
        long drift = 0;
        long tables = 0;
        for (KeyTable t : dbs) {
            drift += t.accountingDrift();
            tables += t.memoryUsage();
        }
        return drift + (bytes - tables);
    }

    public void clear(int db) {
        dbs[db].clear();
        accounted(dbs[db]);
    }

    void swap(int a, int b) {
        KeyTable t = dbs[a];
        dbs[a] = dbs[b];
        dbs[b] = t;
    }

    /** One SCAN step over this shard's table for {@code db}; see {@link KeyTable#scan}. */
    public long scan(int db, long cursor, Consumer<Object> visitor) {
        return dbs[db].scan(cursor, visitor);
    }

    public void forEach(int db, Consumer<Object> visitor) { dbs[db].forEach(visitor); }

    /** Buckets of the table for {@code db}: the cursor space of {@link #scan}. */
    public int bucketCount(int db) { return dbs[db].bucketCount(); }

    public Object random(int db) {
        return dbs[db].random(java.util.concurrent.ThreadLocalRandom.current());
    }

    /**
     * Active expiry over every database of this shard; returns removed (low 32 bits) and examined
     * (high 32 bits) counts. The walk length per table grows with the share of keys without a
     * TTL, so a handful of volatile keys among millions of persistent ones is still reached
     * within a few cron ticks (Redis samples a separate expires dict; Basalt has none).
     */
    long expireSome(long now) {
        long total = 0;
        for (int db = 0; db < dbs.length; db++) {
            KeyTable t = dbs[db];
            int vol = t.volatileCount();
            if (vol == 0) continue;
            // ~20 volatile keys per pass, like Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP; but a
            // table where they are sparse is covered over ~8 passes (under a second at hz 10)
            // rather than walked whole on every tick, and no pass holds the lock for long
            long want = Math.min(20L * t.size() / vol, t.slabTop() / 8);
            want = Math.max(want, 256);
            int budget = (int) Math.min(Math.min(want, t.slabTop()), MAX_EXPIRE_WALK);
            final int d = db;
            long r = t.expireSome(now, budget, e -> keyspace.expired(d, e));
            accounted(t);
            total += r;
        }
        return total;
    }

    /** Upper bound of slab slots one active expiry pass visits per table under the lock. */
    static final int MAX_EXPIRE_WALK = 65536;
}
