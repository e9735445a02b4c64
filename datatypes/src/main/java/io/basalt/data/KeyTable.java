package io.basalt.data;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The hash table of one database in one shard: chained buckets over power-of-two sizes, with
 * chains kept as int indexes into a slab of entries rather than as node objects (no per-key
 * wrapper). Power-of-two buckets keyed by the low hash bits are what make Redis's reverse-binary
 * SCAN cursor work across resizes, so SCAN keeps its guarantees.
 *
 * <p>Not thread-safe: the owning {@link Shard}'s lock guards it.
 */
final class KeyTable {
    private static final int MIN_BUCKETS = 4;

    /** Entry index + 1 of each chain head; 0 means empty. */
    private int[] buckets = new int[MIN_BUCKETS];
    /** Entry index + 1 of the next entry in the chain, per slab slot. */
    private int[] next = new int[MIN_BUCKETS];
    /**
     * The full hash of each slab slot's key. Chains are compared on it first, so a lookup reads
     * only the record it is after: records are scattered over the heap and touching each one of a
     * chain costs a cache miss (measured: SET of 1 KiB values over 100k keys spent most of its
     * time in chain walks before this). Resizing also rehashes without reading any record.
     */
    private int[] hashes = new int[MIN_BUCKETS];
    private Object[] slab = new Object[MIN_BUCKETS];
    private int slabTop;       // slots below this have been handed out
    private int freeHead;      // index + 1 of the first free slot, chained through next[]
    private int size;
    private int volatileCount;
    private long entryBytes;
    int expireCursor;          // where the active expiry cycle resumes

    int size() { return size; }

    int volatileCount() { return volatileCount; }

    /** Heap bytes of the entries plus this table's arrays. */
    long memoryUsage() {
        return entryBytes + 16L * 4 + 4L * buckets.length + 12L * slab.length;
    }

    Object get(byte[] key, int hash) {
        int i = buckets[hash & (buckets.length - 1)];
        while (i != 0) {
            if (hashes[i - 1] == hash) {
                Object e = slab[i - 1];
                if (Entries.keyEquals(e, key)) return e;
            }
            i = next[i - 1];
        }
        return null;
    }

    /** Inserts or replaces the entry with the same key; returns the replaced entry or null. */
    Object put(Object entry, byte[] key, int hash) {
        int b = hash & (buckets.length - 1);
        int i = buckets[b];
        while (i != 0) {
            Object e = hashes[i - 1] == hash ? slab[i - 1] : null;
            if (e != null && Entries.keyEquals(e, key)) {
                slab[i - 1] = entry;
                account(e, -1);
                account(entry, 1);
                return e;
            }
            i = next[i - 1];
        }
        int slot = allocate();
        slab[slot] = entry;
        hashes[slot] = hash;
        next[slot] = buckets[b];
        buckets[b] = slot + 1;
        size++;
        account(entry, 1);
        if (size > buckets.length) resize(buckets.length * 2);
        return null;
    }

    Object remove(byte[] key, int hash) {
        int b = hash & (buckets.length - 1);
        int prev = 0;
        int i = buckets[b];
        while (i != 0) {
            Object e = hashes[i - 1] == hash ? slab[i - 1] : null;
            if (e != null && Entries.keyEquals(e, key)) {
                unlink(b, prev, i);
                return e;
            }
            prev = i;
            i = next[i - 1];
        }
        return null;
    }

    private void unlink(int bucket, int prev, int i) {
        Object e = slab[i - 1];
        if (prev == 0) buckets[bucket] = next[i - 1];
        else next[prev - 1] = next[i - 1];
        slab[i - 1] = null;
        next[i - 1] = freeHead;
        freeHead = i;
        size--;
        account(e, -1);
        if (size < buckets.length / 8 && buckets.length > MIN_BUCKETS) resize(buckets.length / 2);
    }

    private void account(Object e, int sign) {
        entryBytes += sign * Entries.memoryUsage(e);
        if (Entries.expireAt(e) >= 0) volatileCount += sign;
    }

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
            freeHead = next[slot];
            return slot;
        }
        if (slabTop == slab.length) {
            int cap = slab.length + (slab.length >> 1) + 1;
            slab = Arrays.copyOf(slab, cap);
            next = Arrays.copyOf(next, cap);
            hashes = Arrays.copyOf(hashes, cap);
        }
        return slabTop++;
    }

    private void resize(int newBuckets) {
        // Rebuild compactly: a shrink also gives back the slab's free slots.
        Object[] oldSlab = slab;
        int[] oldHashes = hashes;
        int oldTop = slabTop;
        int cap = Math.max(size + (size >> 2), MIN_BUCKETS);
        buckets = new int[newBuckets];
        slab = new Object[cap];
        next = new int[cap];
        hashes = new int[cap];
        slabTop = 0;
        freeHead = 0;
        int mask = newBuckets - 1;
        for (int k = 0; k < oldTop; k++) {
            Object e = oldSlab[k];
            if (e == null) continue;
            int h = oldHashes[k];
            int b = h & mask;
            int slot = slabTop++;
            slab[slot] = e;
            hashes[slot] = h;
            next[slot] = buckets[b];
            buckets[b] = slot + 1;
        }
        expireCursor = 0;
    }

    void clear() {
        buckets = new int[MIN_BUCKETS];
        next = new int[MIN_BUCKETS];
        hashes = new int[MIN_BUCKETS];
        slab = new Object[MIN_BUCKETS];
        slabTop = 0;
        freeHead = 0;
        size = 0;
        volatileCount = 0;
        entryBytes = 0;
        expireCursor = 0;
    }

    /**
     * Redis's SCAN step: visits every entry of bucket {@code cursor & mask} and returns the next
     * cursor in reverse-binary order, 0 when the walk is complete.
     */
    long scan(long cursor, Consumer<Object> visitor) {
        int mask = buckets.length - 1;
        int i = buckets[(int) (cursor & mask)];
        while (i != 0) {
            visitor.accept(slab[i - 1]);
            i = next[i - 1];
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
            Object e = slab[k];
            if (e != null) visitor.accept(e);
        }
    }

    /** A uniformly chosen entry, or null when empty. */
    Object random(java.util.concurrent.ThreadLocalRandom rnd) {
        if (size == 0) return null;
        while (true) {
            Object e = slab[rnd.nextInt(slabTop)];
            if (e != null) return e;
        }
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
            Object e = slab[expireCursor];
            if (e != null) {
                long at = Entries.expireAt(e);
                if (at >= 0) examined++;
                if (at >= 0 && at <= now) {
                    int before = slabTop;
                    remove(Entries.key(e), hashes[expireCursor]);
                    onExpired.accept(e);
                    removed++;
                    if (slabTop != before) continue; // the table was rebuilt; the cursor restarted
                }
            }
            expireCursor++;
        }
        return ((long) examined << 32) | removed;
    }
}
