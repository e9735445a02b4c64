package io.basalt.persistence;

import io.basalt.data.EncodingLimits;
import io.basalt.data.HashValue;
import io.basalt.data.ListValue;
import io.basalt.data.SetValue;
import io.basalt.data.StreamID;
import io.basalt.data.StreamValue;
import io.basalt.data.StringRecord;
import io.basalt.data.ZSetValue;
import io.basalt.resp.Doubles;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Serializes keyspace entries the way Redis 7.0's rdb.c does, into a growable buffer: the object
 * part (type byte + rdbSaveObject) shared by RDB files and DUMP payloads, and the per-key
 * framing (expiry, idle/freq, key) of a file. Not thread-safe; one per writer.
 */
public final class RdbEncoder {
    private byte[] buf = new byte[256];
    private byte[] scratch = new byte[256];
    private int len;
    private final boolean compress;
    /** The thresholds of the keyspace whose values are written: list nodes are cut by them. */
    private final EncodingLimits limits;

    public RdbEncoder(boolean compress, EncodingLimits limits) {
        this.compress = compress;
        this.limits = limits;
    }

    public int size() { return len; }

    public byte[] array() { return buf; }

    public void reset() { len = 0; }

    public byte[] toByteArray() { return Arrays.copyOf(buf, len); }

    private void ensure(int n) {
        if (len + n > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
    }

    public void write(int b) {
        ensure(1);
        buf[len++] = (byte) b;
    }

    public void write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    public void writeLE(long v, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) buf[len++] = (byte) (v >> (8 * i));
    }

    /** rdbSaveLen: {@code l} is unsigned (stream ids and counters use all 64 bits). */
    public void writeLen(long l) {
        if (Long.compareUnsigned(l, 1 << 6) < 0) {
            write((int) l);
        } else if (Long.compareUnsigned(l, 1 << 14) < 0) {
            write((int) ((l >> 8) | 0x40));
            write((int) (l & 0xff));
        } else if (Long.compareUnsigned(l, 0xffffffffL) <= 0) {
            write(0x80);
            for (int i = 3; i >= 0; i--) write((int) (l >> (8 * i)));
        } else {
            write(0x81);
            for (int i = 7; i >= 0; i--) write((int) (l >> (8 * i)));
        }
    }

    /** rdbSaveRawString: int encoding for short canonical ints, LZF above 20 bytes when enabled. */
    public void writeString(byte[] s, int off, int n) {
        if (n <= 11) {
            Long v = RdbIo.canonicalLong(s, off, n);
            if (v != null && writeIntEncoded(v)) return;
        }
        if (compress && n > 20) {
            // into a scratch buffer this encoder keeps: a snapshot compresses every value, and a
            // fresh array per value was most of its garbage
            if (scratch.length < n - 4) scratch = new byte[Math.max(n - 4, scratch.length * 2)];
            int c = Lzf.compress(s, off, n, scratch, n - 4);
            if (c > 0) {
                write(0xC0 | Rdb.ENC_LZF);
                writeLen(c);
                writeLen(n);
                write(scratch, 0, c);
                return;
            }
        }
        writeLen(n);
        write(s, off, n);
    }

    public void writeString(byte[] s) { writeString(s, 0, s.length); }

    public void writeString(String s) { writeString(s.getBytes(StandardCharsets.UTF_8)); }

    /** rdbSaveLongLongAsStringObject. */
    public void writeLongString(long v) {
        if (!writeIntEncoded(v)) writeString(Long.toString(v).getBytes(StandardCharsets.US_ASCII));
    }

    private boolean writeIntEncoded(long v) {
        if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
            write(0xC0 | Rdb.ENC_INT8);
            write((int) v);
        } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
            write(0xC0 | Rdb.ENC_INT16);
            writeLE(v, 2);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            write(0xC0 | Rdb.ENC_INT32);
            writeLE(v, 4);
        } else {
            return false;
        }
        return true;
    }

    public void writeBinaryDouble(double d) { writeLE(Double.doubleToRawLongBits(d), 8); }

    /** The RDB type byte Redis would write for this entry. */
    public static int typeOf(Object e) {
        if (e instanceof byte[]) return Rdb.TYPE_STRING;
        if (e instanceof ListValue) return Rdb.TYPE_LIST_QUICKLIST_2;
        if (e instanceof SetValue s) return s.isIntset() ? Rdb.TYPE_SET_INTSET : Rdb.TYPE_SET;
        if (e instanceof HashValue h) return h.isListpack() ? Rdb.TYPE_HASH_LISTPACK : Rdb.TYPE_HASH;
        if (e instanceof ZSetValue z) return z.isCompact() ? Rdb.TYPE_ZSET_LISTPACK : Rdb.TYPE_ZSET_2;
        if (e instanceof StreamValue) return Rdb.TYPE_STREAM_LISTPACKS_2;
        throw new IllegalArgumentException("no RDB encoding for " + e.getClass());
    }

    /** Type byte then the value (rdbSaveObjectType + rdbSaveObject): what DUMP serializes. */
    public void writeObject(Object e) {
        write(typeOf(e));
        writeValue(e);
    }

    /** rdbSaveObject: the value without its type byte. */
    public void writeValue(Object e) {
        if (e instanceof byte[] stored) {
            byte[] r = StringRecord.plain(stored); // a compressed value is saved as Redis would save it
            writeString(r, StringRecord.valueOffset(r), StringRecord.valueLength(r));
        } else if (e instanceof ListValue l) {
            writeList(l);
        } else if (e instanceof SetValue s) {
            if (s.isIntset()) {
                int n = s.size();
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = s.intAt(i);
                Arrays.sort(v);
                byte[] blob = Intset.build(v, n);
                writeString(blob, 0, blob.length);
            } else {
                writeLen(s.size());
                s.forEachMember(this::writeString);
            }
        } else if (e instanceof HashValue h) {
            if (h.isListpack()) {
                Listpack.Builder b = new Listpack.Builder();
                h.forEach((f, v) -> {
                    b.add(f);
                    b.add(v);
                });
                byte[] lp = b.build();
                writeString(lp, 0, lp.length);
            } else {
                writeLen(h.size());
                h.forEach((f, v) -> {
                    writeString(f);
                    writeString(v);
                });
            }
        } else if (e instanceof ZSetValue z) {
            int n = z.size();
            if (z.isCompact()) {
                Listpack.Builder b = new Listpack.Builder();
                if (n > 0) z.walk(0, n - 1, false, (m, sc) -> {
                    b.add(m);
                    b.add(d2string(sc));
                });
                byte[] lp = b.build();
                writeString(lp, 0, lp.length);
            } else {
                writeLen(n);
                // tail to head, as Redis does, so that loading appends in order
                if (n > 0) z.walk(0, n - 1, true, (m, sc) -> {
                    writeString(m);
                    writeBinaryDouble(sc);
                });
            }
        } else if (e instanceof StreamValue st) {
            writeStream(st);
        } else {
            throw new IllegalArgumentException("no RDB encoding for " + e.getClass());
        }
    }

    /**
     * RDB_TYPE_STREAM_LISTPACKS_2 as Redis 7.0's rdbSaveObject writes it: the nodes (16-byte
     * master id, the listpack as it is), length, last / first / max-deleted ids, entries added,
     * then each group (name, last id, entries read, the PEL with delivery time and count, the
     * consumers with their seen time and the ids they own).
     */
    private void writeStream(StreamValue s) {
        writeLen(s.nodeCount());
        for (java.util.Map.Entry<StreamID, byte[]> n : s.nodes()) {
            writeString(n.getKey().encode());
            byte[] lp = n.getValue();
            writeString(lp, 0, lp.length);
        }
        writeLen(s.length);
        writeId(s.lastId);
        writeId(s.firstId);
        writeId(s.maxDeletedId);
        writeLen(s.entriesAdded);
        writeLen(s.groups().size());
        for (java.util.Map.Entry<byte[], StreamValue.Group> ge : s.groups().entrySet()) {
            StreamValue.Group g = ge.getValue();
            writeString(ge.getKey());
            writeId(g.lastId);
            writeLen(g.entriesRead);
            writeLen(g.pel.size());
            for (java.util.Map.Entry<StreamID, StreamValue.Nack> pe : g.pel.entrySet()) {
                byte[] raw = pe.getKey().encode();
                write(raw, 0, raw.length);
                writeLE(pe.getValue().deliveryTime, 8);
                writeLen(pe.getValue().deliveryCount);
            }
            writeLen(g.consumers.size());
            for (StreamValue.Consumer c : g.consumers.values()) {
                writeString(c.name);
                writeLE(c.seenTime, 8);
                writeLen(c.pel.size());
                for (StreamID id : c.pel.keySet()) {
                    byte[] raw = id.encode();
                    write(raw, 0, raw.length);
                }
            }
        }
    }

    private void writeId(StreamID id) {
        writeLen(id.ms());
        writeLen(id.seq());
    }

    /**
     * Quicklist v2: listpack nodes cut by list-max-listpack-size as Redis's quicklist would. The
     * walk is the persistence one, which leaves the list's compressed nodes as it found them.
     */
    private void writeList(ListValue l) {
        long fill = limits.listMaxListpackSize;
        int maxBytes = fill >= 0 ? 8192 : new int[]{4096, 8192, 16384, 32768, 65536}[(int) Math.min(-fill - 1, 4)];
        long maxCount = fill > 0 ? fill : Long.MAX_VALUE;
        java.util.List<byte[]> nodes = new java.util.ArrayList<>();
        Listpack.Builder[] cur = {new Listpack.Builder()};
        if (l.size() > 0) l.forEach(0, l.size() - 1, false, (b, off, n) -> {
            Listpack.Builder c = cur[0];
            if (c.count() > 0 && (c.count() >= maxCount || c.bytes() + n + 11 > maxBytes)) {
                nodes.add(c.build());
                cur[0] = c = new Listpack.Builder();
            }
            c.add(b, off, n);
            return true;
        });
        if (cur[0].count() > 0) nodes.add(cur[0].build());
        writeLen(nodes.size());
        for (byte[] lp : nodes) {
            writeLen(Rdb.QUICKLIST_NODE_PACKED);
            writeString(lp, 0, lp.length);
        }
    }

    /** Redis's d2string (util.c), the text a listpack sorted set stores for a score. */
    static byte[] d2string(double v) {
        String s;
        if (Double.isNaN(v)) s = "nan";
        else if (Double.isInfinite(v)) s = v < 0 ? "-inf" : "inf";
        else if (v == 0) s = (1.0 / v < 0) ? "-0" : "0";
        else if (v > -4503599627370495.0 && v < 4503599627370496.0 && v == (double) (long) v) s = Long.toString((long) v);
        else s = Doubles.format17g(v);
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * One key as rdbSaveKeyValuePair writes it: expiry, LRU idle or LFU frequency (when the
     * eviction policy asks), type, key, value.
     *
     * @param idleSeconds idle time to record, or -1 for none
     * @param freq LFU counter to record, or -1 for none
     */
    public void writeKeyValue(Object e, byte[] key, long expireAt, long idleSeconds, int freq) {
        writeKeyValue(e, key, 0, key.length, expireAt, idleSeconds, freq);
    }

    /** As above, with the key in {@code key[keyOff, keyOff + keyLen)} (a string record's own bytes). */
    public void writeKeyValue(Object e, byte[] key, int keyOff, int keyLen, long expireAt, long idleSeconds, int freq) {
        if (expireAt >= 0) {
            write(Rdb.OPCODE_EXPIRETIME_MS);
            writeLE(expireAt, 8);
        }
        if (idleSeconds >= 0) {
            write(Rdb.OPCODE_IDLE);
            writeLen(idleSeconds);
        }
        if (freq >= 0) {
            write(Rdb.OPCODE_FREQ);
            write(freq);
        }
        write(typeOf(e));
        writeString(key, keyOff, keyLen);
        writeValue(e);
    }

    public void writeAux(String key, String value) {
        write(Rdb.OPCODE_AUX);
        writeString(key);
        writeString(value);
    }

    public void writeAux(String key, long value) {
        write(Rdb.OPCODE_AUX);
        writeString(key);
        writeLongString(value);
    }

    /**
     * A DUMP payload: object, RDB version (2 bytes LE), CRC64 of all that (8 bytes LE).
     * {@code limits} are those of the keyspace {@code e} lives in.
     */
    public static byte[] dump(Object e, boolean compress, EncodingLimits limits) {
        RdbEncoder enc = new RdbEncoder(compress, limits);
        enc.writeObject(e);
        return enc.dumpFooter();
    }

    /** RDB_OPCODE_FUNCTION2 and the library's code, as rdbSaveFunctions writes each library. */
    public void writeFunction(byte[] code) {
        write(Rdb.OPCODE_FUNCTION2);
        writeString(code);
    }

    /** FUNCTION DUMP's payload: an RDB_OPCODE_FUNCTION2 entry per library, then the DUMP footer. */
    public static byte[] dumpFunctions(java.util.List<byte[]> codes, boolean compress) {
        RdbEncoder enc = new RdbEncoder(compress, new EncodingLimits());
        for (byte[] code : codes) enc.writeFunction(code);
        return enc.dumpFooter();
    }

    /** The DUMP footer after what was written: RDB version (2 bytes LE), CRC64 of everything (8 bytes LE). */
    private byte[] dumpFooter() {
        writeLE(Rdb.VERSION, 2);
        writeLE(Crc64.update(0, buf, 0, len), 8);
        return toByteArray();
    }
}
