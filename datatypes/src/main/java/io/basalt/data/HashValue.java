package io.basalt.data;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hash key. Small hashes are a listpack: ONE byte[] holding the entry's header (flags, access
 * clock, expiry when set, field count), its key and the length-prefixed field/value entries in
 * insertion order (so iteration order matches Redis's listpack byte for byte), sized exactly, as
 * Redis reallocs its listpacks; the HashValue object around it has no other field. Per small
 * hash that is two objects (this and the array) where a key array, an object with key, expiry,
 * clock, sizes and a listpack with growth slack used to be four (100,000 hashes of 10 fields:
 * ~290 -> ~225 heap bytes per hash). Once a hash holds more than hash-max-listpack-entries
 * fields, or a field/value longer than hash-max-listpack-value is written, it becomes a chained
 * hash table for good (Redis never converts back).
 *
 * <p>The hash table is a power-of-two array of buckets (each one packed byte[], see {@link Table})
 * that doubles when full and shrinks when mostly empty (so random picks stay cheap); the
 * reverse-binary cursor of {@link #scan} keeps Redis's SCAN guarantee across both, as Redis's
 * dictScan does. Values are copied out of the packed arrays on reads.
 */
public final class HashValue extends ObjectEntry {
    /** Object header, fields and the array headers: the fixed part of the estimate. */
    private static final long BASE = 64;

    // Listpack record layout: [flags][clock, 3 bytes][expireAt, 8 bytes, when FLAG_TTL]
    // [count, 2 bytes, 0xffff = count by scanning, as listpack's header][varint key length][key]
    // [varint length][field][varint length][value]... to the end of the array.
    private static final int FLAG_TTL = 1;
    private static final int COUNT_UNKNOWN = 0xffff;

    /** The listpack record (byte[]) or the hash table ({@link Table}). */
    private Object rep;

    /**
     * The hashtable encoding, with the entry's key, expiry and clock. Buckets are a power-of-two
     * array; a bucket is ONE byte[] packing its fields and values ([varint length][field]
     * [varint length][value]...), not a chain of node objects: one object of ~50 bytes per
     * field (the load factor keeps most buckets to one or two fields) where a node, a field
     * array and a value array took ~100. Chains stay per bucket, so the reverse-binary HSCAN
     * cursor keeps Redis's guarantees across resizes exactly as with nodes.
     */
    private static final class Table {
        final byte[] key;
        long expireAt = -1;
        int clock;
        byte[][] buckets;
        int count;
        long bytes;

        Table(byte[] key, int size) {
            this.key = key;
            buckets = new byte[size][];
            bytes = BASE + 16 + 4L * size;
        }

        private static long arrayBytes(byte[] b) { return b == null ? 0 : (16 + b.length + 7) & ~7L; }

        private byte[] bucketOf(byte[] field) { return buckets[Entries.hash(field) & (buckets.length - 1)]; }

        private void setBucket(int i, byte[] n) {
            bytes += arrayBytes(n) - arrayBytes(buckets[i]);
            buckets[i] = n;
        }

        /** Offset of the field's entry in bucket b (null: empty), or -1. */
        private static int find(byte[] b, byte[] field) {
            if (b == null) return -1;
            int p = 0;
            while (p < b.length) {
                int len = readLen(b, p);
                int st = p + varLen(len);
                if (len == field.length && Arrays.equals(b, st, st + len, field, 0, len)) return p;
                p = skip(b, st + len);
            }
            return -1;
        }

        byte[] get(byte[] field) {
            byte[] b = bucketOf(field);
            int p = find(b, field);
            return p < 0 ? null : entry(b, skip(b, p));
        }

        boolean contains(byte[] field) { return find(bucketOf(field), field) >= 0; }

        boolean set(byte[] field, byte[] value) {
            int i = Entries.hash(field) & (buckets.length - 1);
            byte[] b = buckets[i];
            int p = find(b, field);
            if (p >= 0) {
                int vp = skip(b, p);
                setBucket(i, replaced(b, vp, skip(b, vp), value));
                return false;
            }
            int add = varLen(field.length) + field.length + varLen(value.length) + value.length;
            byte[] n = b == null ? new byte[add] : Arrays.copyOf(b, b.length + add);
            int q = writeLen(n, n.length - add, field.length);
            System.arraycopy(field, 0, n, q, field.length);
            q = writeLen(n, q + field.length, value.length);
            System.arraycopy(value, 0, n, q, value.length);
            setBucket(i, n);
            count++;
            if (count > buckets.length) rehash(buckets.length * 2);
            else maxChain = Math.max(maxChain, chainLength(n));
            return true;
        }

        /**
         * At least the longest chain's length (exact after a rehash, never lowered by deletes):
         * the bound that makes {@link HashValue#randomPair}'s rejection sampling uniform.
         */
        int maxChain;

        static int chainLength(byte[] b) {
            int len = 0;
            for (int p = 0; b != null && p < b.length; p = skip(b, skip(b, p))) len++;
            return len;
        }

        boolean delete(byte[] field) {
            int i = Entries.hash(field) & (buckets.length - 1);
            byte[] b = buckets[i];
            int p = find(b, field);
            if (p < 0) return false;
            int end = skip(b, skip(b, p));
            byte[] n = null;
            if (end - p != b.length) {
                n = new byte[b.length - (end - p)];
                System.arraycopy(b, 0, n, 0, p);
                System.arraycopy(b, end, n, p, b.length - end);
            }
            setBucket(i, n);
            count--;
            if (buckets.length > 4 && (long) count * 8 < buckets.length) {
                int size = 4;
                while (size < count) size <<= 1;
                rehash(size);
            }
            return true;
        }

        /** Visits the pairs of bucket b (copies). */
        static void visit(byte[] b, PairVisitor v) {
            if (b == null) return;
            int p = 0;
            while (p < b.length) {
                byte[] f = entry(b, p);
                p = skip(b, p);
                byte[] val = entry(b, p);
                p = skip(b, p);
                v.visit(f, val);
            }
        }

        /**
         * Redistributes the entries over {@code size} buckets. A new bucket that takes exactly
         * one old bucket whole (most of them: buckets hold one or two fields) reuses its array;
         * the others are allocated once at their final size. Reallocating every bucket would
         * turn the whole table into old-generation garbage at each doubling.
         */
        void rehash(int size) {
            byte[][] old = buckets;
            int mask = size - 1;
            int[] lens = new int[size];
            int[] sole = new int[old.length]; // per old bucket: its one target + 1, or 0 if split
            for (int i = 0; i < old.length; i++) {
                byte[] b = old[i];
                int target = -1;
                boolean split = false;
                for (int p = 0; b != null && p < b.length; ) {
                    int fl = readLen(b, p);
                    int end = skip(b, p + varLen(fl) + fl);
                    int j = Entries.hash(b, p + varLen(fl), fl) & mask;
                    lens[j] += end - p;
                    if (target >= 0 && target != j) split = true;
                    target = j;
                    p = end;
                }
                if (b != null && !split) sole[i] = target + 1;
            }
            byte[][] t = new byte[size][];
            int[] fill = new int[size];
            long total = BASE + 16 + 4L * size;
            for (int i = 0; i < old.length; i++) {
                byte[] b = old[i];
                if (b == null) continue;
                int j0 = sole[i] - 1;
                if (j0 >= 0 && lens[j0] == b.length) { // the only source of its new bucket
                    t[j0] = b;
                    total += arrayBytes(b);
                    continue;
                }
                for (int p = 0; p < b.length; ) {
                    int fl = readLen(b, p);
                    int end = skip(b, p + varLen(fl) + fl);
                    int j = Entries.hash(b, p + varLen(fl), fl) & mask;
                    if (t[j] == null) {
                        t[j] = new byte[lens[j]];
                        total += arrayBytes(t[j]);
                    }
                    System.arraycopy(b, p, t[j], fill[j], end - p);
                    fill[j] += end - p;
                    p = end;
                }
            }
            buckets = t;
            bytes = total;
            int m = 0;
            for (byte[] x : t) m = Math.max(m, chainLength(x));
            maxChain = m;
        }

        Table copy(byte[] newKey, boolean deep) {
            Table t = new Table(newKey, 1);
            t.expireAt = expireAt;
            t.clock = clock;
            t.count = count;
            t.bytes = bytes;
            t.buckets = deep ? buckets.clone() : buckets;
            t.maxChain = maxChain;
            if (deep) for (int i = 0; i < t.buckets.length; i++) if (t.buckets[i] != null) t.buckets[i] = t.buckets[i].clone();
            return t;
        }
    }

    /** Receives one field/value pair of an iteration. */
    @FunctionalInterface
    public interface PairVisitor {
        void visit(byte[] field, byte[] value);
    }

    public HashValue(byte[] key) { rep = newRecord(key, 0, key.length, 0, -1); }

    private HashValue() {}

    /** A hash over a record or table (not a constructor: new HashValue(byte[]) takes a key). */
    private static HashValue of(Object rep) {
        HashValue h = new HashValue();
        h.rep = rep;
        return h;
    }

    /** An empty listpack record for the key (pairs appended later). */
    private static byte[] newRecord(byte[] key, int off, int len, int clock, long expireAt) {
        int ttl = expireAt >= 0 ? 8 : 0;
        byte[] r = new byte[4 + ttl + 2 + varLen(len) + len];
        r[0] = (byte) (ttl != 0 ? FLAG_TTL : 0);
        setClock(r, clock);
        if (ttl != 0) LONG.set(r, 4, expireAt);
        int p = writeLen(r, 4 + ttl + 2, len);
        System.arraycopy(key, off, r, p, len);
        return r;
    }

    private static final java.lang.invoke.VarHandle LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static void setClock(byte[] r, int clock) {
        r[1] = (byte) (clock >>> 16);
        r[2] = (byte) (clock >>> 8);
        r[3] = (byte) clock;
    }

    private static int countOffset(byte[] r) { return (r[0] & FLAG_TTL) != 0 ? 12 : 4; }

    private static int keyLenOffset(byte[] r) { return countOffset(r) + 2; }

    private static int keyOffset(byte[] r) {
        int p = keyLenOffset(r);
        return p + varLen(readLen(r, p));
    }

    /** Offset of the first field entry. */
    private static int pairsStart(byte[] r) {
        int p = keyLenOffset(r);
        int len = readLen(r, p);
        return p + varLen(len) + len;
    }

    private static int storedCount(byte[] r) {
        int p = countOffset(r);
        return (r[p] & 0xff) | (r[p + 1] & 0xff) << 8;
    }

    private static void storeCount(byte[] r, int count) {
        int c = Math.min(count, COUNT_UNKNOWN);
        int p = countOffset(r);
        r[p] = (byte) c;
        r[p + 1] = (byte) (c >>> 8);
    }

    // ---------------------------------------------------------------- entry header

    @Override
    public byte[] key() {
        if (rep instanceof Table t) return t.key;
        byte[] r = (byte[]) rep;
        int p = keyLenOffset(r);
        int len = readLen(r, p);
        p += varLen(len);
        return Arrays.copyOfRange(r, p, p + len);
    }

    @Override
    public boolean keyEquals(byte[] k) {
        if (rep instanceof Table t) return Arrays.equals(t.key, k);
        byte[] r = (byte[]) rep;
        int p = keyLenOffset(r);
        int len = readLen(r, p);
        p += varLen(len);
        return len == k.length && Arrays.equals(r, p, p + len, k, 0, len);
    }

    @Override
    int keyHash() {
        if (rep instanceof Table t) return Entries.hash(t.key);
        byte[] r = (byte[]) rep;
        int p = keyLenOffset(r);
        int len = readLen(r, p);
        return Entries.hash(r, p + varLen(len), len);
    }

    @Override
    boolean keyMatches(byte[] pattern, boolean nocase) {
        if (rep instanceof Table t) return Glob.match(pattern, t.key, nocase);
        byte[] r = (byte[]) rep;
        int p = keyLenOffset(r);
        int len = readLen(r, p);
        return Glob.match(pattern, r, p + varLen(len), len, nocase);
    }

    @Override
    public long expireAt() {
        if (rep instanceof Table t) return t.expireAt;
        byte[] r = (byte[]) rep;
        return (r[0] & FLAG_TTL) != 0 ? (long) LONG.get(r, 4) : -1;
    }

    @Override
    void expireAt(long expireAt) {
        if (rep instanceof Table t) {
            t.expireAt = expireAt;
            return;
        }
        byte[] r = (byte[]) rep;
        boolean had = (r[0] & FLAG_TTL) != 0;
        if (had && expireAt >= 0) {
            LONG.set(r, 4, expireAt);
        } else if (had) {
            byte[] n = new byte[r.length - 8];
            n[0] = (byte) (r[0] & ~FLAG_TTL);
            System.arraycopy(r, 1, n, 1, 3);
            System.arraycopy(r, 12, n, 4, r.length - 12);
            rep = n;
        } else if (expireAt >= 0) {
            byte[] n = new byte[r.length + 8];
            n[0] = (byte) (r[0] | FLAG_TTL);
            System.arraycopy(r, 1, n, 1, 3);
            LONG.set(n, 4, expireAt);
            System.arraycopy(r, 4, n, 12, r.length - 4);
            rep = n;
        }
    }

    @Override
    public int clock() {
        if (rep instanceof Table t) return t.clock;
        byte[] r = (byte[]) rep;
        return ((r[1] & 0xff) << 16) | ((r[2] & 0xff) << 8) | (r[3] & 0xff);
    }

    @Override
    public void clock(int clock) {
        if (rep instanceof Table t) t.clock = clock;
        else setClock((byte[]) rep, clock);
    }

    @Override public String typeName() { return "hash"; }

    @Override public String encodingName() { return rep instanceof byte[] ? "listpack" : "hashtable"; }

    /** Heap bytes: this object and the record, or the table's running estimate plus its key. */
    @Override
    public long memoryUsage() {
        if (rep instanceof byte[] r) return 16 + ((16 + r.length + 7) & ~7L);
        Table t = (Table) rep;
        return 16 + t.bytes + 16 + t.key.length;
    }

    @Override
    public ObjectEntry copy(byte[] newKey) {
        if (rep instanceof byte[] r) return of(rekeyedRecord(r, newKey));
        return of(((Table) rep).copy(newKey, true));
    }

    @Override
    public ObjectEntry rekeyed(byte[] newKey) {
        if (rep instanceof byte[] r) return of(rekeyedRecord(r, newKey));
        return of(((Table) rep).copy(newKey, false));
    }

    /** The same header and pairs under another key. */
    private static byte[] rekeyedRecord(byte[] r, byte[] newKey) {
        int ps = pairsStart(r);
        int kl = keyLenOffset(r);
        byte[] n = new byte[kl + varLen(newKey.length) + newKey.length + r.length - ps];
        System.arraycopy(r, 0, n, 0, kl);
        int p = writeLen(n, kl, newKey.length);
        System.arraycopy(newKey, 0, n, p, newKey.length);
        System.arraycopy(r, ps, n, p + newKey.length, r.length - ps);
        return n;
    }

    public int size() {
        if (rep instanceof Table t) return t.count;
        byte[] r = (byte[]) rep;
        int c = storedCount(r);
        if (c != COUNT_UNKNOWN) return c;
        c = 0;
        for (int p = pairsStart(r); p < r.length; p = skip(r, skip(r, p))) c++;
        return c;
    }

    public boolean isListpack() { return rep instanceof byte[]; }

    // ---------------------------------------------------------------- operations

    /** The value of {@code field}, or null. */
    public byte[] get(byte[] field) {
        if (rep instanceof byte[] r) {
            int p = lpFind(r, field);
            return p < 0 ? null : entry(r, skip(r, p));
        }
        return ((Table) rep).get(field);
    }

    public boolean contains(byte[] field) {
        return rep instanceof byte[] r ? lpFind(r, field) >= 0 : ((Table) rep).contains(field);
    }

    /**
     * Sets {@code field} to {@code value}; true if the field is new. Converts to a hash table
     * first when either is longer than the listpack limit, and after inserting when the hash
     * has more fields than the listpack limit, as Redis's hashTypeSet does.
     *
     * @param limits the thresholds of the keyspace this hash lives in
     */
    public boolean set(byte[] field, byte[] value, EncodingLimits limits) {
        if (rep instanceof byte[] && (field.length > limits.hashMaxListpackValue
                || value.length > limits.hashMaxListpackValue)) {
            convert();
        }
        if (rep instanceof byte[] r) {
            int p = lpFind(r, field);
            int count;
            if (p >= 0) {
                int vp = skip(r, p);
                replace(r, vp, skip(r, vp), value);
                count = size();
            } else {
                count = size() + 1;
                append(r, field, value, count);
            }
            // checked on updates too: a limit lowered by CONFIG SET converts on the next write
            if (count > limits.hashMaxListpackEntries) convert();
            return p < 0;
        }
        return ((Table) rep).set(field, value);
    }

    /** Removes {@code field}; true if it was there. */
    public boolean delete(byte[] field) {
        if (rep instanceof byte[] r) {
            int p = lpFind(r, field);
            if (p < 0) return false;
            int count = size() - 1;
            int end = skip(r, skip(r, p));
            byte[] n = new byte[r.length - (end - p)];
            System.arraycopy(r, 0, n, 0, p);
            System.arraycopy(r, end, n, p, r.length - end);
            storeCount(n, count);
            rep = n;
            return true;
        }
        return ((Table) rep).delete(field);
    }

    /** Visits every pair: listpack in insertion order, hash table in bucket order. */
    public void forEach(PairVisitor v) {
        if (rep instanceof byte[] r) {
            int p = pairsStart(r);
            while (p < r.length) {
                byte[] f = entry(r, p);
                p = skip(r, p);
                byte[] val = entry(r, p);
                p = skip(r, p);
                v.visit(f, val);
            }
            return;
        }
        for (byte[] b : ((Table) rep).buckets) Table.visit(b, v);
    }

    /**
     * One step of a hash-table scan (Redis's reverse-binary cursor): visits one bucket and
     * returns the next cursor, 0 when done. Only for the hash-table encoding.
     */
    public long scan(long cursor, PairVisitor v) {
        byte[][] table = ((Table) rep).buckets;
        long mask = table.length - 1;
        Table.visit(table[(int) (cursor & mask)], v);
        cursor |= ~mask;
        cursor = Long.reverse(cursor);
        cursor++;
        cursor = Long.reverse(cursor);
        return cursor;
    }

    /**
     * A uniformly random pair as {field, value}; the hash must not be empty. In the hash table,
     * a random bucket and a random position below the longest chain's length, drawn again when
     * that position is past the bucket's chain: every pair has the same chance (a random pair of
     * a random non-empty bucket would favour pairs alone in their bucket, as Redis's
     * dictGetFairRandomKey works to avoid).
     */
    public byte[][] randomPair() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (rep instanceof byte[] r) return pairAt(r, rnd.nextInt(size()));
        Table t = (Table) rep;
        byte[][] table = t.buckets;
        int bound = Math.max(1, t.maxChain);
        while (true) {
            byte[] b = table[rnd.nextInt(table.length)];
            if (b == null) continue;
            int k = rnd.nextInt(bound);
            int p = 0;
            while (k > 0 && p < b.length) {
                p = skip(b, skip(b, p));
                k--;
            }
            if (p >= b.length) continue;
            return new byte[][] {entry(b, p), entry(b, skip(b, p))};
        }
    }

    /** All pairs as an array of {field, value}, in iteration order. */
    public byte[][][] pairs() {
        byte[][][] out = new byte[size()][][];
        int[] k = {0};
        forEach((f, v) -> out[k[0]++] = new byte[][] {f, v});
        return out;
    }

    private static byte[][] pairAt(byte[] r, int index) {
        int p = pairsStart(r);
        for (int k = 0; k < index; k++) p = skip(r, skip(r, p));
        byte[] f = entry(r, p);
        return new byte[][] {f, entry(r, skip(r, p))};
    }

    // ---------------------------------------------------------------- hash table

    private void convert() {
        byte[] r = (byte[]) rep;
        int count = size();
        int size = 4;
        while (size < count) size <<= 1;
        Table t = new Table(key(), size);
        t.expireAt = expireAt();
        t.clock = clock();
        rep = t;
        int p = pairsStart(r);
        while (p < r.length) {
            byte[] f = entry(r, p);
            p = skip(r, p);
            byte[] v = entry(r, p);
            p = skip(r, p);
            t.set(f, v);
        }
    }

    // ---------------------------------------------------------------- listpack

    /** Offset of the field entry equal to {@code field}, or -1. */
    private static int lpFind(byte[] r, byte[] field) {
        int p = pairsStart(r);
        while (p < r.length) {
            int len = readLen(r, p);
            int s = p + varLen(len);
            if (len == field.length && Arrays.equals(r, s, s + len, field, 0, len)) return p;
            p = skip(r, s + len); // past the value that follows the field
        }
        return -1;
    }

    /** Offset just past the entry at {@code p}. */
    private static int skip(byte[] r, int p) {
        int len = readLen(r, p);
        return p + varLen(len) + len;
    }

    private static byte[] entry(byte[] r, int p) {
        int len = readLen(r, p);
        int s = p + varLen(len);
        return Arrays.copyOfRange(r, s, s + len);
    }

    /** Appends a pair: a new record of exactly the needed size (Redis reallocs its listpack). */
    private void append(byte[] r, byte[] f, byte[] v, int count) {
        byte[] n = Arrays.copyOf(r, r.length + varLen(f.length) + f.length + varLen(v.length) + v.length);
        int p = writeLen(n, r.length, f.length);
        System.arraycopy(f, 0, n, p, f.length);
        p = writeLen(n, p + f.length, v.length);
        System.arraycopy(v, 0, n, p, v.length);
        storeCount(n, count);
        rep = n;
    }

    /** Replaces the entry spanning [from, to) of the record with {@code b}. */
    private void replace(byte[] r, int from, int to, byte[] b) { rep = replaced(r, from, to, b); }

    /** {@code r} with the entry spanning [from, to) replaced by {@code b}: r itself when the size is the same. */
    private static byte[] replaced(byte[] r, int from, int to, byte[] b) {
        int need = varLen(b.length) + b.length;
        if (need == to - from) {
            int q = writeLen(r, from, b.length);
            System.arraycopy(b, 0, r, q, b.length);
            return r;
        }
        byte[] n = new byte[r.length + need - (to - from)];
        System.arraycopy(r, 0, n, 0, from);
        int q = writeLen(n, from, b.length);
        System.arraycopy(b, 0, n, q, b.length);
        System.arraycopy(r, to, n, q + b.length, r.length - to);
        return n;
    }

    private static int varLen(int len) {
        if (len < 0x80) return 1;
        if (len < 0x4000) return 2;
        if (len < 0x200000) return 3;
        if (len < 0x10000000) return 4;
        return 5;
    }

    private static int writeLen(byte[] b, int p, int len) {
        while (len >= 0x80) {
            b[p++] = (byte) (len & 0x7f | 0x80);
            len >>>= 7;
        }
        b[p++] = (byte) len;
        return p;
    }

    private static int readLen(byte[] b, int p) {
        int len = 0;
        int shift = 0;
        while (true) {
            int x = b[p++];
            len |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return len;
            shift += 7;
        }
    }
}
