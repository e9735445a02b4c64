package io.basalt.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;

/**
 * A sorted set, ordered by (score, member bytes) like Redis. Small sets are kept compact, like
 * Redis's "listpack": ONE byte[] of consecutive entries {@code [varint length][member][8-byte
 * score]} in order, searched by linear scans exactly as listpack is (cheap at these sizes, and
 * one object instead of one per member). Past zset-max-listpack-entries entries or a member
 * longer than zset-max-listpack-value bytes the set becomes a {@link ZSetTree} (an order-statistic
 * B+tree of packed leaves plus a member index; what Redis calls "skiplist", and OBJECT ENCODING
 * says so), and never converts back, as in 7.0.
 *
 * <p>Everything is addressed by rank (0 = lowest), so range commands compute a rank interval
 * and walk it.
 */
public final class ZSetValue extends FieldEntry {
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long BASE = 64;

    // compact encoding: entries in lp[0, used), n of them
    private byte[] lp;
    private int used;
    private int n;
    // skiplist encoding (null while compact)
    private ZSetTree list;

    private ZSetValue(byte[] key) { super(key); }

    /**
     * Redis's zsetTypeCreate: compact unless the expected size or the longest member already
     * exceeds the thresholds ({@code limits}: those of the keyspace it will be stored in).
     */
    public static ZSetValue create(byte[] key, long sizeHint, long maxLenHint, EncodingLimits limits) {
        ZSetValue z = new ZSetValue(key);
        if (sizeHint <= limits.zsetMaxListpackEntries && maxLenHint <= limits.zsetMaxListpackValue) {
            z.lp = new byte[(int) Math.min(Math.max(16, sizeHint * (maxLenHint + 10)), 4096)];
        } else {
            z.list = new ZSetTree();
        }
        return z;
    }

    @Override public String typeName() { return "zset"; }

    @Override public String encodingName() { return list == null ? "listpack" : "skiplist"; }

    public boolean isCompact() { return list == null; }

    @Override
    public long memoryUsage() {
        if (list == null) return BASE + 16 + lp.length;
        return BASE + list.memoryUsage();
    }

    @Override
    public ObjectEntry copy(byte[] newKey) {
        ZSetValue z = new ZSetValue(newKey);
        if (list == null) {
            z.lp = Arrays.copyOf(lp, Math.max(16, used));
            z.used = used;
            z.n = n;
        } else {
            ZSetTree t = new ZSetTree();
            if (list.size() > 0) list.walk(0, list.size() - 1, false, t::insert); // ascending: leaves fill up
            z.list = t;
        }
        return z;
    }

    @Override
    public ObjectEntry rekeyed(byte[] newKey) {
        ZSetValue z = new ZSetValue(newKey);
        z.lp = lp;
        z.used = used;
        z.n = n;
        z.list = list;
        return z;
    }

    public int size() { return list == null ? n : list.size(); }

    /** The member's score, or null if absent. */
    public Double score(byte[] member) {
        if (list != null) return list.score(member);
        int p = find(member);
        return p < 0 ? null : scoreAt(p);
    }

    /**
     * Sets the member's score, inserting it if absent (converting to the skiplist first when
     * the insert would cross a threshold of {@code limits}, as zsetAdd does). Returns true if it
     * was inserted.
     */
    public boolean put(byte[] member, double score, EncodingLimits limits) {
        if (list == null) {
            int p = find(member);
            if (p >= 0) {
                if (scoreAt(p) == score) return false;
                removeEntries(p, next(p), 1);
                insertCompact(member, score);
                return false;
            }
            if (n + 1 > limits.zsetMaxListpackEntries || member.length > limits.zsetMaxListpackValue) {
                convertToSkipList();
            } else {
                insertCompact(member, score);
                return true;
            }
        }
        if (list.find(member)) {
            if (list.foundScore() != score) list.update(member, score);
            return false;
        }
        list.insert(member, score);
        return true;
    }

    /** Removes the member; returns whether it was there. */
    public boolean remove(byte[] member) {
        if (list != null) {
            if (!list.delete(member)) return false;
        } else {
            int p = find(member);
            if (p < 0) return false;
            removeEntries(p, next(p), 1);
        }
        return true;
    }

    /** The member's 0-based ascending rank, or -1 if absent. */
    public long rank(byte[] member) {
        if (list != null) return list.rank(member);
        int r = 0;
        for (int p = 0; p < used; p = next(p), r++) if (memberEquals(p, member)) return r;
        return -1;
    }

    /** Number of entries whose score is below v (or at most v when inclusive). */
    public int countBelow(double v, boolean inclusive) {
        if (list != null) return list.countBelow(v, inclusive);
        int r = 0;
        for (int p = 0; p < used; p = next(p), r++) {
            double s = scoreAt(p);
            if (!(s < v || (inclusive && s == v))) break;
        }
        return r;
    }

    /**
     * Number of leading entries whose member sorts below v (or at most v when inclusive); v null
     * with {@code plusInf} false means "-", true means "+". Meaningful when all scores are equal,
     * as ZRANGEBYLEX requires.
     */
    public int countBelowLex(byte[] v, boolean inclusive, boolean plusInf) {
        if (v == null) return plusInf ? size() : 0;
        if (list != null) return list.countBelowLex(v, inclusive);
        int r = 0;
        for (int p = 0; p < used; p = next(p), r++) {
            int ms = memberStart(p);
            int c = Arrays.compareUnsigned(lp, ms, ms + memberLen(p), v, 0, v.length);
            if (!(c < 0 || (inclusive && c == 0))) break;
        }
        return r;
    }

    /** Receives entries during a walk. */
    public interface Visitor {
        void visit(byte[] member, double score);
    }

    /**
     * Visits ranks start..end (inclusive, 0 <= start <= end < size), descending when rev. The
     * member arrays passed are fresh copies in both encodings (callers may keep them).
     */
    public void walk(int start, int end, boolean rev, Visitor v) {
        if (list == null) {
            if (end < start) return;
            int p = offsetOf(start);
            if (!rev) {
                for (int r = start; r <= end; r++, p = next(p)) v.visit(memberAt(p), scoreAt(p));
                return;
            }
            int[] offs = new int[end - start + 1];
            for (int k = 0; k < offs.length; k++, p = next(p)) offs[k] = p;
            for (int k = offs.length - 1; k >= 0; k--) v.visit(memberAt(offs[k]), scoreAt(offs[k]));
            return;
        }
        list.walk(start, end, rev, v);
    }

    /** Removes the entries of ranks start..end; returns how many. */
    public int removeRange(int start, int end) {
        int count = end - start + 1;
        if (list == null) {
            int from = offsetOf(start);
            int to = from;
            for (int k = 0; k < count; k++) to = next(to);
            removeEntries(from, to, count);
            return count;
        }
        list.removeRange(start, end);
        return count;
    }

    // ------------------------------------------------------------------ compact internals

    private int memberLen(int p) {
        int v = 0, shift = 0;
        while (true) {
            byte b = lp[p++];
            v |= (b & 0x7f) << shift;
            if (b >= 0) return v;
            shift += 7;
        }
    }

    private int memberStart(int p) {
        while (lp[p] < 0) p++;
        return p + 1;
    }

    private int next(int p) {
        return memberStart(p) + memberLen(p) + 8;
    }

    private double scoreAt(int p) {
        return (double) DOUBLE.get(lp, memberStart(p) + memberLen(p));
    }

    private byte[] memberAt(int p) {
        int ms = memberStart(p);
        return Arrays.copyOfRange(lp, ms, ms + memberLen(p));
    }

    private boolean memberEquals(int p, byte[] member) {
        int len = memberLen(p);
        if (len != member.length) return false;
        int ms = memberStart(p);
        return Arrays.equals(lp, ms, ms + len, member, 0, len);
    }

    /** Byte offset of the member's entry, or -1. */
    private int find(byte[] member) {
        for (int p = 0; p < used; p = next(p)) if (memberEquals(p, member)) return p;
        return -1;
    }

    /** Byte offset of the entry of rank r (0 <= r <= n; r == n is the end). */
    private int offsetOf(int r) {
        int p = 0;
        for (int k = 0; k < r; k++) p = next(p);
        return p;
    }

    private static int varintSize(int v) {
        int s = 1;
        while ((v >>>= 7) != 0) s++;
        return s;
    }

    private void insertCompact(byte[] member, double score) {
        // a listpack keeps scores as text, and "-0" is stored as the integer 0: -0 reads back as 0
        if (score == 0) score = 0.0;
        int p = 0;
        while (p < used) {
            int ms = memberStart(p);
            int len = memberLen(p);
            double s = (double) DOUBLE.get(lp, ms + len);
            if (s > score || (s == score && Arrays.compareUnsigned(lp, ms, ms + len, member, 0, member.length) > 0)) break;
            p = ms + len + 8;
        }
        int size = varintSize(member.length) + member.length + 8;
        if (used + size > lp.length) lp = Arrays.copyOf(lp, Math.max(used + size, lp.length + (lp.length >> 1)));
        System.arraycopy(lp, p, lp, p + size, used - p);
        int q = p;
        int v = member.length;
        while ((v & ~0x7f) != 0) {
            lp[q++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        lp[q++] = (byte) v;
        System.arraycopy(member, 0, lp, q, member.length);
        DOUBLE.set(lp, q + member.length, score);
        used += size;
        n++;
    }

    /** Removes the bytes [from, to) holding count entries. */
    private void removeEntries(int from, int to, int count) {
        System.arraycopy(lp, to, lp, from, used - to);
        used -= to - from;
        n -= count;
        // give back memory when mostly empty
        if (lp.length > 64 && used < lp.length / 4) lp = Arrays.copyOf(lp, Math.max(16, used * 2));
    }

    private void convertToSkipList() {
        ZSetTree l = new ZSetTree();
        for (int p = 0; p < used; p = next(p)) l.insert(memberAt(p), scoreAt(p));
        list = l;
        lp = null;
        used = 0;
        n = 0;
    }

    /** For unit tests: the member -> score view. */
    HashMap<String, Double> snapshot() {
        HashMap<String, Double> m = new HashMap<>();
        walk(0, size() - 1, false, (k, s) -> m.put(new String(k), s));
        return m;
    }
}
