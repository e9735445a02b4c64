package io.basalt.data;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The hash table of one database in one shard: chained buckets over power-of-two sizes, with
 * chains kept as int indexes into a slab of entries rather than as node objects (no per-key
 * wrapper). Power-of-two buckets keyed by the low hash bits are what make Redis's reverse-binary
 * SCAN cursor work across resizes, so SCAN keeps its guarantees.
 *
 * <p>The slab (entries, chain links, hashes) is a directory of fixed-size chunks: growing it adds
 * a chunk instead of copying arrays, so loading a million keys leaves no trail of discarded
 * arrays in the old generation (with copy-on-grow, the garbage was twice the final table size
 * and showed up as resident memory until the next mixed collection). Growing the buckets only
 * relinks chains in place. Only a large shrink rebuilds the slab compactly.
 *
 * <p>Not thread-safe: the owning {@link Shard}'s lock guards it.
 */
final class KeyTable {
    private static final int MIN_BUCKETS = 4;
    private static final int CHUNK_BITS = 10;
    private static final int CHUNK = 1 << CHUNK_BITS;
    private static final int CHUNK_MASK = CHUNK - 1;

    /** Entry index + 1 of each chain head; 0 means empty. */
    private int[] buckets = new int[MIN_BUCKETS];
    /** Slab chunks: entry objects. The first chunk starts small and grows up to CHUNK. */
    private Object[][] slab;
    /** Entry index + 1 of the next entry in the chain (or in the free list), per slot. */
    private int[][] next;
    /**
     * The full hash of each slot's key. Chains are compared on it first, so a lookup reads only
     * the record it is after: records are scattered over the heap and touching each one of a
     * chain costs a cache miss (SET of 1 KiB values over 100k keys spent most of its time in chain
     * walks before this). Relinking on resize also needs no record.
     */
    private int[][] hashes;
    private int capacity;      // slots backed by chunks
    private int slabTop;       // slots below this have been handed out
    private int freeHead;      // index + 1 of the first free slot, chained through next
    private int size;
    private int volatileCount;
    private long entryBytes;
    private int rebuilds;      // compactions so far: slot numbers changed
    int expireCursor;          // where the active expiry cycle resumes

    /**
     * The snapshot walking this table, or null. Serialize-before-write (as Dragonfly): the
     * snapshot walks slab slots [0, end) in order; a slot at or past its cursor that a writer is
     * about to read-for-write, replace or remove is serialized first by that writer (under the
     * shard lock), and a slot handed out during the snapshot is marked so that the walk skips it.
     * Lookups count as writes here because commands mutate collections in place after a lookup.
     */
    Snapshot.TableSnap snap;

    /** The entry in slab slot {@code slot} (snapshot walk). */
    Object slotEntry(int slot) { return entry(slot); }

    KeyTable() {
        initSlab(MIN_BUCKETS);
    }

    private void initSlab(int firstChunk) {
        slab = new Object[][]{new Object[firstChunk]};
        next = new int[][]{new int[firstChunk]};
        hashes = new int[][]{new int[firstChunk]};
        capacity = firstChunk;
        slabTop = 0;
        freeHead = 0;
        if (slotShift >= 0) {
            slotLinks = new long[][]{new long[firstChunk]};
            slotHead = null;
            slotCount = null;
        }
    }

    // ---------------------------------------------------------------- keys by hash slot

    /*
     * Cluster mode's slot index (Redis's slots_to_keys): per hash slot of this table, a doubly
     * linked list of its keys, newest first, as int links parallel to the slab (no node objects),
     * and a count. CLUSTER COUNTKEYSINSLOT reads the count and GETKEYSINSLOT walks the list, so
     * neither scans the keyspace. Both links of an entry are one long (one cache line to touch
     * for it; its neighbours' are the unavoidable misses of a linked list, as in Redis), and its
     * slot is hashed again from the key when it is unlinked rather than stored. Off unless
     * enabled (slotShift < 0): it costs every insert and delete a CRC16 of the key and those
     * neighbour writes (KeyspaceBench.deleteInsert, docs/benchmarks.md), plus 8 bytes per key,
     * and only cluster mode asks (as in Redis, where slots_to_keys exists only with
     * cluster-enabled). See Keyspace#enableSlotIndex.
     */

    /** Slot >>> slotShift is the slot's index in this table (the shard takes the low bits); -1: no index. */
    private int slotShift = -1;
    /** Per local slot: slab index + 1 of its newest key (0: none), and how many keys it has. */
    private int[] slotHead;
    private int[] slotCount;
    /**
     * Per slab slot: the next (older) key of its hash slot in the high 32 bits, the previous
     * (newer) one in the low 32 bits, each as slab index + 1 (0: none).
     */
    private long[][] slotLinks;

    /** Turns the index on (slots of this table are {@code slot >>> shift} apart), indexing what is stored. */
    void enableSlotIndex(int shift) {
        if (slotShift >= 0) return;
        slotShift = shift;
        int chunks = slab.length;
        slotLinks = new long[chunks][];
        for (int c = 0; c < chunks; c++) slotLinks[c] = new long[slab[c].length];
        for (int k = 0; k < slabTop; k++) {
            Object e = entry(k);
            if (e != null) slotLink(k, Slots.slot(Entries.key(e)) >>> shift);
        }
    }

    boolean slotIndexed() { return slotShift >= 0; }

    /** Keys of hash slot {@code slot} (one this table holds), 0 without the index. */
    int countInSlot(int slot) {
        if (slotShift < 0 || slotCount == null) return 0;
        return slotCount[slot >>> slotShift];
    }

    /** Up to {@code max} keys of hash slot {@code slot}, newest first (Redis's order). */
    void keysInSlot(int slot, int max, Consumer<byte[]> out) {
        if (slotShift < 0 || slotHead == null) return;
        int i = slotHead[slot >>> slotShift];
        for (int n = 0; i != 0 && n < max; n++) {
            out.accept(Entries.key(entry(i - 1)));
            i = (int) (slotLinks[(i - 1) >>> CHUNK_BITS][(i - 1) & CHUNK_MASK] >>> 32);
        }
    }

    private void slotLink(int s, int local) {
        if (slotHead == null) {
            // local slots of this table: 16384 >>> shift
            slotHead = new int[Slots.COUNT >>> slotShift];
            slotCount = new int[Slots.COUNT >>> slotShift];
        }
        int head = slotHead[local];
        slotLinks[s >>> CHUNK_BITS][s & CHUNK_MASK] = (long) head << 32;
        if (head != 0) {
            long[] c = slotLinks[(head - 1) >>> CHUNK_BITS];
            int o = (head - 1) & CHUNK_MASK;
            c[o] = (c[o] & 0xffffffff00000000L) | (s + 1);
        }
        slotHead[local] = s + 1;
        slotCount[local]++;
    }

    private void slotUnlink(int s, byte[] key) {
        int local = Slots.slot(key) >>> slotShift;
        long l = slotLinks[s >>> CHUNK_BITS][s & CHUNK_MASK];
        int nx = (int) (l >>> 32), pv = (int) l;
        if (pv == 0) {
            slotHead[local] = nx;
        } else {
            long[] c = slotLinks[(pv - 1) >>> CHUNK_BITS];
            int o = (pv - 1) & CHUNK_MASK;
            c[o] = (c[o] & 0xffffffffL) | ((long) nx << 32);
        }
        if (nx != 0) {
            long[] c = slotLinks[(nx - 1) >>> CHUNK_BITS];
            int o = (nx - 1) & CHUNK_MASK;
            c[o] = (c[o] & 0xffffffff00000000L) | (pv & 0xffffffffL);
        }
        slotCount[local]--;
    }

    private Object entry(int slot) { return slab[slot >>> CHUNK_BITS][slot & CHUNK_MASK]; }

    private void entry(int slot, Object e) { slab[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = e; }

    private int next(int slot) { return next[slot >>> CHUNK_BITS][slot & CHUNK_MASK]; }

    private void next(int slot, int v) { next[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = v; }

    private int hash(int slot) { return hashes[slot >>> CHUNK_BITS][slot & CHUNK_MASK]; }

    int size() { return size; }

    int volatileCount() { return volatileCount; }

    /** Accounted entry bytes minus the entries' sizes measured now: 0 unless a change went unreported. */
    long accountingDrift() {
        long sum = 0;
        for (int k = 0; k < slabTop; k++) {
            Object e = entry(k);
            if (e != null) sum += Entries.memoryUsage(e);
        }
        return entryBytes - sum;
    }

    /** {@link #memoryUsage()} when the owning shard last took the difference. */
    private long reported;

    /** The change of {@link #memoryUsage()} since the last call: the shard keeps a running total. */
    long memoryDelta() {
        long m = memoryUsage();
        long d = m - reported;
        reported = m;
        return d;
    }

    /** Heap bytes of the entries plus this table's arrays. */
    long memoryUsage() {
        return entryBytes + 16L * 4 + 4L * buckets.length + 12L * capacity + 48L * slab.length;
    }

    Object get(byte[] key, int hash) {
        int i = buckets[hash & (buckets.length - 1)];
        while (i != 0) {
            int s = i - 1;
            if (hash(s) == hash) {
                Object e = entry(s);
                if (Entries.keyEquals(e, key)) {
                    if (snap != null) snap.beforeWrite(this, s);
                    return e;
                }
            }
            i = next(s);
        }
        return null;
    }

    /** Inserts or replaces the entry with the same key; returns the replaced entry or null. */
    Object put(Object entry, byte[] key, int hash) {
        int b = hash & (buckets.length - 1);
        int i = buckets[b];
        while (i != 0) {
            int s = i - 1;
            if (hash(s) == hash) {
                Object e = entry(s);
                if (Entries.keyEquals(e, key)) {
                    if (snap != null) snap.beforeWrite(this, s);
                    entry(s, entry);
                    account(e, -1);
                    account(entry, 1);
                    return e;
                }
            }
            i = next(s);
        }
        int slot = allocate();
        if (snap != null) snap.bornAfter(slot);
        entry(slot, entry);
        hashes[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = hash;
        next(slot, buckets[b]);
        buckets[b] = slot + 1;
        if (slotShift >= 0) slotLink(slot, Slots.slot(key) >>> slotShift);
        size++;
        account(entry, 1);
        if (size > buckets.length) relink(buckets.length * 2);
        return null;
    }

    Object remove(byte[] key, int hash) {
        int b = hash & (buckets.length - 1);
        int prev = 0;
        int i = buckets[b];
        while (i != 0) {
            int s = i - 1;
            if (hash(s) == hash) {
                Object e = entry(s);
                if (Entries.keyEquals(e, key)) {
                    if (snap != null) snap.beforeWrite(this, s);
                    unlink(b, prev, i, key);
                    return e;
                }
            }
            prev = i;
            i = next(s);
        }
        return null;
    }

    private void unlink(int bucket, int prev, int i, byte[] key) {
        int s = i - 1;
        Object e = entry(s);
        if (prev == 0) buckets[bucket] = next(s);
        else next(prev - 1, next(s));
        if (slotShift >= 0) slotUnlink(s, key);
        entry(s, null);
        next(s, freeHead);
        freeHead = i;
        size--;
        account(e, -1);
        if (size < buckets.length / 8 && buckets.length > MIN_BUCKETS) {
            // a large shrink: give back buckets and (when mostly holes) the slab's chunks too
            // (never while a snapshot walks the slab: compaction renumbers slots)
            if (size < slabTop / 4 && snap == null) compact(buckets.length / 2);
            else relink(buckets.length / 2);
        }
    }

    private void account(Object e, int sign) {
        entryBytes += sign * Entries.memoryUsage(e);
        if (Entries.expireAt(e) >= 0) volatileCount += sign;
        if (e instanceof byte[] r && StringRecord.isCompressed(r)) {
            compressedValues += sign;
            compressionSaved += sign * StringRecord.savedBytes(r);
        }
    }

    /** Compressed string records in this table and the bytes they save: running totals (INFO). */
    private long compressedValues;
    private long compressionSaved;

    long compressedValues() { return compressedValues; }

    long compressionSavedBytes() { return compressionSaved; }

    /**
     * Re-accounts an object entry whose TTL changed in place (the entry stays in its bucket, since
     * the key, and so the hash, is unchanged).
     */
    void ttlChanged(boolean had, boolean has) {
        if (had != has) volatileCount += has ? 1 : -1;
    }

    /** Slab slots handed out so far (live entries plus holes); the active expiry cycle's range. */
    int slabTop() { return slabTop; }

    /** Re-accounts an entry whose size changed in place (collections mutated by commands). */
    void resized(long delta) { entryBytes += delta; }

    private int allocate() {
        if (freeHead != 0) {
            int slot = freeHead - 1;
            freeHead = next(slot);
            return slot;
        }
        if (slabTop == capacity) grow();
        return slabTop++;
    }

    private void grow() {
        if (capacity < CHUNK) {
            // the first chunk doubles up to a full chunk (small tables stay small)
            int cap = Math.min(capacity * 2, CHUNK);
            slab[0] = Arrays.copyOf(slab[0], cap);
            next[0] = Arrays.copyOf(next[0], cap);
            hashes[0] = Arrays.copyOf(hashes[0], cap);
            if (slotShift >= 0) slotLinks[0] = Arrays.copyOf(slotLinks[0], cap);
            capacity = cap;
            return;
        }
        int chunks = slab.length;
        slab = Arrays.copyOf(slab, chunks + 1);
        next = Arrays.copyOf(next, chunks + 1);
        hashes = Arrays.copyOf(hashes, chunks + 1);
        slab[chunks] = new Object[CHUNK];
        next[chunks] = new int[CHUNK];
        hashes[chunks] = new int[CHUNK];
        if (slotShift >= 0) {
            slotLinks = Arrays.copyOf(slotLinks, chunks + 1);
            slotLinks[chunks] = new long[CHUNK];
        }
        capacity += CHUNK;
    }

    /** New bucket array; live slots are relinked where they are (free slots keep their links). */
    private void relink(int newBuckets) {
        buckets = new int[newBuckets];
        int mask = newBuckets - 1;
        for (int s = 0; s < slabTop; s++) {
            if (entry(s) == null) continue;
            int b = hash(s) & mask;
            next(s, buckets[b]);
            buckets[b] = s + 1;
        }
    }

    /** Rebuilds the slab without holes (after many deletes), with a new bucket array. */
    private void compact(int newBuckets) {
        Object[][] oldSlab = slab;
        int[][] oldHashes = hashes;
        int oldTop = slabTop;
        long[][] oldLinks = slotLinks;
        int[] oldHeads = slotHead;
        int[] moved = slotShift >= 0 ? new int[oldTop] : null; // old slab index -> new index + 1
        int first = Math.max(MIN_BUCKETS, Math.min(CHUNK, Integer.highestOneBit(Math.max(size, 1)) * 2));
        initSlab(first);
        buckets = new int[newBuckets];
        int mask = newBuckets - 1;
        for (int k = 0; k < oldTop; k++) {
            Object e = oldSlab[k >>> CHUNK_BITS][k & CHUNK_MASK];
            if (e == null) continue;
            int h = oldHashes[k >>> CHUNK_BITS][k & CHUNK_MASK];
            int slot = allocate();
            entry(slot, e);
            hashes[slot >>> CHUNK_BITS][slot & CHUNK_MASK] = h;
            int b = h & mask;
            next(slot, buckets[b]);
            buckets[b] = slot + 1;
            if (moved != null) moved[k] = slot + 1;
        }
        if (moved != null && oldHeads != null) {
            // each slot's list rebuilt in its order: walked oldest first, each key linked at the head
            int[] chain = new int[16];
            for (int local = 0; local < oldHeads.length; local++) {
                int n = 0;
                for (int i = oldHeads[local]; i != 0; i = (int) (oldLinks[(i - 1) >>> CHUNK_BITS][(i - 1) & CHUNK_MASK] >>> 32)) {
                    if (n == chain.length) chain = Arrays.copyOf(chain, n * 2);
                    chain[n++] = i - 1;
                }
                for (int j = n - 1; j >= 0; j--) slotLink(moved[chain[j]] - 1, local);
            }
        }
        rebuilds++;
        expireCursor = 0;
    }

    void clear() {
        // FLUSHDB/FLUSHALL during a snapshot: what the snapshot still owes is written first
        if (snap != null) snap.finish(this);
        buckets = new int[MIN_BUCKETS];
        initSlab(MIN_BUCKETS);
        size = 0;
        volatileCount = 0;
        entryBytes = 0;
        compressedValues = 0;
        compressionSaved = 0;
        expireCursor = 0;
        rebuilds++;
    }

    /**
     * Redis's SCAN step: visits every entry of bucket {@code cursor & mask} and returns the next
     * cursor in reverse-binary order, 0 when the walk is complete.
     */
    long scan(long cursor, Consumer<Object> visitor) {
        int mask = buckets.length - 1;
        int i = buckets[(int) (cursor & mask)];
        while (i != 0) {
            visitor.accept(entry(i - 1));
            i = next(i - 1);
        }
        long v = cursor | ~(long) mask;
        v = Long.reverse(v);
        v++;
        v = Long.reverse(v);
        return v;
    }

    /** Number of buckets; SCAN's COUNT is measured in buckets, as in Redis. */
    int bucketCount() { return buckets.length; }

    void forEach(Consumer<Object> visitor) {
        for (int k = 0; k < slabTop; k++) {
            Object e = entry(k);
            if (e != null) visitor.accept(e);
        }
    }

    /** A uniformly chosen entry, or null when empty. */
    Object random(java.util.concurrent.ThreadLocalRandom rnd) {
        if (size == 0) return null;
        while (true) {
            Object e = entry(rnd.nextInt(slabTop));
            if (e != null) return e;
        }
    }

    /**
     * Eviction sampling (Redis's {@code dictGetSomeKeys}): up to {@code n} entries into
     * {@code out}, only entries with a TTL when {@code volatileOnly}. Probes random slab slots
     * while live entries are dense enough for probes to hit; otherwise (a few volatile keys
     * among many persistent ones) walks the slab from a random slot, as Redis walks buckets.
     * Returns how many it found.
     */
    int sample(int n, boolean volatileOnly, java.util.concurrent.ThreadLocalRandom rnd, Object[] out) {
        int live = volatileOnly ? volatileCount : size;
        if (live == 0 || slabTop == 0) return 0;
        int got = 0;
        if ((long) live * 8 >= slabTop) {
            for (int tries = n * 16; got < n && tries > 0; tries--) {
                Object e = entry(rnd.nextInt(slabTop));
                if (e != null && (!volatileOnly || Entries.expireAt(e) >= 0)) out[got++] = e;
            }
            if (got == n) return got;
        }
        int start = rnd.nextInt(slabTop);
        for (int k = 0; k < slabTop && got < n; k++) {
            int s = start + k;
            if (s >= slabTop) s -= slabTop;
            Object e = entry(s);
            if (e != null && (!volatileOnly || Entries.expireAt(e) >= 0)) out[got++] = e;
        }
        return got;
    }

    /**
     * Active expiry: visits up to {@code budget} slab slots from where the last call stopped and
     * removes entries whose expiry is at or before {@code now}. Returns how many it removed, with
     * the number of entries with a TTL it examined in the high 32 bits, so the caller can tell
     * the stale ratio the way Redis samples its expires dict.
     */
    long expireSome(long now, int budget, Consumer<Object> onExpired) {
        int removed = 0;
        int examined = 0;
        for (int visited = 0; visited < budget && slabTop > 0 && volatileCount > 0; visited++) {
            if (expireCursor >= slabTop) expireCursor = 0;
            Object e = entry(expireCursor);
            if (e != null) {
                long at = Entries.expireAt(e);
                if (at >= 0) examined++;
                if (at >= 0 && at <= now) {
                    int before = rebuilds;
                    remove(Entries.key(e), hash(expireCursor));
                    onExpired.accept(e);
                    removed++;
                    if (rebuilds != before) continue; // the slab was compacted; the cursor restarted
                }
            }
            expireCursor++;
        }
        return ((long) examined << 32) | removed;
    }
}
