package io.basalt.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A Redis list, laid out like Redis's quicklist: a doubly linked list of nodes, each node one
 * byte[] of packed entries. An entry is {@code varint(len) bytes reverse-varint(len)}, so a node
 * can be walked from either end (the trailing length plays the role of listpack's backlen), and
 * a short element costs its length plus two bytes instead of a byte[] object and a reference.
 *
 * <p>Each node keeps free room on both sides of its entries ({@code buf[start, end)} is used), so
 * pushes and pops at both ends are O(1) amortised. Nodes fill up to the list-max-listpack-size
 * limit in force when they are written (entry count when positive, 4KB..64KB when negative, as
 * Redis's quicklist does), then a new node starts. The list keeps no reference to those
 * settings (a field per list): every operation that may fill or compress nodes takes the
 * {@link EncodingLimits} of the keyspace the list lives in. Positional operations (LINDEX, LSET, LINSERT)
 * walk the nodes from the nearer end, as in Redis.
 *
 * <p>With list-compress-depth N > 0, nodes more than N nodes away from both ends are kept
 * deflated (Redis uses LZF; the effect, interior nodes of long lists taking less memory, is the
 * same). A compressed node is inflated when an operation reaches it and deflated again when the
 * operation ends, as Redis's quicklist does; nodes under 48 bytes, or that would not shrink by 8
 * bytes, stay raw. The one walk without limits, {@link #forEach(int, int, boolean, EntryVisitor)}
 * (persistence: RDB, AOF rewrite), deflates again exactly the nodes it inflated, so it leaves the
 * list, and its size, as it found it.
 *
 * <p>Redis 7.0 lists are always quicklist-encoded (OBJECT ENCODING never reports anything else),
 * so there is no conversion. The memory estimate is a running sum, so {@link #memoryUsage()} is
 * O(1).
 */
public final class ListValue extends FieldEntry {
    /** Object header and fields of this entry. */
    private static final long BASE = 56;
    /** A node object plus its byte[] header. */
    private static final long NODE_OVERHEAD = 56;
    /** Redis's SIZE_SAFETY_LIMIT: a count-limited node still stops growing at 8KB. */
    private static final int SIZE_SAFETY_LIMIT = 8192;

    /** Receives entries in place; returns false to stop the walk. */
    public interface EntryVisitor {
        boolean visit(byte[] buf, int off, int len);
    }

    /** Redis's MIN_COMPRESS_BYTES: smaller nodes are not worth compressing. */
    private static final int MIN_COMPRESS_BYTES = 48;
    private static final ThreadLocal<Deflater> DEFLATER =
            ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));
    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(() -> new Inflater(true));

    private static final class Node {
        Node prev, next;
        /** The entries, buf[start, end); null while the node is compressed. */
        byte[] buf;
        /** The deflated entries while compressed (then start = 0 and end = raw length). */
        byte[] packed;
        int start, end, count;
        /** Set when the node is within the uncompressed ends, for the current {@link #settle}. */
        int mark;
        boolean dead;
        /** Deflating did not pay off; not retried until the node is written again. */
        boolean tried;

        int used() { return end - start; }
    }

    /** A position: entry {@code k} of node {@code n}, whose encoding starts at {@code off}. */
    private static final class Pos {
        Node n;
        int off;
        int k;
    }

    private Node head, tail;
    private int size;
    /** Sum over nodes of NODE_OVERHEAD + buf.length (or packed.length). */
    private long nodeBytes;
    private int nodes;
    private int epoch;
    /** Nodes inflated during the current operation, to deflate again when it ends. */
    private ArrayList<Node> touched;

    public ListValue(byte[] key) { super(key); }

    @Override public String typeName() { return "list"; }

    @Override public String encodingName() { return "quicklist"; }

    @Override public long memoryUsage() { return BASE + key.length + nodeBytes; }

    @Override public ObjectEntry copy(byte[] newKey) {
        ListValue c = new ListValue(newKey);
        for (Node n = head; n != null; n = n.next) {
            Node m = new Node();
            if (n.packed != null) {
                m.packed = n.packed.clone();
                m.end = n.end;
            } else {
                m.buf = Arrays.copyOfRange(n.buf, n.start, n.end);
                m.end = m.buf.length;
            }
            m.count = n.count;
            c.linkAfter(c.tail, m);
        }
        c.size = size;
        return c;
    }

    /**
     * Hands the nodes over without copying. The old entry keeps its counters (RENAME removes it
     * from the table after this, un-accounting it by its size) and must not be used again.
     */
    @Override public ObjectEntry rekeyed(byte[] newKey) {
        ListValue c = new ListValue(newKey);
        c.head = head;
        c.tail = tail;
        c.size = size;
        c.nodeBytes = nodeBytes;
        c.nodes = nodes;
        return c;
    }

    public int size() { return size; }

    // ---------------------------------------------------------------- entry encoding

    static int varLen(int n) {
        if (n < (1 << 7)) return 1;
        if (n < (1 << 14)) return 2;
        if (n < (1 << 21)) return 3;
        if (n < (1 << 28)) return 4;
        return 5;
    }

    static int entrySize(int len) { return 2 * varLen(len) + len; }

    /** Writes the entry for {@code v} at {@code p}; returns the offset after it. */
    private static int writeEntry(byte[] b, int p, byte[] v) {
        int n = v.length;
        int k = varLen(n);
        for (int i = 0; i < k; i++) b[p + i] = (byte) (((n >>> (7 * i)) & 0x7f) | (i < k - 1 ? 0x80 : 0));
        p += k;
        System.arraycopy(v, 0, b, p, n);
        p += n;
        // the same groups mirrored, so a backward reader meets the low group first
        for (int i = 0; i < k; i++) b[p + k - 1 - i] = (byte) (((n >>> (7 * i)) & 0x7f) | (i < k - 1 ? 0x80 : 0));
        return p + k;
    }

    /** Length of the element whose entry starts at {@code p}. */
    private static int lenAt(byte[] b, int p) {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[p++] & 0xff;
            n |= (x & 0x7f) << shift;
            if (x < 0x80) return n;
        }
    }

    /** Length of the element whose entry ends just before {@code e}. */
    private static int lenBefore(byte[] b, int e) {
        int n = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[--e] & 0xff;
            n |= (x & 0x7f) << shift;
            if (x < 0x80) return n;
        }
    }

    // ---------------------------------------------------------------- nodes

    private void linkAfter(Node at, Node n) {
        n.prev = at;
        n.next = at == null ? head : at.next;
        if (n.next != null) n.next.prev = n; else tail = n;
        if (at != null) at.next = n; else head = n;
        nodeBytes += footprint(n);
        nodes++;
    }

    private static long footprint(Node n) {
        return NODE_OVERHEAD + (n.packed != null ? n.packed.length : n.buf.length);
    }

    private void unlink(Node n) {
        if (n.prev != null) n.prev.next = n.next; else head = n.next;
        if (n.next != null) n.next.prev = n.prev; else tail = n.prev;
        nodeBytes -= footprint(n);
        nodes--;
        n.dead = true;
    }

    // ---------------------------------------------------------------- compression

    /**
     * Inflates a compressed node before an operation reads or writes it, and queues it for the
     * end of the operation ({@link #settle} or {@link #restore}).
     */
    private void open(Node n) {
        if (n.packed == null) return;
        byte[] raw = new byte[n.end];
        Inflater inf = INFLATER.get();
        inf.reset();
        inf.setInput(n.packed);
        try {
            int got = 0;
            while (got < raw.length) {
                int k = inf.inflate(raw, got, raw.length - got);
                if (k == 0 && (inf.finished() || inf.needsInput())) break;
                got += k;
            }
            if (got != raw.length) throw new IllegalStateException("corrupt list node");
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt list node", e);
        }
        nodeBytes += raw.length - n.packed.length;
        n.buf = raw;
        n.packed = null;
        n.start = 0;
        n.tried = false;
        queue(n);
    }

    /** Queues a raw node for {@link #settle}, which deflates it if it lies in the interior. */
    private void touch(Node n, EncodingLimits limits) {
        n.tried = false;
        if (limits.listCompressDepth > 0) queue(n);
    }

    private void queue(Node n) {
        if (touched == null) touched = new ArrayList<>(4);
        touched.add(n);
    }

    /** Deflates a raw interior node when that saves memory. */
    private void compress(Node n) {
        if (n.packed != null || n.dead || n.tried) return;
        int used = n.used();
        if (used < MIN_COMPRESS_BYTES) return;
        n.tried = true; // cleared by a successful deflate or the next write
        Deflater d = DEFLATER.get();
        d.reset();
        d.setInput(n.buf, n.start, used);
        d.finish();
        byte[] tmp = new byte[used - 8];
        int k = d.deflate(tmp);
        if (!d.finished()) return; // would not shrink by 8 bytes
        n.tried = false;
        byte[] out = Arrays.copyOf(tmp, k);
        nodeBytes += out.length - n.buf.length;
        n.packed = out;
        n.buf = null;
        n.start = 0;
        n.end = used;
    }

    /**
     * Ends an operation: with list-compress-depth N, the node just inside the N uncompressed
     * nodes at each end and every node inflated by the operation are deflated again (a list of
     * fewer than 2N nodes stays raw, as in Redis).
     */
    private void settle(EncodingLimits limits) {
        long depth = limits.listCompressDepth;
        if (depth <= 0 || nodes < depth * 2) {
            if (touched != null) touched.clear();
            return;
        }
        int e = ++epoch;
        Node h = head, t = tail;
        for (long i = 0; i < depth; i++) {
            h.mark = e;
            h = h.next;
            t.mark = e;
            t = t.prev;
        }
        if (h != null && h.mark != e) compress(h);
        if (t != null && t.mark != e) compress(t);
        if (touched != null) {
            for (Node n : touched) if (n.mark != e) compress(n);
            touched.clear();
        }
    }

    /**
     * Ends a walk that was given no limits: deflates again the nodes it inflated (they were
     * compressed before it, their content has not changed, so they deflate to the same bytes).
     */
    private void restore() {
        if (touched == null) return;
        for (Node n : touched) compress(n);
        touched.clear();
    }

    /** Whether the node is deflated (for tests). */
    int compressedNodes() {
        int c = 0;
        for (Node n = head; n != null; n = n.next) if (n.packed != null) c++;
        return c;
    }

    /** Whether a node may take {@code add} more bytes under list-max-listpack-size. */
    private static boolean fits(Node n, int add, EncodingLimits limits) {
        long fill = limits.listMaxListpackSize;
        long newUsed = (long) n.used() + add;
        if (fill >= 0) return n.count < fill && newUsed <= SIZE_SAFETY_LIMIT;
        int level = (int) Math.min(5, -fill) - 1;
        return newUsed <= (4096L << level);
    }

    /** A fresh node with room for {@code es} bytes, its free room on the side it grows from. */
    private static Node newNode(int es, boolean growsAtHead) {
        return newNode(es, growsAtHead, es + 16);
    }

    /**
     * The node a push opens beside a full end node: sized for a whole node at once, since pushes
     * at that end will fill it too (growing it from one entry by halves copied it ~10 times over:
     * 5% of LPUSH's time). Only the two end nodes of a list can be partly empty.
     */
    private static Node newEndNode(int es, boolean growsAtHead, EncodingLimits limits) {
        long fill = limits.listMaxListpackSize;
        long bytes = fill >= 0 ? Math.min((long) es * fill, SIZE_SAFETY_LIMIT) : 4096L << ((int) Math.min(5, -fill) - 1);
        return newNode(es, growsAtHead, (int) Math.max(es + 16, Math.min(bytes, 1 << 16)));
    }

    private static Node newNode(int es, boolean growsAtHead, int capacity) {
        Node n = new Node();
        n.buf = new byte[capacity];
        n.start = n.end = growsAtHead ? n.buf.length : 0;
        return n;
    }

    /**
     * Reallocates {@code n} with {@code need} free bytes on one side (head or tail) and some slack
     * on both, so alternating pushes at both ends of a one-node list do not copy every time.
     */
    private void regrow(Node n, int need, boolean atHead) {
        int used = n.used();
        int extra = Math.max(used / 2, 32);
        int cap = used + need + extra;
        byte[] b = new byte[cap];
        int s = atHead ? need + extra / 2 : extra / 2;
        System.arraycopy(n.buf, n.start, b, s, used);
        nodeBytes += cap - n.buf.length;
        n.buf = b;
        n.start = s;
        n.end = s + used;
    }

    /**
     * Replaces {@code remove} bytes at {@code off} of node {@code n} with the entry of {@code v}
     * (when non-null), shifting the rest of the node.
     */
    private void splice(Node n, int off, int remove, byte[] v) {
        int es = v == null ? 0 : entrySize(v.length);
        int delta = es - remove;
        if (delta > 0 && n.buf.length - n.end < delta) {
            int rel = off - n.start;
            regrow(n, delta, false);
            off = n.start + rel;
        }
        System.arraycopy(n.buf, off + remove, n.buf, off + es, n.end - off - remove);
        n.end += delta;
        if (v != null) writeEntry(n.buf, off, v);
    }

    /** The position of entry {@code i} (0 <= i < size), walking from the nearer end. */
    private Pos locate(int i) {
        Pos p = new Pos();
        Node n;
        int base;
        if (i < size / 2) {
            n = head;
            base = 0;
            while (i >= base + n.count) {
                base += n.count;
                n = n.next;
            }
        } else {
            n = tail;
            base = size - n.count;
            while (i < base) {
                n = n.prev;
                base -= n.count;
            }
        }
        open(n);
        int k = i - base;
        int off;
        if (k <= n.count / 2) {
            off = n.start;
            for (int j = 0; j < k; j++) off += entrySize(lenAt(n.buf, off));
        } else {
            int e = n.end;
            for (int j = n.count; j > k; j--) e -= entrySize(lenBefore(n.buf, e));
            off = e;
        }
        p.n = n;
        p.off = off;
        p.k = k;
        return p;
    }

    private static byte[] valueAt(byte[] b, int off) {
        int len = lenAt(b, off);
        int d = off + varLen(len);
        return Arrays.copyOfRange(b, d, d + len);
    }

    // ---------------------------------------------------------------- operations

    public void pushHead(byte[] v, EncodingLimits limits) {
        int es = entrySize(v.length);
        Node n = head;
        if (n == null || !fits(n, es, limits)) {
            n = n == null ? newNode(es, true) : newEndNode(es, true, limits);
            linkAfter(null, n);
        } else {
            open(n);
            n.tried = false;
            if (n.start < es) regrow(n, es, true);
        }
        n.start -= es;
        writeEntry(n.buf, n.start, v);
        n.count++;
        size++;
        settle(limits);
    }

    public void pushTail(byte[] v, EncodingLimits limits) {
        int es = entrySize(v.length);
        Node n = tail;
        if (n == null || !fits(n, es, limits)) {
            n = n == null ? newNode(es, false) : newEndNode(es, false, limits);
            linkAfter(tail, n);
        } else {
            open(n);
            n.tried = false;
            if (n.buf.length - n.end < es) regrow(n, es, false);
        }
        n.end = writeEntry(n.buf, n.end, v);
        n.count++;
        size++;
        settle(limits);
    }

    /** Pushes at the head ({@code atHead} true) or the tail. */
    public void push(byte[] v, boolean atHead, EncodingLimits limits) {
        if (atHead) pushHead(v, limits); else pushTail(v, limits);
    }

    /** Removes and returns the head element, or null when empty. */
    public byte[] popHead(EncodingLimits limits) {
        Node n = head;
        if (n == null) return null;
        open(n);
        byte[] v = valueAt(n.buf, n.start);
        n.start += entrySize(v.length);
        if (--n.count == 0) unlink(n);
        size--;
        settle(limits);
        return v;
    }

    /** Removes and returns the tail element, or null when empty. */
    public byte[] popTail(EncodingLimits limits) {
        Node n = tail;
        if (n == null) return null;
        open(n);
        int len = lenBefore(n.buf, n.end);
        int s = n.end - entrySize(len);
        byte[] v = valueAt(n.buf, s);
        n.end = s;
        if (--n.count == 0) unlink(n);
        size--;
        settle(limits);
        return v;
    }

    public byte[] pop(boolean atHead, EncodingLimits limits) { return atHead ? popHead(limits) : popTail(limits); }

    /** The element at position {@code i} (0 = head), copied; the caller checks the bounds. */
    public byte[] get(int i, EncodingLimits limits) {
        Pos p = locate(i);
        byte[] v = valueAt(p.n.buf, p.off);
        settle(limits);
        return v;
    }

    /** Replaces the element at position {@code i}; the caller checks the bounds. */
    public void set(int i, byte[] v, EncodingLimits limits) {
        Pos p = locate(i);
        int old = entrySize(lenAt(p.n.buf, p.off));
        splice(p.n, p.off, old, v);
        touch(p.n, limits);
        settle(limits);
    }

    /** Inserts {@code v} so that it ends up at position {@code i} (0..size). */
    public void insert(int i, byte[] v, EncodingLimits limits) {
        if (i == 0) { pushHead(v, limits); return; }
        if (i == size) { pushTail(v, limits); return; }
        Pos p = locate(i);
        Node n = p.n;
        int es = entrySize(v.length);
        if (fits(n, es, limits)) {
            splice(n, p.off, 0, v);
            n.count++;
            touch(n, limits);
        } else {
            // split the full node at the insertion point; the new element joins whichever half
            // has room, or gets a node of its own between them
            Node right = null;
            if (p.off < n.end) {
                right = new Node();
                right.buf = Arrays.copyOfRange(n.buf, p.off, n.end);
                right.end = right.buf.length;
                right.count = n.count - p.k;
                n.count = p.k;
                n.end = p.off;
                linkAfter(n, right);
                touch(right, limits);
            }
            if (n.count > 0 && fits(n, es, limits)) {
                if (n.buf.length - n.end < es) regrow(n, es, false);
                n.end = writeEntry(n.buf, n.end, v);
                n.count++;
            } else {
                Node m = newNode(es, false);
                m.end = writeEntry(m.buf, 0, v);
                m.count = 1;
                linkAfter(n, m);
                touch(m, limits);
            }
            if (n.count == 0) unlink(n);
        }
        size++;
        settle(limits);
    }

    /**
     * Visits entries {@code from..to} (inclusive, 0 <= from <= to < size) in place, from the
     * tail end when {@code reverse}; as a command's read, it ends like any operation (with
     * list-compress-depth set, nodes it reached in the interior are deflated).
     */
    public void forEach(int from, int to, boolean reverse, EncodingLimits limits, EntryVisitor visitor) {
        try {
            walk(from, to, reverse, visitor);
        } finally {
            settle(limits);
        }
    }

    /**
     * {@link #forEach(int, int, boolean, EncodingLimits, EntryVisitor)} for readers outside the
     * command path (RDB, AOF rewrite): leaves the list as it found it, compressed nodes
     * compressed, so its accounted size does not change under a snapshot's walk.
     */
    public void forEach(int from, int to, boolean reverse, EntryVisitor visitor) {
        try {
            walk(from, to, reverse, visitor);
        } finally {
            restore();
        }
    }

    private void walk(int from, int to, boolean reverse, EntryVisitor visitor) {
        if (!reverse) {
            Pos p = locate(from);
            Node n = p.n;
            int off = p.off;
            for (int i = from; i <= to; i++) {
                if (off == n.end) {
                    n = n.next;
                    open(n);
                    off = n.start;
                }
                int len = lenAt(n.buf, off);
                int d = off + varLen(len);
                if (!visitor.visit(n.buf, d, len)) return;
                off = d + len + varLen(len);
            }
        } else {
            Pos p = locate(to);
            Node n = p.n;
            int off = p.off;
            for (int i = to; ; ) {
                int len = lenAt(n.buf, off);
                if (!visitor.visit(n.buf, off + varLen(len), len)) return;
                if (--i < from) return;
                if (off == n.start) {
                    n = n.prev;
                    open(n);
                    off = n.end;
                }
                off -= entrySize(lenBefore(n.buf, off));
            }
        }
    }

    /** Position of the first element equal to {@code v}, or -1. */
    public int indexOf(byte[] v, EncodingLimits limits) {
        if (size == 0) return -1;
        int[] found = {-1};
        int[] i = {0};
        forEach(0, size - 1, false, limits, (b, off, len) -> {
            if (Arrays.equals(b, off, off + len, v, 0, v.length)) {
                found[0] = i[0];
                return false;
            }
            i[0]++;
            return true;
        });
        return found[0];
    }

    /**
     * LREM: removes up to {@code count} elements equal to {@code v} (all when count is 0),
     * scanning from the tail when {@code fromTail}. Returns how many were removed. The list is
     * repacked in one pass when anything matches.
     */
    public long removeMatching(byte[] v, long count, boolean fromTail, EncodingLimits limits) {
        if (size == 0 || indexOf(v, limits) < 0) return 0;
        List<byte[]> all = new ArrayList<>(size);
        forEach(0, size - 1, false, limits, (b, off, len) -> all.add(Arrays.copyOfRange(b, off, off + len)));
        long removed = 0;
        if (fromTail) {
            for (int i = all.size() - 1; i >= 0 && (count == 0 || removed < count); i--) {
                if (Arrays.equals(all.get(i), v)) {
                    all.set(i, null);
                    removed++;
                }
            }
        } else {
            for (int i = 0; i < all.size() && (count == 0 || removed < count); i++) {
                if (Arrays.equals(all.get(i), v)) {
                    all.set(i, null);
                    removed++;
                }
            }
        }
        clear();
        for (byte[] e : all) if (e != null) pushTail(e, limits);
        return removed;
    }

    /** LTRIM: drops {@code left} elements from the head and {@code right} from the tail. */
    public void trim(long left, long right, EncodingLimits limits) {
        if (left + right >= size) {
            clear();
            return;
        }
        while (left > 0 && left >= head.count) {
            left -= head.count;
            size -= head.count;
            unlink(head);
        }
        for (; left > 0; left--) popHead(limits);
        while (right > 0 && right >= tail.count) {
            right -= tail.count;
            size -= tail.count;
            unlink(tail);
        }
        for (; right > 0; right--) popTail(limits);
        settle(limits);
    }

    private void clear() {
        head = tail = null;
        size = 0;
        nodes = 0;
        nodeBytes = 0;
        if (touched != null) touched.clear();
    }

    /** Number of quicklist nodes (for tests). */
    int nodeCount() {
        int c = 0;
        for (Node n = head; n != null; n = n.next) c++;
        return c;
    }
}
