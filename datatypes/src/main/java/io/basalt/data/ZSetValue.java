package io.basalt.data;

import java.util.Arrays;
import java.util.HashMap;

/**
 * A sorted set, ordered by (score, member bytes) like Redis. Small sets are kept compact (Redis's
 * "listpack"): two parallel sorted arrays, found by binary search on the score and a linear scan
 * by member, as listpack does. Past zset-max-listpack-entries entries or a member longer than
 * zset-max-listpack-value bytes the set becomes a {@link ZSetSkipList} (rank-aware skiplist plus
 * a member -> node map, Redis's "skiplist"), and never converts back, as in Redis 7.0.
 *
 * <p>Everything is addressed by rank (0 = lowest), so range commands compute a rank interval
 * and walk it.
 */
public final class ZSetValue extends ObjectEntry {
    /** Per-entry heap estimates, for MEMORY USAGE and maxmemory accounting. */
    private static final long BASE = 64;
    private static final long COMPACT_ENTRY = 16 + 8 + 8; // byte[] header + score + array slot
    private static final long SKIPLIST_ENTRY = 16 + 40 + 48 + 48; // member + node + levels + map entry

    // compact encoding
    private byte[][] members;
    private double[] scores;
    private int n;
    // skiplist encoding (null while compact)
    private ZSetSkipList list;

    private long memberBytes;

    private ZSetValue(byte[] key) { super(key); }

    /**
     * Redis's zsetTypeCreate: compact unless the expected size or the longest member already
     * exceeds the thresholds.
     */
    public static ZSetValue create(byte[] key, long sizeHint, long maxLenHint) {
        ZSetValue z = new ZSetValue(key);
        if (sizeHint <= EncodingLimits.zsetMaxListpackEntries && maxLenHint <= EncodingLimits.zsetMaxListpackValue) {
            z.members = new byte[Math.max(1, (int) Math.min(sizeHint, 16))][];
            z.scores = new double[z.members.length];
        } else {
            z.list = new ZSetSkipList();
        }
        return z;
    }

    @Override public String typeName() { return "zset"; }

    @Override public String encodingName() { return list == null ? "listpack" : "skiplist"; }

    public boolean isCompact() { return list == null; }

    @Override
    public long memoryUsage() {
        int count = size();
        return BASE + memberBytes + (long) count * (list == null ? COMPACT_ENTRY : SKIPLIST_ENTRY);
    }

    @Override
    public ObjectEntry copy(byte[] newKey) {
        ZSetValue z = new ZSetValue(newKey);
        z.memberBytes = memberBytes;
        if (list == null) {
            z.n = n;
            z.members = new byte[Math.max(1, n)][];
            z.scores = new double[Math.max(1, n)];
            for (int i = 0; i < n; i++) z.members[i] = members[i].clone();
            System.arraycopy(scores, 0, z.scores, 0, n);
        } else {
            z.list = new ZSetSkipList();
            for (ZSetSkipList.Node x = list.first(); x != null; x = x.next()) z.list.insert(x.member.clone(), x.score);
        }
        return z;
    }

    @Override
    public ObjectEntry rekeyed(byte[] newKey) {
        ZSetValue z = new ZSetValue(newKey);
        z.members = members;
        z.scores = scores;
        z.n = n;
        z.list = list;
        z.memberBytes = memberBytes;
        return z;
    }

    public int size() { return list == null ? n : list.size(); }

    /** The member's score, or null if absent. */
    public Double score(byte[] member) {
        if (list != null) {
            ZSetSkipList.Node x = list.find(member);
            return x == null ? null : x.score;
        }
        int i = indexOf(member);
        return i < 0 ? null : scores[i];
    }

    /**
     * Sets the member's score, inserting it if absent (converting to the skiplist first when
     * the insert would cross a threshold, as zsetAdd does). Returns true if it was inserted.
     */
    public boolean put(byte[] member, double score) {
        if (list == null) {
            int i = indexOf(member);
            if (i >= 0) {
                if (scores[i] == score) return false;
                removeAt(i);
                insertCompact(member, score);
                return false;
            }
            if (n + 1 > EncodingLimits.zsetMaxListpackEntries || member.length > EncodingLimits.zsetMaxListpackValue) {
                convertToSkipList();
            } else {
                insertCompact(member, score);
                memberBytes += member.length;
                return true;
            }
        }
        ZSetSkipList.Node x = list.find(member);
        if (x != null) {
            if (x.score != score) list.update(x, score);
            return false;
        }
        list.insert(member, score);
        memberBytes += member.length;
        return true;
    }

    /** Removes the member; returns whether it was there. */
    public boolean remove(byte[] member) {
        if (list != null) {
            if (!list.delete(member)) return false;
        } else {
            int i = indexOf(member);
            if (i < 0) return false;
            removeAt(i);
        }
        memberBytes -= member.length;
        return true;
    }

    /** The member's 0-based ascending rank, or -1 if absent. */
    public long rank(byte[] member) {
        if (list != null) return list.rank(member);
        return indexOf(member);
    }

    /** Number of entries whose score is below v (or at most v when inclusive). */
    public int countBelow(double v, boolean inclusive) {
        if (list != null) return list.countBelow(v, inclusive);
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (scores[mid] < v || (inclusive && scores[mid] == v)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Number of leading entries whose member sorts below v (or at most v when inclusive); v null
     * with {@code plusInf} false means "-", true means "+". Meaningful when all scores are equal,
     * as ZRANGEBYLEX requires.
     */
    public int countBelowLex(byte[] v, boolean inclusive, boolean plusInf) {
        if (v == null) return plusInf ? size() : 0;
        if (list != null) return list.countBelowLex(v, inclusive);
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(members[mid], v);
            if (c < 0 || (inclusive && c == 0)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /** Receives entries during a walk. */
    public interface Visitor {
        void visit(byte[] member, double score);
    }

    /** Visits ranks start..end (inclusive, 0 <= start <= end < size), descending when rev. */
    public void walk(int start, int end, boolean rev, Visitor v) {
        if (list == null) {
            if (rev) for (int i = end; i >= start; i--) v.visit(members[i], scores[i]);
            else for (int i = start; i <= end; i++) v.visit(members[i], scores[i]);
            return;
        }
        int count = end - start + 1;
        ZSetSkipList.Node x = list.byRank(rev ? end : start);
        for (int k = 0; k < count && x != null; k++) {
            v.visit(x.member, x.score);
            x = rev ? x.prev() : x.next();
        }
    }

    /** Removes the entries of ranks start..end; returns how many. */
    public int removeRange(int start, int end) {
        int count = end - start + 1;
        if (list == null) {
            for (int i = start; i <= end; i++) memberBytes -= members[i].length;
            System.arraycopy(members, end + 1, members, start, n - end - 1);
            System.arraycopy(scores, end + 1, scores, start, n - end - 1);
            for (int i = n - count; i < n; i++) members[i] = null;
            n -= count;
            return count;
        }
        byte[][] doomed = new byte[count][];
        int[] k = {0};
        walk(start, end, false, (m, s) -> doomed[k[0]++] = m);
        for (byte[] m : doomed) remove(m);
        return count;
    }

    /**
     * Redis's zsetConvertToListpackIfNeeded, for the destinations of ZUNIONSTORE and friends:
     * built as a skiplist, kept compact when small enough.
     */
    public void compactIfFits(long maxLen) {
        if (list == null || list.size() > EncodingLimits.zsetMaxListpackEntries
                || maxLen > EncodingLimits.zsetMaxListpackValue) return;
        int size = list.size();
        members = new byte[Math.max(1, size)][];
        scores = new double[Math.max(1, size)];
        n = 0;
        for (ZSetSkipList.Node x = list.first(); x != null; x = x.next()) {
            members[n] = x.member;
            scores[n++] = x.score == 0 ? 0.0 : x.score; // as insertCompact: no -0 in a listpack
        }
        list = null;
    }

    // ------------------------------------------------------------------ compact internals

    private int indexOf(byte[] member) {
        for (int i = 0; i < n; i++) if (Arrays.equals(members[i], member)) return i;
        return -1;
    }

    private void insertCompact(byte[] member, double score) {
        // a listpack keeps scores as text, and "-0" is stored as the integer 0: -0 reads back as 0
        if (score == 0) score = 0.0;
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ZSetSkipList.compare(scores[mid], members[mid], score, member) < 0) lo = mid + 1;
            else hi = mid;
        }
        if (n == members.length) {
            int cap = Math.max(4, n * 2);
            members = Arrays.copyOf(members, cap);
            scores = Arrays.copyOf(scores, cap);
        }
        System.arraycopy(members, lo, members, lo + 1, n - lo);
        System.arraycopy(scores, lo, scores, lo + 1, n - lo);
        members[lo] = member;
        scores[lo] = score;
        n++;
    }

    private void removeAt(int i) {
        System.arraycopy(members, i + 1, members, i, n - i - 1);
        System.arraycopy(scores, i + 1, scores, i, n - i - 1);
        members[--n] = null;
    }

    private void convertToSkipList() {
        ZSetSkipList l = new ZSetSkipList();
        for (int i = 0; i < n; i++) l.insert(members[i], scores[i]);
        list = l;
        members = null;
        scores = null;
        n = 0;
    }

    /** For unit tests: the member -> score view. */
    HashMap<String, Double> snapshot() {
        HashMap<String, Double> m = new HashMap<>();
        walk(0, size() - 1, false, (k, s) -> m.put(new String(k), s));
        return m;
    }
}
