package io.basalt.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A stream, as Redis 7.0's t_stream.c keeps it: a sorted map from each node's master id to the
 * node, and each node ONE listpack in Redis's own stream layout (a master entry holding the
 * node's counts and the first entry's field names, then entries of flags, id deltas against the
 * master id, fields or just values when the names are the master's, and a back-count). Nodes end
 * where Redis ends them ({@code stream-node-max-bytes} / {@code stream-node-max-entries}, the
 * exact listpack size counted), so approximate trimming (whole nodes only), XINFO's radix-tree
 * figures and the RDB encoding, which stores these listpacks as they are, are Redis's. Deleted
 * entries stay as flagged tombstones until their node goes, as in Redis.
 *
 * <p>Consumer groups are kept in name order (a rax in Redis): each group its last delivered id,
 * read counter, pending entries list (id -> {@link Nack}) and consumers, each consumer its own
 * PEL sharing the group's Nack objects.
 */
public final class StreamValue extends FieldEntry {
    public static final int FLAG_DELETED = 1;
    public static final int FLAG_SAMEFIELDS = 2;
    /** SCG_INVALID_ENTRIES_READ: a group's read counter that is not known. */
    public static final long INVALID_ENTRIES_READ = -1;
    /** STREAM_LISTPACK_MAX_SIZE. */
    private static final long LISTPACK_MAX_SIZE = 1L << 30;

    private final TreeMap<StreamID, byte[]> nodes = new TreeMap<>();
    private long nodeBytes;
    public long length;
    public long entriesAdded;
    public StreamID lastId = StreamID.MIN;
    public StreamID firstId = StreamID.MIN;
    public StreamID maxDeletedId = StreamID.MIN;
    private TreeMap<byte[], Group> groups;

    public StreamValue(byte[] key) { super(key); }

    @Override public String typeName() { return "stream"; }

    @Override public String encodingName() { return "stream"; }

    /** The number of live entries; a stream key exists even when it is 0 (no emptied removal). */
    @Override public int size() { return (int) Math.min(length, Integer.MAX_VALUE); }

    /** Streams are never removed for being empty: XDEL of every entry leaves the key, as in Redis. */
    @Override public boolean isEmpty() { return false; }

    // ---------------------------------------------------------------- memory

    private static final long BASE = 96;
    private static final long PER_NODE = 40 + 32 + 16; // map entry, id, array header
    private static final long PER_GROUP = 40 + 64 + 2 * 48;
    private static final long PER_PEL = 40 + 32 + 32; // group map entry, id, nack
    private static final long PER_CONSUMER_PEL = 40;
    private static final long PER_CONSUMER = 40 + 48 + 48;

    @Override
    public long memoryUsage() {
        long m = BASE + nodes.size() * PER_NODE + nodeBytes;
        if (groups != null) {
            for (Map.Entry<byte[], Group> e : groups.entrySet()) {
                Group g = e.getValue();
                m += PER_GROUP + e.getKey().length + g.pel.size() * (PER_PEL + PER_CONSUMER_PEL);
                for (Consumer c : g.consumers.values()) m += PER_CONSUMER + c.name.length;
            }
        }
        return m;
    }

    // ---------------------------------------------------------------- nodes (read)

    /** The nodes in id order: master id -> listpack (RDB writing; callers must not change them). */
    public Iterable<Map.Entry<StreamID, byte[]>> nodes() { return nodes.entrySet(); }

    public int nodeCount() { return nodes.size(); }

    /**
     * The number of nodes the rax holding {@link #nodes} has (XINFO's radix-tree-nodes): its
     * keys are the 16-byte big-endian master ids, every one the same length, so the tree is the
     * compressed trie over them: one node per chain of single-child bytes, one per branching
     * point, one per key.
     */
    public long raxNodes() {
        byte[][] keys = new byte[nodes.size()][];
        int i = 0;
        for (StreamID id : nodes.keySet()) keys[i++] = id.encode();
        return raxCount(keys, 0, keys.length, 0);
    }

    private static long raxCount(byte[][] keys, int lo, int hi, int depth) {
        if (hi - lo == 0) return 1; // an empty rax is its root
        if (depth == 16) return 1; // the key's own node
        // run of bytes every key in [lo, hi) shares from depth on
        int d = depth;
        while (d < 16 && keys[lo][d] == keys[hi - 1][d]) d++; // sorted: first and last agree => all agree
        if (d > depth) return 1 + raxCount(keys, lo, hi, d); // a compressed node, then what follows it
        long n = 1; // a branching node, then one subtree per distinct byte
        int s = lo;
        for (int k = lo + 1; k <= hi; k++) {
            if (k == hi || keys[k][depth] != keys[s][depth]) {
                n += raxCount(keys, s, k, depth + 1);
                s = k;
            }
        }
        return n;
    }

    /** Loads one node as read from a file (after validation by the loader). */
    public void loadNode(StreamID master, byte[] lp) {
        byte[] old = nodes.put(master, lp);
        if (old != null) nodeBytes -= old.length;
        nodeBytes += lp.length;
    }

    /**
     * streamValidateListpackIntegrity with deep checks, for a node read from a file or a DUMP
     * payload: a sound listpack holding a master entry (counts, field names, 0) and entries whose
     * shape (flags, id deltas, fields, back-count) is the stream layout, ids ascending from the
     * master id, counts that agree. Commands then read nodes without further checks.
     */
    public static boolean validNode(StreamID master, byte[] lp) {
        int n = ListpackCodec.validate(lp);
        if (n < 0) return false;
        try {
            int p = ListpackCodec.HEADER;
            int[] left = {n};
            long live = intElement(lp, p, left);
            p = ListpackCodec.next(lp, p);
            long dead = intElement(lp, p, left);
            p = ListpackCodec.next(lp, p);
            long masterFields = intElement(lp, p, left);
            p = ListpackCodec.next(lp, p);
            if (live < 0 || dead < 0 || masterFields < 0 || masterFields > left[0]) return false;
            for (long i = 0; i < masterFields; i++) {
                left[0]--;
                p = ListpackCodec.next(lp, p);
            }
            if (intElement(lp, p, left) != 0) return false;
            p = ListpackCodec.next(lp, p);
            long seenLive = 0, seenDead = 0;
            StreamID prev = null;
            while (!ListpackCodec.atEnd(lp, p)) {
                long flags = intElement(lp, p, left);
                p = ListpackCodec.next(lp, p);
                long ms = intElement(lp, p, left);
                p = ListpackCodec.next(lp, p);
                long seq = intElement(lp, p, left);
                p = ListpackCodec.next(lp, p);
                StreamID id = new StreamID(master.ms() + ms, master.seq() + seq);
                if (prev != null && id.compareTo(prev) <= 0) return false;
                prev = id;
                long fields = masterFields, elements;
                if ((flags & FLAG_SAMEFIELDS) == 0) {
                    fields = intElement(lp, p, left);
                    p = ListpackCodec.next(lp, p);
                    if (fields < 0 || 2 * fields > left[0]) return false;
                    elements = 2 * fields;
                } else {
                    if (fields > left[0]) return false;
                    elements = fields;
                }
                for (long i = 0; i < elements; i++) {
                    left[0]--;
                    p = ListpackCodec.next(lp, p);
                }
                long lpCount = intElement(lp, p, left);
                p = ListpackCodec.next(lp, p);
                if (lpCount != elements + 3 + ((flags & FLAG_SAMEFIELDS) == 0 ? 1 : 0)) return false;
                if ((flags & FLAG_DELETED) != 0) seenDead++;
                else seenLive++;
            }
            return seenLive == live && seenDead == dead && seenLive + seenDead > 0;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** An integer element, counting it off {@code left}; throws when absent or not an integer. */
    private static long intElement(byte[] lp, int p, int[] left) {
        if (left[0]-- <= 0 || ListpackCodec.atEnd(lp, p) || !ListpackCodec.isInt(lp, p)) throw new IllegalStateException("bad stream node");
        return ListpackCodec.intAt(lp, p);
    }

    /** Whether a node with this master id exists (the loader refuses duplicates, as Redis). */
    public boolean hasNode(StreamID master) { return nodes.containsKey(master); }

    // ---------------------------------------------------------------- append

    /**
     * The id XADD gives a new entry (the first part of streamAppendItem): {@code given} when
     * {@code seqGiven}, an automatic sequence for {@code <ms>-*}, the next id after now for "*"
     * ({@code given} null). Null when that id is not above the last one (Redis's EDOM).
     */
    public StreamID nextId(StreamID given, boolean seqGiven, long nowMs) {
        StreamID id;
        if (given != null) {
            if (seqGiven) {
                id = given;
            } else if (lastId.ms() == given.ms()) {
                if (lastId.seq() == -1L) return null;
                id = new StreamID(lastId.ms(), lastId.seq() + 1);
            } else {
                id = given;
            }
        } else if (Long.compareUnsigned(nowMs, lastId.ms()) > 0) {
            id = new StreamID(nowMs, 0);
        } else {
            id = lastId.next();
            if (id == null) id = StreamID.MIN; // wrapped: refused below
        }
        return id.compareTo(lastId) <= 0 ? null : id;
    }

    /**
     * Appends the entry {@code id} (above {@link #lastId}) with {@code fv} = field, value, ...
     * (streamAppendItem after the id): to the last node unless that node is full by the limits'
     * node bounds, else to a new node whose master entry takes this entry's field names.
     */
    public void append(StreamID id, byte[][] fv, EncodingLimits limits) {
        int numFields = fv.length / 2;
        long totelelen = 0;
        for (byte[] b : fv) totelelen += b.length;
        Map.Entry<StreamID, byte[]> tail = nodes.lastEntry();
        byte[] lp = null;
        StreamID master = null;
        if (tail != null) {
            lp = tail.getValue();
            master = tail.getKey();
            long maxBytes = limits.streamNodeMaxBytes;
            if (maxBytes == 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
            if (lp.length + totelelen >= maxBytes) {
                lp = null;
            } else if (limits.streamNodeMaxEntries != 0) {
                int p = ListpackCodec.HEADER;
                long count = ListpackCodec.intAt(lp, p) + ListpackCodec.intAt(lp, ListpackCodec.next(lp, p));
                if (count >= limits.streamNodeMaxEntries) lp = null;
            }
        }
        int flags = 0;
        if (lp == null) {
            master = id;
            int size = ListpackCodec.intSize(1) + ListpackCodec.intSize(0) + ListpackCodec.intSize(numFields) + ListpackCodec.intSize(0);
            for (int i = 0; i < numFields; i++) size += ListpackCodec.stringSize(fv[2 * i]);
            byte[] chunk = new byte[size];
            int q = ListpackCodec.putInt(chunk, 0, 1);
            q = ListpackCodec.putInt(chunk, q, 0);
            q = ListpackCodec.putInt(chunk, q, numFields);
            for (int i = 0; i < numFields; i++) q = ListpackCodec.putString(chunk, q, fv[2 * i]);
            q = ListpackCodec.putInt(chunk, q, 0);
            lp = ListpackCodec.append(ListpackCodec.empty(), chunk, q, numFields + 4);
            flags = FLAG_SAMEFIELDS;
        } else {
            nodeBytes -= lp.length;
            int p = ListpackCodec.HEADER;
            lp = ListpackCodec.replaceInt(lp, p, ListpackCodec.intAt(lp, p) + 1);
            p = ListpackCodec.next(lp, ListpackCodec.next(lp, p)); // master num-fields
            long masterFields = ListpackCodec.intAt(lp, p);
            p = ListpackCodec.next(lp, p);
            if (masterFields == numFields) {
                int i = 0;
                for (; i < masterFields; i++, p = ListpackCodec.next(lp, p)) {
                    if (!ListpackCodec.equalsAt(lp, p, fv[2 * i])) break;
                }
                if (i == masterFields) flags = FLAG_SAMEFIELDS;
            }
        }
        boolean same = flags == FLAG_SAMEFIELDS;
        long msDiff = id.ms() - master.ms();
        long seqDiff = id.seq() - master.seq();
        int size = ListpackCodec.intSize(flags) + ListpackCodec.intSize(msDiff) + ListpackCodec.intSize(seqDiff);
        if (!same) size += ListpackCodec.intSize(numFields);
        for (int i = 0; i < numFields; i++) {
            if (!same) size += ListpackCodec.stringSize(fv[2 * i]);
            size += ListpackCodec.stringSize(fv[2 * i + 1]);
        }
        long lpCount = numFields + 3 + (same ? 0 : numFields + 1);
        size += ListpackCodec.intSize(lpCount);
        byte[] chunk = new byte[size];
        int q = ListpackCodec.putInt(chunk, 0, flags);
        q = ListpackCodec.putInt(chunk, q, msDiff);
        q = ListpackCodec.putInt(chunk, q, seqDiff);
        if (!same) q = ListpackCodec.putInt(chunk, q, numFields);
        for (int i = 0; i < numFields; i++) {
            if (!same) q = ListpackCodec.putString(chunk, q, fv[2 * i]);
            q = ListpackCodec.putString(chunk, q, fv[2 * i + 1]);
        }
        q = ListpackCodec.putInt(chunk, q, lpCount);
        lp = ListpackCodec.append(lp, chunk, q, (int) lpCount + 1);
        nodes.put(master, lp);
        nodeBytes += lp.length;
        length++;
        entriesAdded++;
        lastId = id;
        if (length == 1) firstId = id;
    }

    // ---------------------------------------------------------------- iteration

    /** The entries of one node: offsets of each entry's flags element, in order. */
    private static final class NodeView {
        final byte[] lp;
        final StreamID master;
        final int masterFieldCount;
        final int masterFieldsStart;
        final int[] entries;
        final int entryCount;

        NodeView(StreamID master, byte[] lp) {
            this.lp = lp;
            this.master = master;
            int p = ListpackCodec.HEADER;
            p = ListpackCodec.next(lp, ListpackCodec.next(lp, p));
            masterFieldCount = (int) ListpackCodec.intAt(lp, p);
            p = ListpackCodec.next(lp, p);
            masterFieldsStart = p;
            for (int i = 0; i < masterFieldCount; i++) p = ListpackCodec.next(lp, p);
            p = ListpackCodec.next(lp, p); // the master entry's 0 terminator
            int[] es = new int[16];
            int n = 0;
            while (!ListpackCodec.atEnd(lp, p)) {
                if (n == es.length) es = Arrays.copyOf(es, n * 2);
                es[n++] = p;
                int flags = (int) ListpackCodec.intAt(lp, p);
                p = ListpackCodec.next(lp, ListpackCodec.next(lp, ListpackCodec.next(lp, p)));
                long skip;
                if ((flags & FLAG_SAMEFIELDS) != 0) {
                    skip = masterFieldCount;
                } else {
                    skip = 2 * ListpackCodec.intAt(lp, p);
                    p = ListpackCodec.next(lp, p);
                }
                for (long k = 0; k < skip; k++) p = ListpackCodec.next(lp, p);
                p = ListpackCodec.next(lp, p); // lp-count
            }
            entries = es;
            entryCount = n;
        }

        int flags(int i) { return (int) ListpackCodec.intAt(lp, entries[i]); }

        StreamID id(int i) {
            int p = ListpackCodec.next(lp, entries[i]);
            long ms = master.ms() + ListpackCodec.intAt(lp, p);
            long seq = master.seq() + ListpackCodec.intAt(lp, ListpackCodec.next(lp, p));
            return new StreamID(ms, seq);
        }

        /** Field, value, field, value... of entry i. */
        byte[][] fields(int i) {
            int p = entries[i];
            int flags = (int) ListpackCodec.intAt(lp, p);
            p = ListpackCodec.next(lp, ListpackCodec.next(lp, ListpackCodec.next(lp, p)));
            if ((flags & FLAG_SAMEFIELDS) != 0) {
                byte[][] r = new byte[2 * masterFieldCount][];
                int m = masterFieldsStart;
                for (int k = 0; k < masterFieldCount; k++) {
                    r[2 * k] = ListpackCodec.bytesAt(lp, m);
                    m = ListpackCodec.next(lp, m);
                    r[2 * k + 1] = ListpackCodec.bytesAt(lp, p);
                    p = ListpackCodec.next(lp, p);
                }
                return r;
            }
            int n = (int) ListpackCodec.intAt(lp, p);
            p = ListpackCodec.next(lp, p);
            byte[][] r = new byte[2 * n][];
            for (int k = 0; k < 2 * n; k++) {
                r[k] = ListpackCodec.bytesAt(lp, p);
                p = ListpackCodec.next(lp, p);
            }
            return r;
        }
    }

    /**
     * streamIterator: the entries with start <= id <= end (tombstones skipped unless asked
     * for), ascending or, with {@code rev}, descending. The stream must not change during it.
     */
    public final class Iter {
        private final StreamID start, end;
        private final boolean rev, skipTombstones;
        private final Iterator<Map.Entry<StreamID, byte[]>> nodeIt;
        private NodeView node;
        private int idx;
        private StreamID id;
        private int flags;

        Iter(StreamID start, StreamID end, boolean rev, boolean skipTombstones) {
            this.start = start == null ? StreamID.MIN : start;
            this.end = end == null ? StreamID.MAX : end;
            this.rev = rev;
            this.skipTombstones = skipTombstones;
            StreamID from;
            if (!rev) {
                from = start != null && !start.isZero() ? nodes.floorKey(start) : null;
                nodeIt = (from == null ? nodes : nodes.tailMap(from, true)).entrySet().iterator();
            } else {
                from = end != null && !end.isZero() ? nodes.floorKey(end) : null;
                nodeIt = (from == null ? nodes.descendingMap() : nodes.headMap(from, true).descendingMap()).entrySet().iterator();
            }
        }

        /** Moves to the next entry in range; false at the end. */
        public boolean next() {
            while (true) {
                if (node == null) {
                    if (!nodeIt.hasNext()) return false;
                    Map.Entry<StreamID, byte[]> e = nodeIt.next();
                    node = new NodeView(e.getKey(), e.getValue());
                    idx = rev ? node.entryCount - 1 : 0;
                } else {
                    idx += rev ? -1 : 1;
                }
                if (idx < 0 || idx >= node.entryCount) {
                    node = null;
                    continue;
                }
                StreamID cur = node.id(idx);
                int f = node.flags(idx);
                boolean emit = !skipTombstones || (f & FLAG_DELETED) == 0;
                if (!rev) {
                    if (cur.compareTo(start) >= 0 && emit) {
                        if (cur.compareTo(end) > 0) return false;
                        id = cur;
                        flags = f;
                        return true;
                    }
                } else if (cur.compareTo(end) <= 0 && emit) {
                    if (cur.compareTo(start) < 0) return false;
                    id = cur;
                    flags = f;
                    return true;
                }
            }
        }

        public StreamID id() { return id; }

        public boolean deleted() { return (flags & FLAG_DELETED) != 0; }

        /** The current entry's field, value, field, value... (fresh arrays). */
        public byte[][] fields() { return node.fields(idx); }
    }

    public Iter iterator(StreamID start, StreamID end, boolean rev) { return new Iter(start, end, rev, true); }

    /** streamGetEdgeID: the first (or last) id, tombstones included unless skipped; null if none. */
    public StreamID edgeId(boolean first, boolean skipTombstones) {
        Iter it = new Iter(null, null, !first, skipTombstones);
        return it.next() ? it.id() : null;
    }

    /** streamLastValidID: the last live entry's id (the stream must not be empty). */
    public StreamID lastValidId() {
        StreamID id = edgeId(false, true);
        return id == null ? StreamID.MIN : id;
    }

    /** streamEntryExists: a live entry with this id. */
    public boolean exists(StreamID id) {
        Iter it = iterator(id, id, false);
        return it.next();
    }

    /** The fields of the live entry {@code id}, or null. */
    public byte[][] entry(StreamID id) {
        Iter it = iterator(id, id, false);
        return it.next() ? it.fields() : null;
    }

    // ---------------------------------------------------------------- delete / trim

    /**
     * streamDeleteItem: flags the live entry {@code id} deleted (dropping its node when it held
     * the last live entry) and keeps first id and max deleted id as XDEL does. False if absent.
     */
    public boolean delete(StreamID id) {
        StreamID masterKey = nodes.floorKey(id);
        if (masterKey == null) return false;
        byte[] lp = nodes.get(masterKey);
        NodeView v = new NodeView(masterKey, lp);
        for (int i = 0; i < v.entryCount; i++) {
            if ((v.flags(i) & FLAG_DELETED) != 0 || !v.id(i).equals(id)) continue;
            nodeBytes -= lp.length;
            int p = ListpackCodec.HEADER;
            long live = ListpackCodec.intAt(lp, p);
            if (live == 1) {
                nodes.remove(masterKey);
            } else {
                lp = ListpackCodec.replaceInt(lp, v.entries[i], v.flags(i) | FLAG_DELETED);
                lp = ListpackCodec.replaceInt(lp, p, live - 1);
                int d = ListpackCodec.next(lp, p);
                lp = ListpackCodec.replaceInt(lp, d, ListpackCodec.intAt(lp, d) + 1);
                nodes.put(masterKey, lp);
                nodeBytes += lp.length;
            }
            length--;
            return true;
        }
        return false;
    }

    /** After XDEL deleted {@code deleted} entries, one of them possibly the first: as xdelCommand. */
    public void afterDeletes(boolean firstDeleted) {
        if (length == 0) firstId = StreamID.MIN;
        else if (firstDeleted) firstId = edgeIdOrMax(true);
    }

    private StreamID edgeIdOrMax(boolean first) {
        StreamID id = edgeId(first, true);
        return id != null ? id : (first ? StreamID.MAX : StreamID.MIN);
    }

    /**
     * streamTrim: removes entries from the head until at most {@code maxlen} remain (MAXLEN,
     * {@code minid} null) or none below {@code minid} (MINID). With {@code approx} only whole
     * nodes go; {@code limit} (0: none) bounds the entries removed. Returns how many went.
     */
    public long trim(long maxlen, StreamID minid, boolean approx, long limit) {
        long deleted = 0;
        boolean byLen = minid == null;
        while (!nodes.isEmpty()) {
            if (byLen && length <= maxlen) break;
            Map.Entry<StreamID, byte[]> e = nodes.firstEntry();
            byte[] lp = e.getValue();
            long entries = ListpackCodec.intAt(lp, ListpackCodec.HEADER);
            if (limit != 0 && deleted + entries > limit) break;
            NodeView v = new NodeView(e.getKey(), lp);
            boolean removeNode;
            if (byLen) {
                removeNode = length - entries >= maxlen;
            } else {
                removeNode = v.entryCount > 0 && v.id(v.entryCount - 1).compareTo(minid) < 0;
            }
            if (removeNode) {
                nodes.remove(e.getKey());
                nodeBytes -= lp.length;
                length -= entries;
                deleted += entries;
                continue;
            }
            if (approx) break;
            nodeBytes -= lp.length;
            long deletedHere = 0;
            for (int i = 0; i < v.entryCount; i++) {
                boolean stop = byLen ? length <= maxlen : v.id(i).compareTo(minid) >= 0;
                if (stop) break;
                int f = v.flags(i);
                if ((f & FLAG_DELETED) == 0) {
                    // same-size rewrite (flags 0..3 are one byte): offsets of later entries hold
                    lp = ListpackCodec.replaceInt(lp, v.entries[i], f | FLAG_DELETED);
                    deletedHere++;
                    length--;
                }
            }
            deleted += deletedHere;
            int p = ListpackCodec.HEADER;
            lp = ListpackCodec.replaceInt(lp, p, entries - deletedHere);
            p = ListpackCodec.next(lp, p);
            lp = ListpackCodec.replaceInt(lp, p, ListpackCodec.intAt(lp, p) + deletedHere);
            nodes.put(e.getKey(), lp);
            nodeBytes += lp.length;
            break;
        }
        if (length == 0) firstId = StreamID.MIN;
        else if (deleted != 0) firstId = edgeIdOrMax(true);
        return deleted;
    }

    // ---------------------------------------------------------------- consumer groups

    /** A pending entry: last delivery time, delivery count, owner. */
    public static final class Nack {
        public long deliveryTime;
        public long deliveryCount;
        public Consumer consumer;

        public Nack(long deliveryTime, long deliveryCount, Consumer consumer) {
            this.deliveryTime = deliveryTime;
            this.deliveryCount = deliveryCount;
            this.consumer = consumer;
        }
    }

    public static final class Consumer {
        public final byte[] name;
        public long seenTime;
        public final TreeMap<StreamID, Nack> pel = new TreeMap<>();

        Consumer(byte[] name, long seenTime) {
            this.name = name;
            this.seenTime = seenTime;
        }
    }

    public static final class Group {
        public StreamID lastId;
        public long entriesRead;
        public final TreeMap<StreamID, Nack> pel = new TreeMap<>();
        public final TreeMap<byte[], Consumer> consumers = new TreeMap<>(Arrays::compareUnsigned);

        Group(StreamID lastId, long entriesRead) {
            this.lastId = lastId;
            this.entriesRead = entriesRead;
        }

        public Consumer consumer(byte[] name) { return consumers.get(name); }

        /** streamCreateConsumer: null when it exists. */
        public Consumer createConsumer(byte[] name, long now) {
            if (consumers.containsKey(name)) return null;
            Consumer c = new Consumer(name, now);
            consumers.put(name, c);
            return c;
        }

        /** streamDelConsumer: drops the consumer and its pending entries from the group. */
        public void deleteConsumer(Consumer c) {
            for (StreamID id : c.pel.keySet()) pel.remove(id);
            consumers.remove(c.name);
        }

        /** Removes one pending entry from the group and its owner (XACK). */
        public boolean ack(StreamID id) {
            Nack n = pel.remove(id);
            if (n == null) return false;
            if (n.consumer != null) n.consumer.pel.remove(id);
            return true;
        }
    }

    /** The groups by name (rax order: bytes compared unsigned, a prefix first). */
    public Map<byte[], Group> groups() {
        return groups == null ? java.util.Collections.emptyMap() : groups;
    }

    public Group group(byte[] name) { return groups == null ? null : groups.get(name); }

    /** streamCreateCG: null when the name exists. */
    public Group createGroup(byte[] name, StreamID lastId, long entriesRead) {
        if (groups == null) groups = new TreeMap<>(Arrays::compareUnsigned);
        if (groups.containsKey(name)) return null;
        Group g = new Group(lastId, entriesRead);
        groups.put(name, g);
        return g;
    }

    public boolean destroyGroup(byte[] name) {
        return groups != null && groups.remove(name) != null;
    }

    // ---------------------------------------------------------------- lag and read counters

    /** streamRangeHasTombstones(start, end = +inf or given). */
    public boolean rangeHasTombstones(StreamID start, StreamID end) {
        if (length == 0 || maxDeletedId.isZero()) return false;
        if (firstId.compareTo(maxDeletedId) > 0) return false;
        StreamID s = start == null ? StreamID.MIN : start;
        StreamID e = end == null ? StreamID.MAX : end;
        return s.compareTo(maxDeletedId) <= 0 && maxDeletedId.compareTo(e) <= 0;
    }

    /** streamEstimateDistanceFromFirstEverEntry; {@link #INVALID_ENTRIES_READ} when unknown. */
    public long estimateDistance(StreamID id) {
        if (entriesAdded == 0) return 0;
        if (length == 0 && id.compareTo(lastId) < 1) return entriesAdded;
        int cmpLast = id.compareTo(lastId);
        if (cmpLast == 0) return entriesAdded;
        if (cmpLast > 0) return INVALID_ENTRIES_READ;
        int cmpFirst = id.compareTo(firstId);
        if (maxDeletedId.isZero() || maxDeletedId.compareTo(firstId) < 0) {
            if (cmpFirst < 0) return entriesAdded - length;
            if (cmpFirst == 0) return entriesAdded - length + 1;
        }
        return INVALID_ENTRIES_READ;
    }

    /** streamReplyWithCGLag's figure: the lag, or null when it cannot be known. */
    public Long lag(Group g) {
        if (entriesAdded == 0) return 0L;
        if (g.entriesRead != INVALID_ENTRIES_READ && !rangeHasTombstones(g.lastId, null)) return entriesAdded - g.entriesRead;
        long read = estimateDistance(g.lastId);
        return read != INVALID_ENTRIES_READ ? entriesAdded - read : null;
    }

    /** What a group's counters become when it is served entry {@code id} (streamReplyWithRange). */
    public void delivered(Group g, StreamID id) {
        if (id.compareTo(g.lastId) <= 0) return;
        if (g.entriesRead != INVALID_ENTRIES_READ && !rangeHasTombstones(id, null)) g.entriesRead++;
        else if (entriesAdded != 0) g.entriesRead = estimateDistance(id);
        g.lastId = id;
    }

    // ---------------------------------------------------------------- copies

    @Override
    public ObjectEntry copy(byte[] newKey) {
        StreamValue s = new StreamValue(newKey);
        for (Map.Entry<StreamID, byte[]> e : nodes.entrySet()) s.loadNode(e.getKey(), e.getValue().clone());
        s.length = length;
        s.entriesAdded = entriesAdded;
        s.lastId = lastId;
        s.firstId = firstId;
        s.maxDeletedId = maxDeletedId;
        if (groups != null) {
            for (Map.Entry<byte[], Group> e : groups.entrySet()) {
                Group g = e.getValue();
                Group ng = s.createGroup(e.getKey(), g.lastId, g.entriesRead);
                for (Map.Entry<StreamID, Nack> pe : g.pel.entrySet()) {
                    ng.pel.put(pe.getKey(), new Nack(pe.getValue().deliveryTime, pe.getValue().deliveryCount, null));
                }
                for (Consumer c : g.consumers.values()) {
                    Consumer nc = ng.createConsumer(c.name, c.seenTime);
                    for (StreamID id : c.pel.keySet()) {
                        Nack n = ng.pel.get(id);
                        n.consumer = nc;
                        nc.pel.put(id, n);
                    }
                }
            }
        }
        return s;
    }

    @Override
    public ObjectEntry rekeyed(byte[] newKey) {
        StreamValue s = new StreamValue(newKey);
        s.nodes.putAll(nodes);
        s.nodeBytes = nodeBytes;
        s.length = length;
        s.entriesAdded = entriesAdded;
        s.lastId = lastId;
        s.firstId = firstId;
        s.maxDeletedId = maxDeletedId;
        s.groups = groups;
        return s;
    }

    /** For tests: every live entry id in order. */
    List<StreamID> ids() {
        List<StreamID> r = new ArrayList<>();
        Iter it = iterator(null, null, false);
        while (it.next()) r.add(it.id());
        return r;
    }
}
