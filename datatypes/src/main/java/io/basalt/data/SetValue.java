package io.basalt.data;

import java.util.Arrays;
import java.util.HashMap;

/**
 * A Redis set. Two encodings, as in Redis 7.0:
 * <ul>
 * <li>intset: a sorted {@code long[]} while every member is a canonical integer and the count stays
 *   within set-max-intset-entries (8 bytes a member, no per-member objects; SMEMBERS and friends
 *   then reply in ascending order, like Redis);</li>
 * <li>hashtable: members in a dense array (so a random member or a stable SSCAN position is
 *   O(1)) plus a hash index from member bytes to its slot; removal moves the last member into
 *   the freed slot.</li>
 * </ul>
 * The conversion to hashtable happens exactly when Redis's does (a non-integer member, or one
 * integer too many) and never back.
 */
public final class SetValue extends FieldEntry implements ZSetSource {
    /** Estimated heap cost of one hashtable member besides its bytes: Member object, map node, slot. */
    private static final long HT_MEMBER_OVERHEAD = 24 + 16 + 32 + 8;
    private static final long BASE = 48;

    // intset encoding (ints != null)
    private long[] ints;
    private int size;

    // hashtable encoding (members != null)
    private Member[] members;
    private HashMap<Member, Member> index;

    private long bytes;

    /**
     * A member of a hashtable set: its bytes, cached hash, and its slot in the dense array.
     * Comparable so that HashMap turns a bucket of colliding members into a tree: crafted
     * collisions (the hash is a plain polynomial) then cost O(log n), not O(n).
     */
    private static final class Member implements Comparable<Member> {
        final byte[] b;
        final int hash;
        int slot;

        Member(byte[] b) {
            this.b = b;
            this.hash = Arrays.hashCode(b);
        }

        @Override
        public int hashCode() { return hash; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Member m && m.hash == hash && Arrays.equals(m.b, b);
        }

        @Override
        public int compareTo(Member o) { return Arrays.compareUnsigned(b, o.b); }
    }

    private SetValue(byte[] key) { super(key); }

    /** An empty intset-encoded set (what SINTERSTORE/SUNIONSTORE start from in Redis). */
    public static SetValue createIntset(byte[] key) {
        SetValue s = new SetValue(key);
        s.ints = new long[4];
        s.recompute();
        return s;
    }

    /** An empty set with the encoding Redis's setTypeCreate picks for its first member. */
    public static SetValue createFor(byte[] key, byte[] firstMember) {
        if (isCanonicalLong(firstMember)) return createIntset(key);
        SetValue s = new SetValue(key);
        s.members = new Member[4];
        s.index = new HashMap<>();
        s.recompute();
        return s;
    }

    @Override
    public String typeName() { return "set"; }

    @Override
    public String encodingName() { return ints != null ? "intset" : "hashtable"; }

    @Override
    public long memoryUsage() { return bytes; }

    public boolean isIntset() { return ints != null; }

    public int size() { return size; }

    public boolean contains(byte[] m) {
        if (ints != null) {
            long v;
            try {
                v = parseCanonical(m);
            } catch (NumberFormatException e) {
                return false;
            }
            return Arrays.binarySearch(ints, 0, size, v) >= 0;
        }
        return index.containsKey(new Member(m));
    }

    /**
     * Adds a member; true if it was not there. Converts to hashtable exactly when Redis 7.0 does
     * ({@code limits}: the thresholds of the keyspace this set lives in, or will be stored in).
     */
    public boolean add(byte[] m, EncodingLimits limits) {
        if (ints != null) {
            long v;
            try {
                v = parseCanonical(m);
            } catch (NumberFormatException e) {
                toHashtable();
                return htAdd(m);
            }
            int pos = Arrays.binarySearch(ints, 0, size, v);
            if (pos >= 0) return false;
            pos = -pos - 1;
            if (size == ints.length) {
                ints = Arrays.copyOf(ints, Math.max(4, size + (size >> 1)));
                bytes += 8L * (ints.length - size);
            }
            System.arraycopy(ints, pos, ints, pos + 1, size - pos);
            ints[pos] = v;
            size++;
            if (size > limits.setMaxIntsetEntries) toHashtable();
            return true;
        }
        return htAdd(m);
    }

    private boolean htAdd(byte[] m) {
        Member mem = new Member(m);
        if (index.putIfAbsent(mem, mem) != null) return false;
        if (size == members.length) {
            members = Arrays.copyOf(members, Math.max(4, size * 2));
            bytes += 4L * (members.length - size);
        }
        mem.slot = size;
        members[size++] = mem;
        bytes += HT_MEMBER_OVERHEAD + ((16 + m.length + 7) & ~7L);
        return true;
    }

    /** Removes a member; true if it was there. */
    public boolean remove(byte[] m) {
        if (ints != null) {
            long v;
            try {
                v = parseCanonical(m);
            } catch (NumberFormatException e) {
                return false;
            }
            int pos = Arrays.binarySearch(ints, 0, size, v);
            if (pos < 0) return false;
            removeAt(pos);
            return true;
        }
        Member mem = index.get(new Member(m));
        if (mem == null) return false;
        removeAt(mem.slot);
        return true;
    }

    /**
     * The member at position i (0 <= i < size), in this set's iteration order: ascending for an
     * intset, slot order for a hashtable. Random access serves SPOP/SRANDMEMBER and SSCAN.
     */
    public byte[] get(int i) {
        return ints != null ? toBytes(ints[i]) : members[i].b;
    }

    /** The member at position i of an intset-encoded set, as a number (no allocation). */
    public long intAt(int i) { return ints[i]; }

    /** Removes and returns the member at position i. */
    public byte[] removeAt(int i) {
        if (ints != null) {
            byte[] out = toBytes(ints[i]);
            System.arraycopy(ints, i + 1, ints, i, size - i - 1);
            size--;
            return out;
        }
        Member mem = members[i];
        index.remove(mem);
        Member last = members[--size];
        members[size] = null;
        if (i != size) {
            members[i] = last;
            last.slot = i;
        }
        bytes -= HT_MEMBER_OVERHEAD + ((16 + mem.b.length + 7) & ~7L);
        return mem.b;
    }

    private void toHashtable() {
        long[] old = ints;
        int n = size;
        ints = null;
        members = new Member[Math.max(4, n)];
        index = new HashMap<>(Math.max(16, n * 2));
        size = 0;
        recompute();
        for (int i = 0; i < n; i++) htAdd(toBytes(old[i]));
    }

    /** Recomputes the byte estimate from scratch (after a change of representation). */
    private void recompute() {
        long b = BASE + key.length;
        if (ints != null) {
            b += 16 + 8L * ints.length;
        } else {
            b += 16 + 4L * members.length + 48;
            for (int i = 0; i < size; i++) b += HT_MEMBER_OVERHEAD + ((16 + members[i].b.length + 7) & ~7L);
        }
        bytes = b;
    }

    @Override
    public ObjectEntry copy(byte[] newKey) {
        SetValue s = new SetValue(newKey);
        s.size = size;
        if (ints != null) {
            s.ints = ints.clone();
        } else {
            s.members = new Member[members.length];
            s.index = new HashMap<>(Math.max(16, size * 2));
            for (int i = 0; i < size; i++) {
                Member m = new Member(members[i].b); // member bytes are never mutated: share them
                m.slot = i;
                s.members[i] = m;
                s.index.put(m, m);
            }
        }
        s.recompute();
        return s;
    }

    @Override
    public ObjectEntry rekeyed(byte[] newKey) {
        SetValue s = new SetValue(newKey);
        s.ints = ints;
        s.size = size;
        s.members = members;
        s.index = index;
        s.bytes = bytes - key.length + newKey.length;
        return s;
    }

    private static final NumberFormatException NOT_INT = new NumberFormatException("not a canonical integer") {
        @Override
        public synchronized Throwable fillInStackTrace() { return this; }
    };

    /** Whether b is what Redis's string2ll accepts: the canonical decimal form of a long. */
    public static boolean isCanonicalLong(byte[] b) {
        try {
            parseCanonical(b);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Redis's string2ll: no sign other than a leading '-', no leading zeros, no spaces, no "-0". */
    static long parseCanonical(byte[] b) {
        int n = b.length;
        if (n == 0 || n > 20) throw NOT_INT;
        if (n == 1 && b[0] == '0') return 0;
        int i = 0;
        boolean neg = false;
        if (b[0] == '-') {
            neg = true;
            i = 1;
            if (n == 1) throw NOT_INT;
        }
        if (b[i] < '1' || b[i] > '9') throw NOT_INT;
        long v = 0; // accumulated negatively so that Long.MIN_VALUE fits
        for (; i < n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) throw NOT_INT;
            if (v < (Long.MIN_VALUE + d) / 10) throw NOT_INT;
            v = v * 10 - d;
        }
        if (neg) return v;
        if (v == Long.MIN_VALUE) throw NOT_INT;
        return -v;
    }

    static byte[] toBytes(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    // ---------------------------------------------------------------- as a ZUNION/ZINTER/ZDIFF input

    @Override
    public int memberCount() { return size; }

    @Override
    public boolean hasMember(byte[] member) { return contains(member); }

    @Override
    public void forEachMember(java.util.function.Consumer<byte[]> visitor) {
        for (int i = 0; i < size; i++) visitor.accept(get(i));
    }
}
