package io.basalt.data;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hash key. Small hashes are a listpack: one byte[] of length-prefixed field/value entries in
 * insertion order (so iteration order matches Redis's listpack byte for byte); once a hash holds
 * more than hash-max-listpack-entries fields, or a field/value longer than hash-max-listpack-value
 * is written, it becomes a chained hash table for good (Redis never converts back).
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

    // listpack encoding (lp != null)
    private byte[] lp;
    private int used;

    // hashtable encoding (table != null)
    private Node[] table;

    private int count;
    private long bytes;

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

    public HashValue(byte[] key) {
        super(key);
        lp = new byte[32];
        bytes = BASE + 16 + lp.length;
    }

    private HashValue(byte[] key, HashValue from) {
        super(key);
        count = from.count;
        bytes = from.bytes;
        if (from.lp != null) {
            lp = Arrays.copyOf(from.lp, from.lp.length);
            used = from.used;
        } else {
            table = new Node[from.table.length];
            for (int i = 0; i < table.length; i++) {
                for (Node n = from.table[i]; n != null; n = n.next) {
                    table[i] = new Node(n.field.clone(), n.value.clone(), n.hash, table[i]);
                }
            }
        }
    }

    @Override public String typeName() { return "hash"; }

    @Override public String encodingName() { return lp != null ? "listpack" : "hashtable"; }

    /** The running estimate of the contents plus the key (an array of its own). */
    @Override public long memoryUsage() { return bytes + 16 + key.length; }

    @Override public ObjectEntry copy(byte[] newKey) { return new HashValue(newKey, this); }

    @Override
    public ObjectEntry rekeyed(byte[] newKey) {
        HashValue h = new HashValue(newKey);
        h.lp = lp;
        h.used = used;
        h.table = table;
        h.count = count;
        h.bytes = bytes;
        return h;
    }

    public int size() { return count; }

    public boolean isListpack() { return lp != null; }

    // ---------------------------------------------------------------- operations

    /** The value of {@code field}, or null. */
    public byte[] get(byte[] field) {
        if (lp != null) {
            int p = lpFind(field);
            if (p < 0) return null;
            p = skip(p);
            return entry(p);
        }
        Node n = node(field);
        return n == null ? null : n.value;
    }

    public boolean contains(byte[] field) {
        return lp != null ? lpFind(field) >= 0 : node(field) != null;
    }

    /**
     * Sets {@code field} to {@code value}; true if the field is new. Converts to a hash table
     * first when either is longer than the listpack limit, and after inserting when the hash
     * has more fields than the listpack limit, as Redis's hashTypeSet does.
     */
    public boolean set(byte[] field, byte[] value) {
        if (lp != null && (field.length > EncodingLimits.hashMaxListpackValue
                || value.length > EncodingLimits.hashMaxListpackValue)) {
            convert();
        }
        if (lp != null) {
            int p = lpFind(field);
            if (p >= 0) {
                int vp = skip(p);
                int vend = skip(vp);
                replace(vp, vend, value);
            } else {
                append(field);
                append(value);
                count++;
            }
            // checked on updates too: a limit lowered by CONFIG SET converts on the next write
            if (count > EncodingLimits.hashMaxListpackEntries) convert();
            return p < 0;
        }
        int h = Entries.hash(field);
        int i = h & (table.length - 1);
        for (Node n = table[i]; n != null; n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) {
                bytes += value.length - n.value.length;
                n.value = value;
                return false;
            }
        }
        table[i] = new Node(field, value, h, table[i]);
        count++;
        bytes += NODE + field.length + value.length;
        if (count > table.length) grow();
        return true;
    }

    /** Removes {@code field}; true if it was there. */
    public boolean delete(byte[] field) {
        if (lp != null) {
            int p = lpFind(field);
            if (p < 0) return false;
            int end = skip(skip(p));
            System.arraycopy(lp, end, lp, p, used - end);
            used -= end - p;
            count--;
            return true;
        }
        int h = Entries.hash(field);
        int i = h & (table.length - 1);
        Node prev = null;
        for (Node n = table[i]; n != null; prev = n, n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) {
                if (prev == null) table[i] = n.next;
                else prev.next = n.next;
                count--;
                bytes -= NODE + n.field.length + n.value.length;
                if (table.length > 4 && (long) count * 8 < table.length) {
                    int size = 4;
                    while (size < count) size <<= 1;
                    rehash(size);
                }
                return true;
            }
        }
        return false;
    }

    /** Visits every pair: listpack in insertion order, hash table in bucket order. */
    public void forEach(PairVisitor v) {
        if (lp != null) {
            int p = 0;
            while (p < used) {
                byte[] f = entry(p);
                p = skip(p);
                byte[] val = entry(p);
                p = skip(p);
                v.visit(f, val);
            }
            return;
        }
        for (Node head : table) {
            for (Node n = head; n != null; n = n.next) v.visit(n.field, n.value);
        }
    }

    /**
     * One step of a hash-table scan (Redis's reverse-binary cursor): visits one bucket and
     * returns the next cursor, 0 when done. Only for the hash-table encoding.
     */
    public long scan(long cursor, PairVisitor v) {
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
        if (lp != null) return pairAt(rnd.nextInt(count));
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
        byte[][][] out = new byte[count][][];
        int[] k = {0};
        forEach((f, v) -> out[k[0]++] = new byte[][] {f, v});
        return out;
    }

    private byte[][] pairAt(int index) {
        int p = 0;
        for (int k = 0; k < index; k++) p = skip(skip(p));
        byte[] f = entry(p);
        return new byte[][] {f, entry(skip(p))};
    }

    // ---------------------------------------------------------------- hash table

    private Node node(byte[] field) {
        int h = Entries.hash(field);
        for (Node n = table[h & (table.length - 1)]; n != null; n = n.next) {
            if (n.hash == h && Arrays.equals(n.field, field)) return n;
        }
        return null;
    }

    private void convert() {
        byte[] old = lp;
        int oldUsed = used;
        int size = 4;
        while (size < count) size <<= 1;
        table = new Node[size];
        bytes = BASE + 16 + 8L * size;
        lp = null;
        used = 0;
        count = 0;
        int p = 0;
        while (p < oldUsed) {
            int fl = readLen(old, p);
            p += varLen(fl);
            byte[] f = Arrays.copyOfRange(old, p, p + fl);
            p += fl;
            int vl = readLen(old, p);
            p += varLen(vl);
            byte[] v = Arrays.copyOfRange(old, p, p + vl);
            p += vl;
            set(f, v);
        }
    }

    private void grow() { rehash(table.length * 2); }

    private void rehash(int size) {
        Node[] old = table;
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
        bytes += 8L * (t.length - old.length);
        table = t;
    }

    // ---------------------------------------------------------------- listpack

    /** Offset of the field entry equal to {@code field}, or -1. */
    private int lpFind(byte[] field) {
        int p = 0;
        while (p < used) {
            int len = readLen(lp, p);
            int s = p + varLen(len);
            if (len == field.length && Arrays.equals(lp, s, s + len, field, 0, len)) return p;
            p = skip(s + len); // past the value that follows the field
        }
        return -1;
    }

    /** Offset just past the entry at {@code p}. */
    private int skip(int p) {
        int len = readLen(lp, p);
        return p + varLen(len) + len;
    }

    private byte[] entry(int p) {
        int len = readLen(lp, p);
        int s = p + varLen(len);
        return Arrays.copyOfRange(lp, s, s + len);
    }

    private void append(byte[] b) {
        int need = varLen(b.length) + b.length;
        ensure(used + need);
        used = writeLen(lp, used, b.length);
        System.arraycopy(b, 0, lp, used, b.length);
        used += b.length;
    }

    /** Replaces the entry spanning [from, to) with {@code b}. */
    private void replace(int from, int to, byte[] b) {
        int need = varLen(b.length) + b.length;
        int delta = need - (to - from);
        ensure(used + delta);
        System.arraycopy(lp, to, lp, to + delta, used - to);
        int q = writeLen(lp, from, b.length);
        System.arraycopy(b, 0, lp, q, b.length);
        used += delta;
    }

    private void ensure(int capacity) {
        if (capacity <= lp.length) return;
        resize(Math.max(capacity, lp.length + (lp.length >> 1)));
    }

    private void resize(int n) {
        bytes += n - lp.length;
        lp = Arrays.copyOf(lp, n);
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
