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
 * <p>The hash table is a power-of-two array of chains that doubles when full and shrinks when
 * mostly empty (so random picks stay cheap); the reverse-binary cursor of {@link #scan} keeps
 * Redis's SCAN guarantee across both, as Redis's dictScan does.
 */
public final class HashValue extends ObjectEntry {
    /** Object header, fields and the array headers: the fixed part of the estimate. */
    private static final long BASE = 64;
    /** Per-node overhead in the table: node object plus two array headers. */
    private static final long NODE = 32 + 16 + 16;

    // Listpack record layout: [flags][clock, 3 bytes][expireAt, 8 bytes, when FLAG_TTL]
    // [count, 2 bytes, 0xffff = count by scanning, as listpack's header][varint key length][key]
    // [varint length][field][varint length][value]... to the end of the array.
    private static final int FLAG_TTL = 1;
    private static final int COUNT_UNKNOWN = 0xffff;

    /** The listpack record (byte[]) or the hash table ({@link Table}). */
    private Object rep;

    /** The hashtable encoding, with the entry's key, expiry and clock. */
    private static final class Table {
        final byte[] key;
        long expireAt = -1;
        int clock;
        Node[] nodes;
        int count;
        long bytes;

        Table(byte[] key) { this.key = key; }
    }

    private static final class Node {
        final byte[] field;
        byte[] value;
        final int hash;
        Node next;

        Node(byte[] field, byte[] value, int hash, Node next) {
            this.field = field;
            this.value = value;
            this.hash = hash;
            this.next = next;
        }
    }

    /** Receives one field/value pair of an iteration. */
    @FunctionalInterface
    public interface PairVisitor {
        void visit(byte[] field, byte[] value);
    }

    public HashValue(byte[] key) { rep = newRecord(key, 0, key.length, 0, -1); }

    /** A hash over a record or table (not a constructor: new HashValue(byte[]) takes a key). */
    private static HashValue of(Object rep) {
        HashValue h = new HashValue(EMPTY);
        h.rep = rep;
        return h;
    }

    private static final byte[] EMPTY = new byte[0];

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
        Table from = (Table) rep;
        Table t = new Table(newKey);
        t.expireAt = from.expireAt;
        t.clock = from.clock;
        t.count = from.count;
        t.bytes = from.bytes;
        t.nodes = new Node[from.nodes.length];
        for (int i = 0; i < t.nodes.length; i++) {
            for (Node n = from.nodes[i]; n != null; n = n.next) {
                t.nodes[i] = new Node(n.field.clone(), n.value.clone(), n.hash, t.nodes[i]);
            }
        }
        return of(t);
    }

    @Override
    public ObjectEntry rekeyed(byte[] newKey) {
        if (rep instanceof byte[] r) return of(rekeyedRecord(r, newKey));
        Table from = (Table) rep;
        Table t = new Table(newKey);
        t.expireAt = from.expireAt;
        t.clock = from.clock;
        t.count = from.count;
        t.bytes = from.bytes;
        t.nodes = from.nodes;
        return of(t);
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
        Node n = node((Table) rep, field);
        return n == null ? null : n.value;
    }

    public boolean contains(byte[] field) {
        return rep instanceof byte[] r ? lpFind(r, field) >= 0 : node((Table) rep, field) != null;
    }

    /**
     * Sets {@code field} to {@code value}; true if the field is new. Converts to a hash table
     * first when either is longer than the listpack limit, and after inserting when the hash
     * has more fields than the listpack limit, as Redis's hashTypeSet does.
     */
    public boolean set(byte[] field, byte[] value) {
        if (rep instanceof byte[] && (field.length > EncodingLimits.hashMaxListpackValue
                || value.length > EncodingLimits.hashMaxListpackValue)) {
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
            if (count > EncodingLimits.hashMaxListpackEntries) convert();
            return p < 0;
        }
        Table t = (Table) rep;
        int h = Entries.hash(field);
        int i = h & (t.nodes.length - 1);
        for (Node n = t.nodes[i]; n != null; n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) {
                t.bytes += value.length - n.value.length;
                n.value = value;
                return false;
            }
        }
        t.nodes[i] = new Node(field, value, h, t.nodes[i]);
        t.count++;
        t.bytes += NODE + field.length + value.length;
        if (t.count > t.nodes.length) rehash(t, t.nodes.length * 2);
        return true;
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
        Table t = (Table) rep;
        int h = Entries.hash(field);
        int i = h & (t.nodes.length - 1);
        Node prev = null;
        for (Node n = t.nodes[i]; n != null; prev = n, n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) {
                if (prev == null) t.nodes[i] = n.next;
                else prev.next = n.next;
                t.count--;
                t.bytes -= NODE + n.field.length + n.value.length;
                if (t.nodes.length > 4 && (long) t.count * 8 < t.nodes.length) {
                    int size = 4;
                    while (size < t.count) size <<= 1;
                    rehash(t, size);
                }
                return true;
            }
        }
        return false;
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
        for (Node head : ((Table) rep).nodes) {
            for (Node n = head; n != null; n = n.next) v.visit(n.field, n.value);
        }
    }

    /**
     * One step of a hash-table scan (Redis's reverse-binary cursor): visits one bucket and
     * returns the next cursor, 0 when done. Only for the hash-table encoding.
     */
    public long scan(long cursor, PairVisitor v) {
        Node[] table = ((Table) rep).nodes;
        long mask = table.length - 1;
        for (Node n = table[(int) (cursor & mask)]; n != null; n = n.next) v.visit(n.field, n.value);
        cursor |= ~mask;
        cursor = Long.reverse(cursor);
        cursor++;
        cursor = Long.reverse(cursor);
        return cursor;
    }

    /** A uniformly random pair as {field, value}; the hash must not be empty. */
    public byte[][] randomPair() {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        if (rep instanceof byte[] r) return pairAt(r, rnd.nextInt(size()));
        Node[] table = ((Table) rep).nodes;
        // pick a random non-empty bucket, then a random node of its chain (as Redis does)
        Node head;
        do {
            head = table[rnd.nextInt(table.length)];
        } while (head == null);
        int len = 0;
        for (Node n = head; n != null; n = n.next) len++;
        Node n = head;
        for (int k = rnd.nextInt(len); k > 0; k--) n = n.next;
        return new byte[][] {n.field, n.value};
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

    private static Node node(Table t, byte[] field) {
        int h = Entries.hash(field);
        for (Node n = t.nodes[h & (t.nodes.length - 1)]; n != null; n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) return n;
        }
        return null;
    }

    private void convert() {
        byte[] r = (byte[]) rep;
        int count = size();
        int size = 4;
        while (size < count) size <<= 1;
        Table t = new Table(key());
        t.expireAt = expireAt();
        t.clock = clock();
        t.nodes = new Node[size];
        t.bytes = BASE + 16 + 8L * size;
        rep = t;
        int p = pairsStart(r);
        while (p < r.length) {
            byte[] f = entry(r, p);
            p = skip(r, p);
            byte[] v = entry(r, p);
            p = skip(r, p);
            set(f, v);
        }
    }

    private static void rehash(Table tb, int size) {
        Node[] old = tb.nodes;
        Node[] t = new Node[size];
        int mask = t.length - 1;
        for (Node head : old) {
            Node n = head;
            while (n != null) {
                Node next = n.next;
                int i = n.hash & mask;
                n.next = t[i];
                t[i] = n;
                n = next;
            }
        }
        tb.bytes += 8L * (t.length - old.length);
        tb.nodes = t;
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

    /** Replaces the entry spanning [from, to) with {@code b}: in place when the size is the same. */
    private void replace(byte[] r, int from, int to, byte[] b) {
        int need = varLen(b.length) + b.length;
        if (need == to - from) {
            int q = writeLen(r, from, b.length);
            System.arraycopy(b, 0, r, q, b.length);
            return;
        }
        byte[] n = new byte[r.length + need - (to - from)];
        System.arraycopy(r, 0, n, 0, from);
        int q = writeLen(n, from, b.length);
        System.arraycopy(b, 0, n, q, b.length);
        System.arraycopy(r, to, n, q + b.length, r.length - to);
        rep = n;
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
