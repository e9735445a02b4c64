package io.basalt.data;

import java.util.Arrays;

/**
 * A Redis list: a growable ring buffer of element byte arrays, so pushes and pops at both ends
 * are O(1) amortised and LINDEX/LSET are O(1) by position; LINSERT/LREM/LTRIM shift elements
 * and are O(n), as Redis's quicklist ones are in the worst case.
 *
 * <p>Redis 7.0 lists are always quicklist-encoded (OBJECT ENCODING never reports anything else),
 * so there is no conversion here. The memory estimate is kept as a running sum so
 * {@link #memoryUsage()} is O(1).
 */
public final class ListValue extends ObjectEntry {
    /** Object header + fields of this entry, roughly as the JVM lays them out. */
    private static final long BASE = 48;
    /** Per-element overhead of a byte[]: array header plus alignment slack on average. */
    private static final long ELEM_OVERHEAD = 20;
    private static final byte[][] NONE = new byte[0][];

    private byte[][] ring;
    private int head;
    private int size;
    /** Sum over elements of their length + {@link #ELEM_OVERHEAD}. */
    private long elemBytes;

    public ListValue(byte[] key) {
        super(key);
        this.ring = NONE;
    }

    private ListValue(byte[] key, ListValue from, boolean share) {
        super(key);
        this.size = from.size;
        this.elemBytes = from.elemBytes;
        if (share) {
            this.ring = from.ring;
            this.head = from.head;
            from.ring = NONE;
            from.size = 0;
            from.head = 0;
            from.elemBytes = 0;
        } else {
            this.ring = new byte[Math.max(4, Integer.highestOneBit(Math.max(1, size - 1)) << 1)][];
            for (int i = 0; i < size; i++) ring[i] = from.get(i).clone();
            this.head = 0;
        }
    }

    @Override public String typeName() { return "list"; }

    @Override public String encodingName() { return "quicklist"; }

    @Override public long memoryUsage() {
        return BASE + key.length + 16 + 8L * ring.length + elemBytes;
    }

    @Override public ObjectEntry copy(byte[] newKey) { return new ListValue(newKey, this, false); }

    @Override public ObjectEntry rekeyed(byte[] newKey) { return new ListValue(newKey, this, true); }

    public int size() { return size; }

    private int slot(int i) { return (head + i) & (ring.length - 1); }

    /** The element at position {@code i} (0 = head); the caller checks the bounds. */
    public byte[] get(int i) { return ring[slot(i)]; }

    /** Replaces the element at position {@code i}. */
    public void set(int i, byte[] v) {
        int s = slot(i);
        elemBytes += v.length - ring[s].length;
        ring[s] = v;
    }

    private void grow() {
        if (size < ring.length) return;
        int cap = ring.length == 0 ? 4 : ring.length << 1;
        if (cap < 0) throw new OutOfMemoryError("list too long");
        byte[][] n = new byte[cap][];
        for (int i = 0; i < size; i++) n[i] = ring[slot(i)];
        ring = n;
        head = 0;
    }

    /** Shrinks the ring when it is mostly empty, so a drained list gives its memory back. */
    private void maybeShrink() {
        while (ring.length > 16 && size < ring.length / 4) {
            byte[][] n = new byte[ring.length >> 1][];
            for (int i = 0; i < size; i++) n[i] = ring[slot(i)];
            ring = n;
            head = 0;
        }
    }

    public void pushHead(byte[] v) {
        grow();
        head = (head - 1) & (ring.length - 1);
        ring[head] = v;
        size++;
        elemBytes += v.length + ELEM_OVERHEAD;
    }

    public void pushTail(byte[] v) {
        grow();
        ring[slot(size)] = v;
        size++;
        elemBytes += v.length + ELEM_OVERHEAD;
    }

    /** Pushes at the head ({@code head} true) or the tail. */
    public void push(byte[] v, boolean head) {
        if (head) pushHead(v); else pushTail(v);
    }

    /** Removes and returns the head element, or null when empty. */
    public byte[] popHead() {
        if (size == 0) return null;
        byte[] v = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        elemBytes -= v.length + ELEM_OVERHEAD;
        maybeShrink();
        return v;
    }

    /** Removes and returns the tail element, or null when empty. */
    public byte[] popTail() {
        if (size == 0) return null;
        int s = slot(size - 1);
        byte[] v = ring[s];
        ring[s] = null;
        size--;
        elemBytes -= v.length + ELEM_OVERHEAD;
        maybeShrink();
        return v;
    }

    public byte[] pop(boolean head) { return head ? popHead() : popTail(); }

    /** Inserts {@code v} so that it ends up at position {@code i} (0..size). */
    public void insert(int i, byte[] v) {
        if (i == 0) { pushHead(v); return; }
        if (i == size) { pushTail(v); return; }
        grow();
        // shift the tail part one slot right
        for (int j = size; j > i; j--) ring[slot(j)] = ring[slot(j - 1)];
        ring[slot(i)] = v;
        size++;
        elemBytes += v.length + ELEM_OVERHEAD;
    }

    /** Position of the first element equal to {@code v}, or -1. */
    public int indexOf(byte[] v) {
        for (int i = 0; i < size; i++) if (Arrays.equals(ring[slot(i)], v)) return i;
        return -1;
    }

    /** Whether the element at {@code i} equals {@code v}. */
    public boolean equalsAt(int i, byte[] v) { return Arrays.equals(ring[slot(i)], v); }

    /**
     * LREM: removes up to {@code count} elements equal to {@code v} (all when count is 0),
     * scanning from the tail when {@code fromTail}. Returns how many were removed. One
     * compaction pass, so removing many matches stays O(n).
     */
    public long removeMatching(byte[] v, long count, boolean fromTail) {
        long removed = 0;
        if (!fromTail) {
            int w = 0;
            for (int r = 0; r < size; r++) {
                byte[] e = ring[slot(r)];
                if ((count == 0 || removed < count) && Arrays.equals(e, v)) {
                    removed++;
                    elemBytes -= e.length + ELEM_OVERHEAD;
                } else {
                    ring[slot(w++)] = e;
                }
            }
            for (int j = w; j < size; j++) ring[slot(j)] = null;
            size = w;
        } else {
            int w = size - 1;
            for (int r = size - 1; r >= 0; r--) {
                byte[] e = ring[slot(r)];
                if ((count == 0 || removed < count) && Arrays.equals(e, v)) {
                    removed++;
                    elemBytes -= e.length + ELEM_OVERHEAD;
                } else {
                    ring[slot(w--)] = e;
                }
            }
            // elements now occupy positions w+1 .. size-1: clear the freed head part and rebase
            int drop = w + 1;
            for (int j = 0; j < drop; j++) ring[slot(j)] = null;
            if (drop > 0) {
                head = slot(drop);
                size -= drop;
            }
        }
        maybeShrink();
        return removed;
    }

    /** LTRIM: drops {@code left} elements from the head and {@code right} from the tail. */
    public void trim(long left, long right) {
        if (left + right >= size) {
            Arrays.fill(ring, null);
            head = 0;
            size = 0;
            elemBytes = 0;
            maybeShrink();
            return;
        }
        for (long i = 0; i < left; i++) popHeadNoShrink();
        for (long i = 0; i < right; i++) popTailNoShrink();
        maybeShrink();
    }

    private void popHeadNoShrink() {
        byte[] v = ring[head];
        ring[head] = null;
        head = (head + 1) & (ring.length - 1);
        size--;
        elemBytes -= v.length + ELEM_OVERHEAD;
    }

    private void popTailNoShrink() {
        int s = slot(size - 1);
        byte[] v = ring[s];
        ring[s] = null;
        size--;
        elemBytes -= v.length + ELEM_OVERHEAD;
    }
}
