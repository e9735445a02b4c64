package io.basalt.persistence;

import io.basalt.data.EncodingLimits;
import io.basalt.data.HashValue;
import io.basalt.data.ListValue;
import io.basalt.data.ObjectEntry;
import io.basalt.data.SetValue;
import io.basalt.data.StreamID;
import io.basalt.data.StreamValue;
import io.basalt.data.StringRecord;
import io.basalt.data.ZSetValue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads RDB files (versions 1 to 10, everything Redis 7.0 loads except modules, streams and
 * functions) and DUMP payloads. Values are rebuilt through the data types' normal APIs, so the
 * encoding thresholds (hash-max-listpack-entries, ...) of the receiving keyspace pick each value's
 * encoding as Redis's loader does. Every malformed input ends in an {@link RdbException} or {@link EOFException},
 * never in a half-built value reaching the sink.
 */
public final class RdbLoader {
    private final RdbInput in;
    private final EncodingLimits limits;
    private int version = Rdb.VERSION;

    private RdbLoader(InputStream in, EncodingLimits limits) {
        this.in = new RdbInput(in);
        this.limits = limits;
    }

    /**
     * Result of a load. {@code bytes} is exactly where the RDB ended in the stream (after the
     * checksum), even though the loader reads ahead: an AOF with an RDB preamble continues there.
     */
    public record Stats(int version, long keys, long bytes, boolean checksumVerified) {}

    /**
     * Loads a whole RDB stream into {@code sink}.
     *
     * @throws RdbException on bad format, version, or checksum mismatch
     * @throws IOException on read errors or truncation ({@link EOFException})
     */
    public static Stats load(InputStream input, KeyspaceSink sink) throws IOException {
        return new RdbLoader(input, sink.limits()).loadAll(sink);
    }

    /** The "REDIS" signature and a version this loader can read. */
    private void readHeader() throws IOException {
        byte[] magic = new byte[9];
        in.readFully(magic, 0, 9);
        if (!new String(magic, 0, 5, StandardCharsets.US_ASCII).equals("REDIS")) {
            throw new RdbException("Wrong signature trying to load DB from file");
        }
        int ver;
        try {
            ver = Integer.parseInt(new String(magic, 5, 4, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            throw new RdbException("Wrong signature trying to load DB from file");
        }
        if (ver < 1 || ver > Rdb.VERSION) throw new RdbException("Can't handle RDB format version " + ver);
        version = ver;
    }

    /**
     * The aux fields at the head of an RDB stream (redis-ver, ctime, ...), up to the first other
     * opcode; the rest of the stream is not read.
     */
    public static Map<String, byte[]> auxFields(InputStream input) throws IOException {
        RdbLoader l = new RdbLoader(input, new EncodingLimits()); // reads no value
        l.readHeader();
        Map<String, byte[]> aux = new LinkedHashMap<>();
        while (l.in.read() == Rdb.OPCODE_AUX) {
            byte[] k = l.readString();
            aux.put(new String(k, StandardCharsets.UTF_8), l.readString());
        }
        return aux;
    }

    private Stats loadAll(KeyspaceSink sink) throws IOException {
        readHeader();
        int db = 0;
        long expireAt = -1;
        long idle = -1;
        int freq = -1;
        long keys = 0;
        while (true) {
            int type = in.read();
            switch (type) {
                case Rdb.OPCODE_EXPIRETIME:
                    expireAt = in.readLE(4) * 1000;
                    continue;
                case Rdb.OPCODE_EXPIRETIME_MS:
                    expireAt = in.readLE(8);
                    continue;
                case Rdb.OPCODE_FREQ:
                    freq = in.read();
                    continue;
                case Rdb.OPCODE_IDLE:
                    idle = readLen();
                    continue;
                case Rdb.OPCODE_EOF:
                    break;
                case Rdb.OPCODE_SELECTDB:
                    long d = readLen();
                    if (d < 0 || d >= Integer.MAX_VALUE) throw new RdbException("FATAL: Data file was created with a Redis server configured to handle more than " + d + " databases.");
                    db = (int) d;
                    continue;
                case Rdb.OPCODE_RESIZEDB:
                    sink.resizeDb(db, readLen(), readLen());
                    continue;
                case Rdb.OPCODE_AUX: {
                    byte[] k = readString();
                    byte[] v = readString();
                    sink.aux(new String(k, StandardCharsets.UTF_8), v);
                    continue;
                }
                case Rdb.OPCODE_MODULE_AUX:
                    throw new RdbException("The RDB file contains AUX module data I can't load: no modules in Basalt");
                case Rdb.OPCODE_FUNCTION:
                case Rdb.OPCODE_FUNCTION2:
                    sink.function(readFunction(type));
                    continue;
                default: {
                    byte[] key = readString();
                    Object e = readObject(type, key, expireAt);
                    // empty collections are skipped, as Redis 7.0 does
                    if (e != null) {
                        sink.key(db, key, e, expireAt, idle, freq);
                        keys++;
                    }
                    expireAt = -1;
                    idle = -1;
                    freq = -1;
                    continue;
                }
            }
            break;
        }
        boolean verified = false;
        if (version >= 5) {
            long expected = in.crc();
            long stored = in.readLE(8);
            if (stored != 0) {
                // Redis's wording: "expected" is the checksum of what was read, "got" the stored one
                if (stored != expected) {
                    throw new RdbException("Wrong RDB checksum expected: (" + Long.toHexString(expected) + ") but got ("
                            + Long.toHexString(stored) + "). Aborting now. RDB CRC error");
                }
                verified = true;
            }
        }
        return new Stats(version, keys, in.offset(), verified);
    }

    /**
     * Decodes a DUMP payload into an entry for {@code key} (without expiry), checking its RDB
     * version and CRC64 footer first; {@code limits} are those of the keyspace it will go into.
     *
     * @throws RdbException "DUMP payload version or checksum are wrong" or "Bad data format"
     */
    public static Object restore(byte[] payload, byte[] key, EncodingLimits limits) {
        if (!verifyDump(payload)) throw new RdbException("DUMP payload version or checksum are wrong");
        // like Redis, the object is read from the whole payload: a value running into the footer
        // is not detected (restoreCommand does not check where the object ended)
        RdbLoader l = new RdbLoader(new ByteArrayInputStream(payload), limits);
        try {
            int type = l.in.read();
            Object e = l.readObject(type, key, -1);
            if (e == null) throw new RdbException("Bad data format");
            return e;
        } catch (IOException | RuntimeException ex) {
            throw new RdbException("Bad data format", ex);
        }
    }

    /**
     * The library codes of a FUNCTION DUMP payload (Redis's functionRestoreCommand's read): its
     * RDB_OPCODE_FUNCTION2 (or 7.0-rc RDB_OPCODE_FUNCTION) entries up to the 10-byte footer.
     *
     * @throws RdbException with Redis's error text
     */
    public static List<byte[]> functions(byte[] payload) {
        if (!verifyDump(payload)) throw new RdbException("DUMP payload version or checksum are wrong");
        RdbLoader l = new RdbLoader(new ByteArrayInputStream(payload, 0, payload.length - 10), new EncodingLimits());
        List<byte[]> codes = new ArrayList<>();
        while (payload.length - l.in.offset() > 10) {
            int type;
            try {
                type = l.in.read();
            } catch (IOException e) {
                throw new RdbException("can not read data type");
            }
            if (type != Rdb.OPCODE_FUNCTION && type != Rdb.OPCODE_FUNCTION2) throw new RdbException("given type is not a function");
            try {
                codes.add(l.readFunction(type));
            } catch (IOException | RuntimeException e) {
                throw new RdbException(e instanceof RdbException r && r.getMessage().startsWith("Failed loading") ? r.getMessage() : "Failed loading library payload");
            }
        }
        return codes;
    }

    /**
     * A library's code: RDB_OPCODE_FUNCTION2's string, or an RDB_OPCODE_FUNCTION (7.0-rc1/rc2:
     * name, engine, optional description, code) rebuilt as the code with its shebang, as Redis does.
     */
    private byte[] readFunction(int type) throws IOException {
        if (type == Rdb.OPCODE_FUNCTION2) return readString();
        byte[] name = readString();
        byte[] engine = readString();
        if (readLen() != 0) readString();
        byte[] blob = readString();
        java.io.ByteArrayOutputStream code = new java.io.ByteArrayOutputStream();
        code.writeBytes("#!".getBytes(StandardCharsets.US_ASCII));
        code.writeBytes(engine);
        code.writeBytes(" name=".getBytes(StandardCharsets.US_ASCII));
        code.writeBytes(name);
        code.write('\n');
        code.writeBytes(blob);
        return code.toByteArray();
    }

    /** Redis's verifyDumpPayload: footer = 2-byte RDB version (<= ours) + CRC64 of the rest. */
    public static boolean verifyDump(byte[] p) {
        if (p.length < 10) return false;
        int ver = (p[p.length - 10] & 0xff) | ((p[p.length - 9] & 0xff) << 8);
        if (ver > Rdb.VERSION) return false;
        long crc = Crc64.update(0, p, 0, p.length - 8);
        return crc == RdbIo.le(p, p.length - 8, 8);
    }

    // ------------------------------------------------------------------ primitives

    private long readLen() throws IOException {
        int b = in.read();
        int t = (b & 0xC0) >> 6;
        if (t == 0) return b & 0x3f;
        if (t == 1) return ((b & 0x3f) << 8) | in.read();
        if (b == 0x80) {
            long v = 0;
            for (int i = 0; i < 4; i++) v = (v << 8) | in.read();
            return v;
        }
        if (b == 0x81) {
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | in.read();
            return v;
        }
        throw new RdbException("Unknown length encoding " + b + " in rdbLoadLen()");
    }

    private static final long MAX_BLOB = 512L * 1024 * 1024;

    private byte[] readString() throws IOException {
        int b = in.read();
        if ((b & 0xC0) == 0xC0) {
            switch (b & 0x3f) {
                case Rdb.ENC_INT8: return Listpack.ascii((byte) in.read());
                case Rdb.ENC_INT16: return Listpack.ascii((short) in.readLE(2));
                case Rdb.ENC_INT32: return Listpack.ascii((int) in.readLE(4));
                case Rdb.ENC_LZF: {
                    long clen = readLen();
                    long len = readLen();
                    if (clen > MAX_BLOB || len > MAX_BLOB) throw new RdbException("LZF string too long");
                    // a back reference (2-3 bytes) expands to at most 264 bytes: a larger claimed
                    // length is corrupt, and is refused before allocating it
                    if (len > clen * 132 + 32) throw new RdbException("LZF: impossible decompressed length");
                    byte[] c = readBytes((int) clen);
                    return Lzf.decompress(c, 0, c.length, (int) len);
                }
                default: throw new RdbException("Unknown RDB string encoding type " + (b & 0x3f));
            }
        }
        // a plain length: re-decode from the first byte
        long len;
        int t = (b & 0xC0) >> 6;
        if (t == 0) len = b & 0x3f;
        else if (t == 1) len = ((b & 0x3f) << 8) | in.read();
        else if (b == 0x80) len = readBE(4);
        else if (b == 0x81) len = readBE(8);
        else throw new RdbException("Unknown length encoding " + b + " in rdbLoadLen()");
        if (len < 0 || len > MAX_BLOB) throw new RdbException("string too long");
        return readBytes((int) len);
    }

    /**
     * n bytes; large ones are read in 1 MiB pieces first, so a corrupt length on a short input
     * ends in EOF instead of a huge allocation.
     */
    private byte[] readBytes(int n) throws IOException {
        if (n <= (1 << 20)) {
            byte[] s = new byte[n];
            in.readFully(s, 0, n);
            return s;
        }
        List<byte[]> parts = new ArrayList<>();
        for (int left = n; left > 0; ) {
            byte[] p = new byte[Math.min(left, 1 << 20)];
            in.readFully(p, 0, p.length);
            parts.add(p);
            left -= p.length;
        }
        byte[] s = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, s, off, p.length);
            off += p.length;
        }
        return s;
    }

    private long readBE(int n) throws IOException {
        long v = 0;
        for (int i = 0; i < n; i++) v = (v << 8) | in.read();
        return v;
    }

    private double readBinaryDouble() throws IOException {
        return Double.longBitsToDouble(in.readLE(8));
    }

    /** The old (type 3) text score: length byte, 253 nan, 254 +inf, 255 -inf. */
    private double readTextDouble() throws IOException {
        int l = in.read();
        if (l == 253) return Double.NaN;
        if (l == 254) return Double.POSITIVE_INFINITY;
        if (l == 255) return Double.NEGATIVE_INFINITY;
        byte[] b = new byte[l];
        in.readFully(b, 0, l);
        return parseScore(b);
    }

    static double parseScore(byte[] b) {
        String s = new String(b, StandardCharsets.US_ASCII);
        switch (s.toLowerCase()) {
            case "inf": case "+inf": case "infinity": case "+infinity": return Double.POSITIVE_INFINITY;
            case "-inf": case "-infinity": return Double.NEGATIVE_INFINITY;
            case "nan": case "-nan": throw new RdbException("sorted set score is NaN");
            default:
                try {
                    return Double.parseDouble(s);
                } catch (NumberFormatException e) {
                    throw new RdbException("bad sorted set score");
                }
        }
    }

    private long checkedLen(long n) {
        if (n < 0 || n > Integer.MAX_VALUE) throw new RdbException("collection too long");
        return n;
    }

    // ------------------------------------------------------------------ objects

    /** Reads one value of RDB type {@code type}; null for an empty collection. */
    private Object readObject(int type, byte[] key, long expireAt) throws IOException {
        switch (type) {
            case Rdb.TYPE_STRING: {
                byte[] v = readString();
                return StringRecord.create(key, v, expireAt, StringRecord.encodingFor(v, 0, v.length));
            }
            case Rdb.TYPE_LIST: {
                long n = checkedLen(readLen());
                ListValue l = new ListValue(key);
                for (long i = 0; i < n; i++) l.pushTail(readString(), limits);
                return l.size() == 0 ? null : l;
            }
            case Rdb.TYPE_LIST_ZIPLIST: {
                ListValue l = new ListValue(key);
                Ziplist.parse(readString(), v -> l.pushTail(v, limits));
                return l.size() == 0 ? null : l;
            }
            case Rdb.TYPE_LIST_QUICKLIST:
            case Rdb.TYPE_LIST_QUICKLIST_2: {
                long nodes = checkedLen(readLen());
                ListValue l = new ListValue(key);
                for (long i = 0; i < nodes; i++) {
                    int container = Rdb.QUICKLIST_NODE_PACKED;
                    if (type == Rdb.TYPE_LIST_QUICKLIST_2) {
                        container = (int) readLen();
                        if (container != Rdb.QUICKLIST_NODE_PACKED && container != Rdb.QUICKLIST_NODE_PLAIN) {
                            throw new RdbException("Quicklist integrity check failed.");
                        }
                    }
                    byte[] blob = readString();
                    if (container == Rdb.QUICKLIST_NODE_PLAIN) l.pushTail(blob, limits);
                    else if (type == Rdb.TYPE_LIST_QUICKLIST) Ziplist.parse(blob, v -> l.pushTail(v, limits));
                    else Listpack.parse(blob, v -> l.pushTail(v, limits));
                }
                return l.size() == 0 ? null : l;
            }
            case Rdb.TYPE_SET: {
                long n = checkedLen(readLen());
                SetValue s = null;
                for (long i = 0; i < n; i++) {
                    byte[] m = readString();
                    if (s == null) s = SetValue.createFor(key, m);
                    if (!s.add(m, limits)) throw new RdbException("Duplicate set members detected");
                }
                return s;
            }
            case Rdb.TYPE_SET_INTSET: {
                List<byte[]> ms = new ArrayList<>();
                Intset.parse(readString(), v -> ms.add(Listpack.ascii(v)));
                if (ms.isEmpty()) return null;
                SetValue s = SetValue.createIntset(key);
                for (byte[] m : ms) s.add(m, limits);
                return s;
            }
            case Rdb.TYPE_ZSET:
            case Rdb.TYPE_ZSET_2: {
                long n = checkedLen(readLen());
                List<byte[]> ms = new ArrayList<>();
                double[] sc = new double[(int) Math.min(n, 1 << 20)];
                long maxLen = 0;
                for (long i = 0; i < n; i++) {
                    byte[] m = readString();
                    double d = type == Rdb.TYPE_ZSET_2 ? readBinaryDouble() : readTextDouble();
                    if (Double.isNaN(d)) throw new RdbException("Zset with NAN score detected");
                    if (ms.size() == sc.length) sc = java.util.Arrays.copyOf(sc, sc.length * 2);
                    sc[ms.size()] = d;
                    ms.add(m);
                    maxLen = Math.max(maxLen, m.length);
                }
                return buildZSet(key, ms, sc, maxLen);
            }
            case Rdb.TYPE_ZSET_ZIPLIST:
            case Rdb.TYPE_ZSET_LISTPACK: {
                List<byte[]> flat = new ArrayList<>();
                byte[] blob = readString();
                if (type == Rdb.TYPE_ZSET_ZIPLIST) Ziplist.parse(blob, flat::add);
                else Listpack.parse(blob, flat::add);
                if ((flat.size() & 1) != 0) throw new RdbException("Zset listpack integrity check failed.");
                List<byte[]> ms = new ArrayList<>();
                double[] sc = new double[flat.size() / 2];
                long maxLen = 0;
                for (int i = 0; i < flat.size(); i += 2) {
                    sc[i / 2] = parseScore(flat.get(i + 1));
                    ms.add(flat.get(i));
                    maxLen = Math.max(maxLen, flat.get(i).length);
                }
                return buildZSet(key, ms, sc, maxLen);
            }
            case Rdb.TYPE_HASH: {
                long n = checkedLen(readLen());
                HashValue h = new HashValue(key);
                for (long i = 0; i < n; i++) {
                    byte[] f = readString();
                    byte[] v = readString();
                    if (!h.set(f, v, limits)) throw new RdbException("Duplicate hash fields detected");
                }
                return h.size() == 0 ? null : h;
            }
            case Rdb.TYPE_HASH_ZIPMAP:
            case Rdb.TYPE_HASH_ZIPLIST:
            case Rdb.TYPE_HASH_LISTPACK: {
                List<byte[]> flat = new ArrayList<>();
                byte[] blob = readString();
                if (type == Rdb.TYPE_HASH_ZIPMAP) Ziplist.parseZipmap(blob, flat::add);
                else if (type == Rdb.TYPE_HASH_ZIPLIST) Ziplist.parse(blob, flat::add);
                else Listpack.parse(blob, flat::add);
                if ((flat.size() & 1) != 0) throw new RdbException("Hash listpack integrity check failed.");
                HashValue h = new HashValue(key);
                for (int i = 0; i < flat.size(); i += 2) {
                    if (!h.set(flat.get(i), flat.get(i + 1), limits)) throw new RdbException("Duplicate hash fields detected");
                }
                return h.size() == 0 ? null : h;
            }
            case Rdb.TYPE_STREAM_LISTPACKS:
            case Rdb.TYPE_STREAM_LISTPACKS_2:
                return readStream(key, type == Rdb.TYPE_STREAM_LISTPACKS_2);
            case Rdb.TYPE_MODULE:
            case Rdb.TYPE_MODULE_2:
                throw new RdbException("The RDB file contains module data I can't load: no modules in Basalt");
            default:
                throw new RdbException("Unknown RDB encoding type " + type);
        }
    }

    /**
     * A stream as Redis 7.0's rdbLoadObject reads RDB_TYPE_STREAM_LISTPACKS(_2): every node's
     * listpack is checked (structure and stream layout) before it is kept as it is; the v1 form
     * (Redis 5/6) gets its entries-added, first id and groups' read counters derived as Redis does.
     */
    private StreamValue readStream(byte[] key, boolean v2) throws IOException {
        StreamValue s = new StreamValue(key);
        long nodes = readLen();
        while (nodes-- > 0) {
            byte[] nodeKey = readString();
            if (nodeKey.length != 16) throw new RdbException("Stream node key entry is not the size of a stream ID");
            byte[] lp = readString();
            StreamID master = StreamID.decode(nodeKey, 0);
            if (!StreamValue.validNode(master, lp)) throw new RdbException("Stream listpack integrity check failed.");
            if (s.hasNode(master)) throw new RdbException("Listpack re-added with existing key");
            s.loadNode(master, lp);
        }
        s.length = readLen();
        s.lastId = new StreamID(readLen(), readLen());
        if (v2) {
            s.firstId = new StreamID(readLen(), readLen());
            s.maxDeletedId = new StreamID(readLen(), readLen());
            s.entriesAdded = readLen();
        } else {
            s.entriesAdded = s.length;
            StreamID first = s.edgeId(true, true);
            s.firstId = first == null ? StreamID.MAX : first;
        }
        if (s.length != 0 && s.nodeCount() == 0) throw new RdbException("Stream length inconsistent with rax entries");
        long groups = readLen();
        while (groups-- > 0) {
            byte[] name = readString();
            StreamID last = new StreamID(readLen(), readLen());
            long read = v2 ? readLen() : s.estimateDistance(last);
            StreamValue.Group g = s.createGroup(name, last, read);
            if (g == null) throw new RdbException("Duplicated consumer group name");
            long pel = readLen();
            byte[] raw = new byte[16];
            while (pel-- > 0) {
                in.readFully(raw, 0, 16);
                long time = in.readLE(8);
                long count = readLen();
                if (g.pel.putIfAbsent(StreamID.decode(raw, 0), new StreamValue.Nack(time, count, null)) != null) {
                    throw new RdbException("Duplicated global PEL entry loading stream consumer group");
                }
            }
            long consumers = readLen();
            while (consumers-- > 0) {
                byte[] cname = readString();
                StreamValue.Consumer c = g.createConsumer(cname, 0);
                if (c == null) throw new RdbException("Duplicate stream consumer detected.");
                c.seenTime = in.readLE(8);
                long owned = readLen();
                while (owned-- > 0) {
                    in.readFully(raw, 0, 16);
                    StreamID id = StreamID.decode(raw, 0);
                    StreamValue.Nack n = g.pel.get(id);
                    if (n == null) throw new RdbException("Consumer entry not found in group global PEL");
                    n.consumer = c;
                    if (c.pel.putIfAbsent(id, n) != null) throw new RdbException("Duplicated consumer PEL entry loading a stream consumer group");
                }
            }
            // a pending entry no consumer owns would break every command that reports its owner
            for (StreamValue.Nack n : g.pel.values()) {
                if (n.consumer == null) throw new RdbException("Stream PEL NACK has no consumer");
            }
        }
        return s;
    }

    private ObjectEntry buildZSet(byte[] key, List<byte[]> ms, double[] sc, long maxLen) {
        if (ms.isEmpty()) return null;
        ZSetValue z = ZSetValue.create(key, ms.size(), maxLen, limits);
        for (int i = 0; i < ms.size(); i++) {
            if (!z.put(ms.get(i), sc[i], limits)) throw new RdbException("Duplicate zset fields detected");
        }
        return z;
    }
}
