package io.basalt.data;

import java.util.Arrays;

/**
 * The large sorted-set encoding (what Redis calls "skiplist"): an order-statistic B+tree whose
 * leaves each pack up to {@link #LEAF_MAX} (score, member) entries in (score, member bytes) order,
 * plus an open-addressing member index. It replaces a skiplist of one node object, two level
 * arrays, one member array and one map entry per member (~300 heap bytes per member) with a
 * handful of arrays per ~100 members (~35 bytes per member, see docs/architecture.md).
 *
 * <ul>
 * <li>A leaf holds its entries in parallel arrays: {@code scores[i]}, {@code ends[i]} (member i
 * is {@code mem[ends[i-1] .. ends[i])}, the member bytes packed in one array) and a one-byte
 * fingerprint of each member's hash. Leaves are chained both ways for range walks.
 * <li>An inner node holds up to {@link #INNER_MAX} children with the entry count of each (ranks
 * are found in O(log n) by summing counts on the way down) and a separator key per child: a
 * lower bound of the child's keys and above every key of the child before it (child 0 has none).
 * <li>The index maps a member to the leaf holding it: slots of (full 32-bit hash, leaf), linear
 * probing with backward-shift deletion. A lookup scans the leaf's fingerprints, so finding a
 * member's score is O(1) (bounded by the leaf size) like Redis's dict, without storing the
 * member a second time. Entries that move to another leaf (splits, merges) have their slot
 * repointed; two members of one leaf with the same hash have interchangeable slots.
 * </ul>
 *
 * Scores compare with {@code <}/{@code >} (so -0.0 and 0.0 tie and the member decides, as in
 * Redis's zslInsert); NaN is never stored. Not thread-safe, reads included (a lookup remembers
 * where it found its member): callers hold the key's shard lock, as for every value.
 */
final class ZSetTree {
    /**
     * Entries per leaf: big enough that the leaf's objects cost little per member (~3 bytes),
     * small enough that inserts and deletes shift little (ZADD spent a third of its time
     * shifting and searching 128-entry leaves).
     */
    static final int LEAF_MAX = 64;
    /** Member bytes past which a leaf of two or more entries splits (long members). */
    static final int LEAF_BYTES = 8192;
    /** Children per inner node. */
    static final int INNER_MAX = 64;

    abstract static class Node {}

    static final class Leaf extends Node {
        int n;
        double[] scores;
        int[] ends;
        byte[] fps;
        byte[] mem;
        Leaf prev, next;

        Leaf(int entries, int bytes) {
            scores = new double[entries];
            ends = new int[entries];
            fps = new byte[entries];
            mem = new byte[bytes];
        }

        int used() { return n == 0 ? 0 : ends[n - 1]; }

        int start(int i) { return i == 0 ? 0 : ends[i - 1]; }

        byte[] member(int i) { return Arrays.copyOfRange(mem, start(i), ends[i]); }

        /** Compares entry i with the key (s, m). */
        int compareAt(int i, double s, byte[] m) {
            double x = scores[i];
            if (x < s) return -1;
            if (x > s) return 1;
            return Arrays.compareUnsigned(mem, start(i), ends[i], m, 0, m.length);
        }

        /** The first index whose entry is above (s, m): where (s, m) is inserted. */
        int upperBound(double s, byte[] m) {
            // scores first (a double[] search), then members only among equal scores
            int lo = 0, hi = n;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (scores[mid] < s) lo = mid + 1;
                else hi = mid;
            }
            if (lo == n || scores[lo] > s) return lo;
            hi = n;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (compareAt(mid, s, m) <= 0) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }

        /** The index of the entry with this member, or -1 (fp: the member's fingerprint). */
        int indexOf(byte[] m, byte fp) {
            for (int i = 0; i < n; i++) {
                if (fps[i] != fp) continue;
                int st = start(i);
                if (ends[i] - st == m.length && Arrays.equals(mem, st, ends[i], m, 0, m.length)) return i;
            }
            return -1;
        }

        void ensure(int entries, int bytes) {
            if (entries > scores.length) {
                int c = Math.min(Math.max(entries, scores.length + (scores.length >> 1) + 1), Math.max(entries, LEAF_MAX));
                scores = Arrays.copyOf(scores, c);
                ends = Arrays.copyOf(ends, c);
                fps = Arrays.copyOf(fps, c);
            }
            if (bytes > mem.length) mem = Arrays.copyOf(mem, Math.max(bytes, mem.length + (mem.length >> 1)));
        }

        /** Gives back array slack (a leaf that will not grow soon, or shrank a lot). */
        void trim() {
            if (scores.length > n) {
                int c = Math.max(n, 1);
                scores = Arrays.copyOf(scores, c);
                ends = Arrays.copyOf(ends, c);
                fps = Arrays.copyOf(fps, c);
            }
            if (mem.length > used()) mem = Arrays.copyOf(mem, used());
        }

        void insertAt(int pos, double s, byte[] m, byte fp) {
            int used = used();
            ensure(n + 1, used + m.length);
            int st = start(pos);
            System.arraycopy(mem, st, mem, st + m.length, used - st);
            System.arraycopy(m, 0, mem, st, m.length);
            System.arraycopy(scores, pos, scores, pos + 1, n - pos);
            System.arraycopy(fps, pos, fps, pos + 1, n - pos);
            System.arraycopy(ends, pos, ends, pos + 1, n - pos);
            for (int i = pos + 1; i <= n; i++) ends[i] += m.length;
            scores[pos] = s;
            fps[pos] = fp;
            ends[pos] = st + m.length;
            n++;
        }

        void removeAt(int pos) { removeBlock(pos, 1); }

        /** Removes the k entries from pos on. */
        void removeBlock(int pos, int k) {
            int used = used();
            int st = start(pos);
            int en = ends[pos + k - 1];
            int len = en - st;
            System.arraycopy(mem, en, mem, st, used - en);
            System.arraycopy(scores, pos + k, scores, pos, n - pos - k);
            System.arraycopy(fps, pos + k, fps, pos, n - pos - k);
            System.arraycopy(ends, pos + k, ends, pos, n - pos - k);
            n -= k;
            for (int i = pos; i < n; i++) ends[i] -= len;
            if (scores.length > 16 && n < scores.length / 4) trim();
            else if (mem.length > 64 && used() < mem.length / 4) mem = Arrays.copyOf(mem, used() * 2);
        }
    }

    static final class Inner extends Node {
        int n;
        long total;
        final Node[] kids = new Node[INNER_MAX];
        final long[] counts = new long[INNER_MAX];
        final double[] sepScore = new double[INNER_MAX];
        final byte[][] sepMember = new byte[INNER_MAX][];

        /** The child whose key range holds (s, m): the last with separator <= key, else 0. */
        int childFor(double s, byte[] m) {
            int lo = 1, hi = n - 1, r = 0;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                double x = sepScore[mid];
                int c = x < s ? -1 : x > s ? 1 : Arrays.compareUnsigned(sepMember[mid], m);
                if (c <= 0) {
                    r = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return r;
        }

        void insertKid(int i, Node kid, long count, double s, byte[] m) {
            System.arraycopy(kids, i, kids, i + 1, n - i);
            System.arraycopy(counts, i, counts, i + 1, n - i);
            System.arraycopy(sepScore, i, sepScore, i + 1, n - i);
            System.arraycopy(sepMember, i, sepMember, i + 1, n - i);
            kids[i] = kid;
            counts[i] = count;
            sepScore[i] = s;
            sepMember[i] = m;
            n++;
        }

        void removeKid(int i) {
            System.arraycopy(kids, i + 1, kids, i, n - i - 1);
            System.arraycopy(counts, i + 1, counts, i, n - i - 1);
            System.arraycopy(sepScore, i + 1, sepScore, i, n - i - 1);
            System.arraycopy(sepMember, i + 1, sepMember, i, n - i - 1);
            n--;
            kids[n] = null;
            sepMember[n] = null;
        }
    }

    private Node root = new Leaf(8, 64);
    private int size;
    private int leaves = 1;
    private long memberBytes;

    // the member index
    private int[] hx = new int[16];
    private Leaf[] lx = new Leaf[16];

    // the separator of a split's new right sibling, handed up one level with it
    private double splitScore;
    private byte[] splitMember;

    // the last successful find(): reused by the update that usually follows it (ZADD reads the
    // score, then writes), until the tree changes
    private byte[] fMember;
    private Leaf fLeaf;
    private int fPos;
    private int fHash;

    int size() { return size; }

    long memberBytes() { return memberBytes; }

    /** Estimated heap bytes (for MEMORY USAGE and maxmemory). */
    long memoryUsage() {
        // per entry: score 8, end 4, fingerprint 1, member; leaf arrays run ~3/4 full on random
        // inserts; per leaf: the leaf object, four array headers, a separator; index slots 8 bytes
        return memberBytes + size * 13L * 4 / 3 + leaves * 140L + hx.length * 8L + 64;
    }

    static int hash(byte[] b, int off, int len) {
        // Entries' key hash; 0 marks a free index slot
        int h = Entries.hash(b, off, len);
        return h == 0 ? 1 : h;
    }

    private static byte fp(int h) { return (byte) (h >>> 24); }

    // ------------------------------------------------------------------ member lookups

    /** Finds the member; on success its score is {@link #foundScore()}. */
    boolean find(byte[] m) {
        if (fMember == m && fPos < fLeaf.n && fLeaf.ends[fPos] - fLeaf.start(fPos) == m.length
                && Arrays.equals(fLeaf.mem, fLeaf.start(fPos), fLeaf.ends[fPos], m, 0, m.length)) {
            return true;
        }
        int h = hash(m, 0, m.length);
        byte fp = fp(h);
        int mask = hx.length - 1;
        for (int i = h & mask; hx[i] != 0; i = (i + 1) & mask) {
            if (hx[i] != h) continue;
            Leaf l = lx[i];
            int p = l.indexOf(m, fp);
            if (p >= 0) {
                fMember = m;
                fLeaf = l;
                fPos = p;
                fHash = h;
                return true;
            }
        }
        return false;
    }

    double foundScore() { return fLeaf.scores[fPos]; }

    /** The member's score, or null. */
    Double score(byte[] m) { return find(m) ? foundScore() : null; }

    // ------------------------------------------------------------------ the index

    private void indexPut(int h, Leaf l) {
        if ((size + 1) * 4L > hx.length * 3L) reindex(hx.length * 2);
        int mask = hx.length - 1;
        int i = h & mask;
        while (hx[i] != 0) i = (i + 1) & mask;
        hx[i] = h;
        lx[i] = l;
    }

    private int indexSlot(int h, Leaf l) {
        int mask = hx.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            if (hx[i] == h && lx[i] == l) return i;
            if (hx[i] == 0) throw new IllegalStateException("zset index lost a member");
        }
    }

    private void indexMove(int h, Leaf from, Leaf to) { lx[indexSlot(h, from)] = to; }

    /** Removes the slot (backward-shift deletion keeps every probe run unbroken). */
    private void indexRemove(int h, Leaf l) {
        int mask = hx.length - 1;
        int i = indexSlot(h, l);
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (hx[j] == 0) break;
            int home = hx[j] & mask;
            // move j back to i unless its home lies cyclically in (i, j]
            boolean stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) {
                hx[i] = hx[j];
                lx[i] = lx[j];
                i = j;
            }
        }
        hx[i] = 0;
        lx[i] = null;
        if (hx.length > 16 && (size - 1) * 8L < hx.length) reindex(hx.length / 2);
    }

    private void reindex(int cap) {
        int[] oh = hx;
        Leaf[] ol = lx;
        hx = new int[cap];
        lx = new Leaf[cap];
        int mask = cap - 1;
        for (int k = 0; k < oh.length; k++) {
            if (oh[k] == 0) continue;
            int i = oh[k] & mask;
            while (hx[i] != 0) i = (i + 1) & mask;
            hx[i] = oh[k];
            lx[i] = ol[k];
        }
    }

    // ------------------------------------------------------------------ insert

    /** Inserts a member known to be absent. */
    void insert(byte[] m, double s) {
        fMember = null;
        int h = hash(m, 0, m.length);
        Node r = insertInto(root, s, m, h);
        if (r != null) {
            Inner top = new Inner();
            top.insertKid(0, root, count(root), 0, null);
            top.insertKid(1, r, count(r), splitScore, splitMember);
            top.total = top.counts[0] + top.counts[1];
            root = top;
            splitMember = null;
        }
        size++;
        memberBytes += m.length;
    }

    private static long count(Node x) { return x instanceof Leaf l ? l.n : ((Inner) x).total; }

    /** Inserts below x; returns x's new right sibling if x split (separator in split*). */
    private Node insertInto(Node x, double s, byte[] m, int h) {
        if (x instanceof Leaf l) return insertLeaf(l, s, m, h);
        Inner in = (Inner) x;
        int i = in.childFor(s, m);
        Node r = insertInto(in.kids[i], s, m, h);
        in.total++;
        if (r == null) {
            in.counts[i]++;
            return null;
        }
        in.counts[i] = count(in.kids[i]);
        in.insertKid(i + 1, r, count(r), splitScore, splitMember);
        if (in.n < INNER_MAX) return null;
        // split in two halves; the right one's first separator goes up
        Inner right = new Inner();
        int k = in.n / 2;
        long moved = 0;
        for (int j = k; j < in.n; j++) {
            right.insertKid(j - k, in.kids[j], in.counts[j], in.sepScore[j], in.sepMember[j]);
            moved += in.counts[j];
            in.kids[j] = null;
            in.sepMember[j] = null;
        }
        in.n = k;
        in.total -= moved;
        right.total = moved;
        splitScore = right.sepScore[0];
        splitMember = right.sepMember[0];
        right.sepMember[0] = null;
        return right;
    }

    private Node insertLeaf(Leaf l, double s, byte[] m, int h) {
        int pos = l.upperBound(s, m);
        byte fp = fp(h);
        if (l.n < LEAF_MAX && (l.n == 0 || l.used() + m.length <= LEAF_BYTES)) {
            l.insertAt(pos, s, m, fp);
            indexPut(h, l);
            return null;
        }
        Leaf r;
        if (pos == l.n) {
            // appending past a full leaf (ascending scores, e.g. timestamps): keep it full and
            // start the next one, rather than leaving two half-empty leaves behind
            r = newLeafAfter(l, 8, Math.max(64, m.length));
            l.trim();
            r.insertAt(0, s, m, fp);
            indexPut(h, r);
        } else {
            int k = l.n / 2;
            r = newLeafAfter(l, Math.max(8, l.n - k + 1), Math.max(64, l.used() - l.start(k) + m.length));
            moveTail(l, l.n - k, r);
            if (pos <= k) {
                l.insertAt(pos, s, m, fp);
                indexPut(h, l);
            } else {
                r.insertAt(pos - k, s, m, fp);
                indexPut(h, r);
            }
        }
        splitScore = r.scores[0];
        splitMember = r.member(0);
        return r;
    }

    private Leaf newLeafAfter(Leaf l, int entries, int bytes) {
        Leaf r = new Leaf(entries, bytes);
        r.prev = l;
        r.next = l.next;
        if (l.next != null) l.next.prev = r;
        l.next = r;
        leaves++;
        return r;
    }

    private void unlink(Leaf l) {
        if (l.prev != null) l.prev.next = l.next;
        if (l.next != null) l.next.prev = l.prev;
        leaves--;
    }

    /** Moves the last k entries of a to the front of b (its right neighbour), repointing slots. */
    private void moveTail(Leaf a, int k, Leaf b) {
        if (k == 0) return;
        int from = a.n - k;
        int st = a.start(from);
        int len = a.used() - st;
        b.ensure(b.n + k, b.used() + len);
        System.arraycopy(b.mem, 0, b.mem, len, b.used());
        System.arraycopy(a.mem, st, b.mem, 0, len);
        System.arraycopy(b.scores, 0, b.scores, k, b.n);
        System.arraycopy(b.fps, 0, b.fps, k, b.n);
        System.arraycopy(b.ends, 0, b.ends, k, b.n);
        for (int i = k; i < k + b.n; i++) b.ends[i] += len;
        System.arraycopy(a.scores, from, b.scores, 0, k);
        System.arraycopy(a.fps, from, b.fps, 0, k);
        for (int i = 0; i < k; i++) b.ends[i] = a.ends[from + i] - st;
        b.n += k;
        a.n = from;
        for (int i = 0; i < k; i++) {
            int s0 = b.start(i);
            indexMove(hash(b.mem, s0, b.ends[i] - s0), a, b);
        }
    }

    /** Moves the first k entries of b to the end of a (its left neighbour), repointing slots. */
    private void moveHead(Leaf b, int k, Leaf a) {
        if (k == 0) return;
        int len = b.ends[k - 1];
        int aUsed = a.used();
        a.ensure(a.n + k, aUsed + len);
        System.arraycopy(b.mem, 0, a.mem, aUsed, len);
        System.arraycopy(b.scores, 0, a.scores, a.n, k);
        System.arraycopy(b.fps, 0, a.fps, a.n, k);
        for (int i = 0; i < k; i++) a.ends[a.n + i] = b.ends[i] + aUsed;
        for (int i = 0; i < k; i++) {
            int s0 = i == 0 ? 0 : b.ends[i - 1];
            indexMove(hash(b.mem, s0, b.ends[i] - s0), b, a);
        }
        a.n += k;
        int bUsed = b.used();
        System.arraycopy(b.mem, len, b.mem, 0, bUsed - len);
        System.arraycopy(b.scores, k, b.scores, 0, b.n - k);
        System.arraycopy(b.fps, k, b.fps, 0, b.n - k);
        System.arraycopy(b.ends, k, b.ends, 0, b.n - k);
        b.n -= k;
        for (int i = 0; i < b.n; i++) b.ends[i] -= len;
    }

    // ------------------------------------------------------------------ update and delete

    /** Sets the score of a member known to be present. */
    void update(byte[] m, double s) {
        if (!find(m)) throw new IllegalStateException("update of an absent member");
        Leaf l = fLeaf;
        int p = fPos;
        // still between its neighbours inside the same leaf: change in place (zslUpdateScore)
        if (p > 0 && p < l.n - 1 && l.compareAt(p - 1, s, m) < 0 && l.compareAt(p + 1, s, m) > 0) {
            l.scores[p] = s;
            return;
        }
        delete(m);
        insert(m, s);
    }

    /** Removes the member; returns whether it was present. */
    boolean delete(byte[] m) {
        if (!find(m)) return false;
        double s = foundScore();
        int h = fHash;
        fMember = null;
        indexRemove(h, fLeaf);
        deleteFrom(root, s, m);
        fLeaf = null;
        size--;
        memberBytes -= m.length;
        collapseRoot();
        return true;
    }

    private void deleteFrom(Node x, double s, byte[] m) {
        if (x instanceof Leaf l) {
            int p = l.upperBound(s, m) - 1;
            if (p < 0 || l != fLeaf || l.compareAt(p, s, m) != 0) throw new IllegalStateException("zset tree lost a member");
            l.removeAt(p);
            return;
        }
        Inner in = (Inner) x;
        int i = in.childFor(s, m);
        deleteFrom(in.kids[i], s, m);
        in.counts[i]--;
        in.total--;
        rebalance(in, i);
    }

    /** After a removal under child i: drops it if empty, merges it with a sibling if small. */
    private void rebalance(Inner in, int i) {
        Node kid = in.kids[i];
        if (kid instanceof Leaf l) {
            if (l.n == 0) {
                unlink(l);
                in.removeKid(i);
                return;
            }
            if (l.n >= LEAF_MAX / 4 || l.used() >= LEAF_BYTES / 4) return;
            if (i > 0 && fits((Leaf) in.kids[i - 1], l)) mergeLeaves(in, i - 1);
            else if (i + 1 < in.n && fits(l, (Leaf) in.kids[i + 1])) mergeLeaves(in, i);
            return;
        }
        Inner k = (Inner) kid;
        if (k.n == 0) {
            in.removeKid(i);
            return;
        }
        if (k.n >= INNER_MAX / 4) return;
        if (i > 0 && ((Inner) in.kids[i - 1]).n + k.n < INNER_MAX) mergeInners(in, i - 1);
        else if (i + 1 < in.n && ((Inner) in.kids[i + 1]).n + k.n < INNER_MAX) mergeInners(in, i);
    }

    private static boolean fits(Leaf a, Leaf b) {
        return a.n + b.n <= LEAF_MAX && a.used() + b.used() <= LEAF_BYTES;
    }

    /** Merges child i+1 into child i (leaves). */
    private void mergeLeaves(Inner in, int i) {
        Leaf a = (Leaf) in.kids[i];
        Leaf b = (Leaf) in.kids[i + 1];
        moveHead(b, b.n, a);
        unlink(b);
        in.counts[i] = a.n;
        in.removeKid(i + 1);
    }

    /** Merges child i+1 into child i (inner nodes); the separator between them moves down. */
    private static void mergeInners(Inner in, int i) {
        Inner a = (Inner) in.kids[i];
        Inner b = (Inner) in.kids[i + 1];
        for (int j = 0; j < b.n; j++) {
            a.insertKid(a.n, b.kids[j], b.counts[j], j == 0 ? in.sepScore[i + 1] : b.sepScore[j],
                    j == 0 ? in.sepMember[i + 1] : b.sepMember[j]);
        }
        a.total += b.total;
        in.counts[i] = a.total;
        in.removeKid(i + 1);
    }

    // ------------------------------------------------------------------ ranks and ranges

    /** 0-based rank of the member, or -1. */
    long rank(byte[] m) {
        if (!find(m)) return -1;
        double s = foundScore();
        Leaf target = fLeaf;
        int pos = fPos;
        long r = 0;
        Node x = root;
        while (x instanceof Inner in) {
            int i = in.childFor(s, m);
            for (int j = 0; j < i; j++) r += in.counts[j];
            x = in.kids[i];
        }
        if (x != target) throw new IllegalStateException("zset tree and index disagree");
        return r + pos;
    }

    /** A position: leaf and index within it. */
    private Leaf atLeaf;
    private int atPos;

    /** Positions at rank r (0 <= r < size). */
    private void seek(long r) {
        Node x = root;
        while (x instanceof Inner in) {
            int i = 0;
            while (i < in.n - 1 && r >= in.counts[i]) r -= in.counts[i++];
            x = in.kids[i];
        }
        atLeaf = (Leaf) x;
        atPos = (int) r;
    }

    /** Number of entries with score below v (at most v when inclusive). */
    int countBelow(double v, boolean inclusive) {
        long r = 0;
        Node x = root;
        while (x instanceof Inner in) {
            int i = 0;
            for (int j = 1; j < in.n; j++) {
                double t = in.sepScore[j];
                if (t < v || (inclusive && t == v)) i = j;
                else break;
            }
            for (int j = 0; j < i; j++) r += in.counts[j];
            x = in.kids[i];
        }
        Leaf l = (Leaf) x;
        int lo = 0, hi = l.n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            double t = l.scores[mid];
            if (t < v || (inclusive && t == v)) lo = mid + 1;
            else hi = mid;
        }
        return (int) (r + lo);
    }

    /** Number of leading entries whose member sorts below v (at most v when inclusive). */
    int countBelowLex(byte[] v, boolean inclusive) {
        long r = 0;
        Node x = root;
        while (x instanceof Inner in) {
            int i = 0;
            for (int j = 1; j < in.n; j++) {
                int c = Arrays.compareUnsigned(in.sepMember[j], v);
                if (c < 0 || (inclusive && c == 0)) i = j;
                else break;
            }
            for (int j = 0; j < i; j++) r += in.counts[j];
            x = in.kids[i];
        }
        Leaf l = (Leaf) x;
        int k = 0;
        while (k < l.n) {
            int c = Arrays.compareUnsigned(l.mem, l.start(k), l.ends[k], v, 0, v.length);
            if (!(c < 0 || (inclusive && c == 0))) break;
            k++;
        }
        return (int) (r + k);
    }

    /**
     * Visits ranks start..end (0 <= start <= end < size), descending when rev, with fresh member
     * copies.
     */
    void walk(int start, int end, boolean rev, ZSetValue.Visitor v) {
        if (end < start) return;
        seek(rev ? end : start);
        Leaf l = atLeaf;
        int p = atPos;
        for (int k = end - start + 1; k > 0; k--) {
            v.visit(l.member(p), l.scores[p]);
            if (rev) {
                if (--p < 0 && k > 1) {
                    l = l.prev;
                    p = l.n - 1;
                }
            } else if (++p == l.n && k > 1) {
                l = l.next;
                p = 0;
            }
        }
    }

    /**
     * Removes the entries of ranks start..end: a leaf at a time (its slots, one block of its
     * arrays, the counts on its path), O(log n) per leaf plus O(1) per entry.
     */
    void removeRange(int start, int end) {
        fMember = null;
        int remaining = end - start + 1;
        while (remaining > 0) {
            seek(start);
            Leaf l = atLeaf;
            int p = atPos;
            int k = Math.min(remaining, l.n - p);
            for (int i = p; i < p + k; i++) {
                int s0 = l.start(i);
                indexRemove(hash(l.mem, s0, l.ends[i] - s0), l);
                size--;
                memberBytes -= l.ends[i] - s0;
            }
            l.removeBlock(p, k);
            removeCounts(root, start, k);
            collapseRoot();
            remaining -= k;
        }
    }

    /** Takes k off the counts on the path to rank r (its entries already gone), rebalancing. */
    private void removeCounts(Node x, long r, int k) {
        if (!(x instanceof Inner in)) return;
        int i = 0;
        while (i < in.n - 1 && r >= in.counts[i]) r -= in.counts[i++];
        removeCounts(in.kids[i], r, k);
        in.counts[i] -= k;
        in.total -= k;
        rebalance(in, i);
    }

    private void collapseRoot() {
        while (root instanceof Inner in && in.n <= 1) {
            if (in.n == 1) {
                root = in.kids[0];
            } else {
                root = new Leaf(8, 64);
                leaves++;
            }
        }
    }

    // ------------------------------------------------------------------ checks (tests)

    /** Verifies every structural invariant; throws on the first broken one. For tests. */
    void check() {
        long[] seen = {0};
        Leaf[] prev = {null};
        checkNode(root, seen, prev, true);
        if (seen[0] != size) throw new IllegalStateException("size " + size + " but " + seen[0] + " entries");
        if (prev[0] != null && prev[0].next != null) throw new IllegalStateException("leaf chain runs past the end");
        int slots = 0;
        for (int i = 0; i < hx.length; i++) {
            if (hx[i] == 0) continue;
            slots++;
            if (lx[i] == null) throw new IllegalStateException("index slot without leaf");
        }
        if (slots != size) throw new IllegalStateException("index has " + slots + " slots for " + size);
        for (Leaf l = firstLeaf(); l != null; l = l.next) {
            for (int i = 0; i < l.n; i++) {
                byte[] m = l.member(i);
                fMember = null;
                if (!find(m) || fLeaf != l || fPos != i) throw new IllegalStateException("index misses " + new String(m));
                if (l.fps[i] != fp(hash(m, 0, m.length))) throw new IllegalStateException("fingerprint");
            }
        }
        fMember = null;
    }

    private Leaf firstLeaf() {
        Node x = root;
        while (x instanceof Inner in) x = in.kids[0];
        return (Leaf) x;
    }

    private long checkNode(Node x, long[] seen, Leaf[] prev, boolean isRoot) {
        if (x instanceof Leaf l) {
            if (l.prev != prev[0]) throw new IllegalStateException("leaf chain broken");
            if (prev[0] != null && prev[0].next != l) throw new IllegalStateException("leaf chain broken");
            if (!isRoot && l.n == 0) throw new IllegalStateException("empty leaf");
            for (int i = 1; i < l.n; i++) {
                if (l.compareAt(i - 1, l.scores[i], l.member(i)) >= 0) throw new IllegalStateException("leaf order");
            }
            if (prev[0] != null && prev[0].n > 0 && l.n > 0
                    && prev[0].compareAt(prev[0].n - 1, l.scores[0], l.member(0)) >= 0) {
                throw new IllegalStateException("order across leaves");
            }
            prev[0] = l;
            seen[0] += l.n;
            return l.n;
        }
        Inner in = (Inner) x;
        if (in.n < 2 && isRoot) throw new IllegalStateException("root inner with one child");
        if (in.n < 1) throw new IllegalStateException("inner without children");
        long t = 0;
        for (int i = 0; i < in.n; i++) {
            Node k = in.kids[i];
            long c = checkNode(k, seen, prev, false);
            if (c != in.counts[i]) throw new IllegalStateException("count of child " + i);
            if (i > 0) {
                Leaf first = leftmost(k);
                if (first.compareAt(0, in.sepScore[i], in.sepMember[i]) < 0) throw new IllegalStateException("separator above child");
                Leaf last = rightmost(in.kids[i - 1]);
                if (last.compareAt(last.n - 1, in.sepScore[i], in.sepMember[i]) >= 0) throw new IllegalStateException("separator below left child");
            }
            t += c;
        }
        if (t != in.total) throw new IllegalStateException("inner total");
        return t;
    }

    private static Leaf leftmost(Node x) {
        while (x instanceof Inner in) x = in.kids[0];
        return (Leaf) x;
    }

    private static Leaf rightmost(Node x) {
        while (x instanceof Inner in) x = in.kids[in.n - 1];
        return (Leaf) x;
    }
}
