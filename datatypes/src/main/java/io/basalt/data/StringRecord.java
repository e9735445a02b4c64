package io.basalt.data;

/**
 * A string key and its value in one byte array: the only heap object a string key costs.
 *
 * <pre>
 * [0]      flags: bits 0-1 encoding (raw, int, embstr), bit 2 has-expiry, bit 3 compressed
 * [1..3]   24-bit access clock (LRU seconds, or LFU counter + minutes)
 * [4..11]  absolute expiry in unix ms, present only with the has-expiry flag
 * varint   key length
 *          key bytes
 *          value bytes, to the end of the array; with the compressed flag instead:
 *          varint value length, then the value as one LZ4 block, to the end of the array
 * </pre>
 *
 * Keeping TTL and access clock inside the record is what lets Basalt spend less memory per key
 * than Redis (no robj, no dictEntry, no second dict for expires).
 *
 * <p>Compression ({@code basalt-compression lz4}) is invisible to commands: the encoding tag
 * keeps saying what Redis would say, {@link #valueLength} is the real length, {@link #value}
 * and {@link #plain} decompress. Code that indexes the value region directly
 * ({@link #valueOffset} to the end) must first take {@link #plain}, which is the record itself
 * unless it is compressed. A compressed record is never changed in place: writers work on the
 * plain copy and store it again, and {@link Shard#put} compresses what is eligible.
 */
public final class StringRecord {
    private StringRecord() {}

    public static final int ENC_RAW = 0;
    public static final int ENC_INT = 1;
    public static final int ENC_EMBSTR = 2;

    /** Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT. */
    public static final int EMBSTR_LIMIT = 44;

    static final int FLAG_EXPIRE = 4;
    static final int FLAG_COMPRESSED = 8;
    private static final int HEADER = 4;

    public static byte[] create(byte[] key, byte[] value, int vOff, int vLen, long expireAt, int encoding) {
        boolean ttl = expireAt >= 0;
        int keyLenSize = varintSize(key.length);
        int base = HEADER + (ttl ? 8 : 0);
        byte[] r = new byte[base + keyLenSize + key.length + vLen];
        r[0] = (byte) (encoding | (ttl ? FLAG_EXPIRE : 0));
        if (ttl) putLong(r, HEADER, expireAt);
        int p = writeVarint(r, base, key.length);
        System.arraycopy(key, 0, r, p, key.length);
        System.arraycopy(value, vOff, r, p + key.length, vLen);
        return r;
    }

    public static byte[] create(byte[] key, byte[] value, long expireAt, int encoding) {
        return create(key, value, 0, value.length, expireAt, encoding);
    }

    /**
     * The encoding Redis gives a string created by SET-like commands ({@code tryObjectEncoding}):
     * int for canonical integers up to 20 chars, embstr up to 44 bytes, raw above.
     */
    public static int encodingFor(byte[] v, int off, int len) {
        if (len <= 20 && len > 0 && isCanonicalLong(v, off, len)) return ENC_INT;
        return len <= EMBSTR_LIMIT ? ENC_EMBSTR : ENC_RAW;
    }

    private static boolean isCanonicalLong(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        if (len == 1 && b[i] == '0') return true;
        if (b[i] == '-') {
            i++;
            if (i == end) return false;
        }
        if (b[i] < '1' || b[i] > '9') return false;
        for (; i < end; i++) if (b[i] < '0' || b[i] > '9') return false;
        if (end - off - (b[off] == '-' ? 1 : 0) < 19) return true;
        try {
            Long.parseLong(new String(b, off, len, java.nio.charset.StandardCharsets.US_ASCII));
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public static int encoding(byte[] r) { return r[0] & 3; }

    public static boolean hasExpire(byte[] r) { return (r[0] & FLAG_EXPIRE) != 0; }

    /** Absolute expiry in ms, or -1 when the key is persistent. */
    public static long expireAt(byte[] r) { return hasExpire(r) ? getLong(r, HEADER) : -1; }

    public static int keyOffset(byte[] r) {
        int p = HEADER + (hasExpire(r) ? 8 : 0);
        while ((r[p] & 0x80) != 0) p++;
        return p + 1;
    }

    public static int keyLength(byte[] r) {
        int p = HEADER + (hasExpire(r) ? 8 : 0);
        int v = 0;
        int shift = 0;
        while (true) {
            int b = r[p++];
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
            shift += 7;
        }
    }

    public static byte[] key(byte[] r) {
        int off = keyOffset(r);
        return java.util.Arrays.copyOfRange(r, off, off + keyLength(r));
    }

    public static int valueOffset(byte[] r) { return keyOffset(r) + keyLength(r); }

    /** The length of the value (of the decompressed value for a compressed record). */
    public static int valueLength(byte[] r) {
        int off = valueOffset(r);
        return isCompressed(r) ? readVarint(r, off) : r.length - off;
    }

    /** A copy of the value bytes (decompressed). */
    public static byte[] value(byte[] r) {
        int off = valueOffset(r);
        if (!isCompressed(r)) return java.util.Arrays.copyOfRange(r, off, r.length);
        int len = readVarint(r, off);
        byte[] v = new byte[len];
        Lz4.decompress(r, off + varintSize(len), r.length - off - varintSize(len), v, 0, len);
        return v;
    }

    /** Whether the value is stored LZ4-compressed. */
    public static boolean isCompressed(byte[] r) { return (r[0] & FLAG_COMPRESSED) != 0; }

    /**
     * {@code r} itself when its value is stored as is, else a new uncompressed record with the
     * same key, expiry, access clock and encoding tag: the form every accessor that indexes the
     * value region ({@link #valueOffset} to the end) needs. The copy is not stored anywhere;
     * a writer that changes it stores it with {@link Shard#put}.
     */
    public static byte[] plain(byte[] r) {
        if ((r[0] & FLAG_COMPRESSED) == 0) return r;
        int off = valueOffset(r);
        int len = readVarint(r, off);
        int vs = varintSize(len);
        byte[] n = new byte[off + len];
        System.arraycopy(r, 0, n, 0, off);
        n[0] = (byte) (r[0] & ~FLAG_COMPRESSED);
        Lz4.decompress(r, off + vs, r.length - off - vs, n, off, len);
        return n;
    }

    /**
     * {@code r} with its value LZ4-compressed, or {@code r} itself when the value is shorter than
     * {@code minSize}, an integer (kept as is so INCR and OBJECT ENCODING read it directly),
     * already compressed, or when compression would not save at least {@code minSavingPercent}
     * percent of its length (incompressible data stays raw and costs no decompression).
     */
    public static byte[] compress(byte[] r, int minSize, int minSavingPercent) {
        if ((r[0] & (FLAG_COMPRESSED | 3)) != ENC_RAW && (r[0] & (FLAG_COMPRESSED | 3)) != ENC_EMBSTR) return r;
        int off = valueOffset(r);
        int len = r.length - off;
        if (len < minSize || len == 0) return r;
        int vs = varintSize(len);
        // the record is sized exactly, so the block is written to a scratch buffer first
        byte[] scratch = Lz4.scratch(Lz4.maxCompressedLength(len));
        int clen = Lz4.compress(r, off, len, scratch);
        long stored = (long) vs + clen;
        if (stored >= len || (len - stored) * 100 < (long) len * minSavingPercent) return r;
        byte[] n = new byte[off + (int) stored];
        System.arraycopy(r, 0, n, 0, off);
        n[0] = (byte) (r[0] | FLAG_COMPRESSED);
        int p = writeVarint(n, off, len);
        System.arraycopy(scratch, 0, n, p, clen);
        return n;
    }

    /** Bytes compression saves on this record: 0 unless it is compressed. */
    public static long savedBytes(byte[] r) {
        if ((r[0] & FLAG_COMPRESSED) == 0) return 0;
        int off = valueOffset(r);
        return readVarint(r, off) - (long) (r.length - off);
    }

    /**
     * The same value (compressed or not), expiry and encoding tag under another key; the access
     * clock starts unset (RENAME copies it, COPY lets {@link Shard#put} stamp a fresh one).
     */
    public static byte[] rekey(byte[] r, byte[] newKey) {
        int off = valueOffset(r);
        byte[] n = create(newKey, r, off, r.length - off, expireAt(r), encoding(r));
        n[0] |= (byte) (r[0] & FLAG_COMPRESSED);
        return n;
    }

    static int readVarint(byte[] b, int p) {
        int v = 0;
        int shift = 0;
        while (true) {
            int x = b[p++];
            v |= (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return v;
            shift += 7;
        }
    }

    /** A copy of {@code r} with a new expiry (-1 removes it); the array grows or shrinks by 8. */
    public static byte[] withExpire(byte[] r, long expireAt) {
        boolean had = hasExpire(r);
        boolean has = expireAt >= 0;
        if (had && has) {
            byte[] c = r.clone();
            putLong(c, HEADER, expireAt);
            return c;
        }
        if (!had && !has) return r;
        int rest = had ? HEADER + 8 : HEADER;
        byte[] c = new byte[r.length + (has ? 8 : -8)];
        c[0] = (byte) ((r[0] & ~FLAG_EXPIRE) | (has ? FLAG_EXPIRE : 0));
        c[1] = r[1];
        c[2] = r[2];
        c[3] = r[3];
        int dst = HEADER;
        if (has) {
            putLong(c, HEADER, expireAt);
            dst += 8;
        }
        System.arraycopy(r, rest, c, dst, r.length - rest);
        return c;
    }

    /** The 24-bit access clock kept for OBJECT IDLETIME / FREQ and eviction. */
    public static int clock(byte[] r) {
        return ((r[1] & 0xff) << 16) | ((r[2] & 0xff) << 8) | (r[3] & 0xff);
    }

    public static void clock(byte[] r, int clock) {
        r[1] = (byte) (clock >>> 16);
        r[2] = (byte) (clock >>> 8);
        r[3] = (byte) clock;
    }

    public static boolean keyEquals(byte[] r, byte[] key) {
        int off = keyOffset(r);
        int len = keyLength(r);
        return len == key.length && java.util.Arrays.equals(r, off, off + len, key, 0, len);
    }

    static int varintSize(int v) {
        int n = 1;
        while ((v >>>= 7) != 0) n++;
        return n;
    }

    static int writeVarint(byte[] b, int p, int v) {
        while ((v & ~0x7f) != 0) {
            b[p++] = (byte) ((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    static long getLong(byte[] b, int p) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (b[p + i] & 0xff);
        return v;
    }

    static void putLong(byte[] b, int p, long v) {
        for (int i = 7; i >= 0; i--) {
            b[p + i] = (byte) v;
            v >>>= 8;
        }
    }

    // ---------------------------------------------------------------- helpers for the string and bit commands

    /**
     * A record for {@code key} whose value region ({@link #valueOffset} to the end) is
     * {@code vLen} zero bytes, for callers that fill the value in place (one copy from the
     * request buffer, digits written directly, bit operations on a grown string).
     */
    public static byte[] allocate(byte[] key, int vLen, long expireAt, int encoding) {
        boolean ttl = expireAt >= 0;
        int base = HEADER + (ttl ? 8 : 0);
        // a value may be as large as proto-max-bulk-len: checked against the heap first
        byte[] r = HeapGuard.bytes(base + varintSize(key.length) + key.length + vLen);
        r[0] = (byte) (encoding | (ttl ? FLAG_EXPIRE : 0));
        if (ttl) putLong(r, HEADER, expireAt);
        int p = writeVarint(r, base, key.length);
        System.arraycopy(key, 0, r, p, key.length);
        return r;
    }

    /** Bytes a record for a key of {@code keyLen} bytes takes besides its value (header, TTL, key). */
    public static long overhead(int keyLen, boolean ttl) {
        return HEADER + (ttl ? 8 : 0) + varintSize(keyLen) + (long) keyLen;
    }

    /**
     * Changes the encoding tag in place (the value bytes were modified in place). SETBIT,
     * SETRANGE and BITFIELD write into a stored record without copying it when its length does
     * not change, so one record array must never be shared by two keys (COPY clones it).
     */
    public static void encoding(byte[] r, int encoding) {
        r[0] = (byte) ((r[0] & ~3) | encoding);
    }

    /**
     * A copy of {@code r} whose value is extended with zero bytes to {@code vLen} bytes (never
     * shrinks), keeping key, expiry, access clock and encoding tag. A compressed record always
     * gives a new, uncompressed copy, so callers that store the result when it is not {@code r}
     * never write into a stored compressed record.
     */
    public static byte[] grow(byte[] r, int vLen) {
        if (isCompressed(r)) {
            // a compressed record is never written in place: its plain copy is new anyway
            byte[] p = plain(r);
            return vLen <= valueLength(p) ? p : grow(p, vLen);
        }
        int vOff = valueOffset(r);
        int old = r.length - vOff;
        if (vLen <= old) return r;
        return HeapGuard.copyOf(r, vOff + vLen);
    }

    /**
     * Whether a new value of {@code vLen} bytes with expiry {@code expireAt} fits {@code r}'s
     * layout exactly, so SET can overwrite the record in place instead of allocating a new one.
     * Overwriting same-sized values is the common cache workload, and reusing the (usually
     * old-generation) array spares the collector copying every new value once.
     */
    public static boolean fitsInPlace(byte[] r, int vLen, long expireAt) {
        return (r[0] & FLAG_COMPRESSED) == 0 && r.length - valueOffset(r) == vLen && hasExpire(r) == (expireAt >= 0);
    }

    /** Sets the expiry of a record that already has one (see {@link #fitsInPlace}). */
    public static void expireInPlace(byte[] r, long expireAt) {
        putLong(r, HEADER, expireAt);
    }
}
