package io.basalt.data;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Redis 7.0's HyperLogLog, byte for byte: a plain string value that starts with a 16-byte header
 * and holds 16384 six-bit registers, either densely packed or run-length encoded ("sparse").
 * Because the format is Redis's own ({@code hyperloglog.c}), an HLL written by redis-server (SET,
 * DUMP, RDB, AOF) is read here and the other way round, and the same additions give the same
 * bytes. Written from Redis's description of the format and algorithm:
 *
 * <pre>
 * header   "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes,
 *          cached cardinality: 8 bytes little endian, its top bit set when the cache is stale
 * dense    12288 bytes: register i is 6 bits starting at bit 6*i, least significant bits first
 * sparse   opcodes: ZERO 00xxxxxx (1-64 zero registers), XZERO 01xxxxxx yyyyyyyy (1-16384 zero
 *          registers), VAL 1vvvvvxx (1-4 registers of value 1-32)
 * </pre>
 *
 * <p>An instance is a working view of one HLL string: {@link #wrap} views bytes in place (a
 * stored string record's value region) and dense register updates and the cached cardinality
 * are written there; a sparse update that changes the length, and the conversion to dense, move
 * the HLL to an array of its own ({@link #inPlace} turns false), which the caller stores. Every
 * read of a sparse string is bounded by its length: a corrupted HLL gives {@code -1} or
 * {@code false}, never an exception or an allocation beyond the dense size.
 */
public final class HyperLogLog {
    public static final int HEADER = 16;
    public static final int REGISTERS = 1 << 14;
    /** HLL_Q: the hash bits left after the 14 of the register index. */
    private static final int Q = 64 - 14;
    private static final int REGISTER_MAX = 63;
    public static final int DENSE_SIZE = HEADER + REGISTERS * 6 / 8;
    public static final int DENSE = 0;
    public static final int SPARSE = 1;
    private static final int SPARSE_VAL_MAX_VALUE = 32;
    private static final int SPARSE_VAL_MAX_LEN = 4;
    private static final int SPARSE_ZERO_MAX_LEN = 64;
    private static final int SPARSE_XZERO_MAX_LEN = 16384;
    /** 0.5 / ln(2), the alpha of the estimator as the register count goes to infinity. */
    private static final double ALPHA_INF = 0.721347520444481703680;
    /** The seed Redis's hllPatLen gives MurmurHash64A. */
    private static final int SEED = 0xadc83b19;

    private static final VarHandle LE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf;
    private int off;
    private int len;
    private boolean inPlace;
    private boolean modified;

    private HyperLogLog(byte[] buf, int off, int len, boolean inPlace) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        this.inPlace = inPlace;
    }

    /** A view of the HLL string at {@code b[off, off + len)}; check it with {@link #isValid} first. */
    public static HyperLogLog wrap(byte[] b, int off, int len) {
        return new HyperLogLog(b, off, len, true);
    }

    /**
     * A new empty HLL as Redis's {@code createHLLObject} makes it: sparse, one XZERO opcode for
     * all the registers, cached cardinality 0 (valid).
     */
    public static HyperLogLog empty() {
        byte[] b = new byte[HEADER + 2 + 8];
        b[0] = 'H';
        b[1] = 'Y';
        b[2] = 'L';
        b[3] = 'L';
        b[4] = SPARSE;
        int p = HEADER;
        for (int left = REGISTERS; left > 0; left -= SPARSE_XZERO_MAX_LEN) {
            xzero(b, p, Math.min(left, SPARSE_XZERO_MAX_LEN));
            p += 2;
        }
        HyperLogLog h = new HyperLogLog(b, 0, p, false);
        h.modified = true;
        return h;
    }

    /**
     * Redis's {@code isHLLObjectOrReply} checks on a string value: at least a header, the magic,
     * a known encoding, and exactly the dense size when dense. A sparse body is not checked here
     * (commands find a corrupted one as they read it, as Redis does).
     */
    public static boolean isValid(byte[] b, int off, int len) {
        if (len < HEADER) return false;
        if (b[off] != 'H' || b[off + 1] != 'Y' || b[off + 2] != 'L' || b[off + 3] != 'L') return false;
        int enc = b[off + 4] & 0xff;
        if (enc > SPARSE) return false;
        return enc != DENSE || len == DENSE_SIZE;
    }

    /** The bytes holding the HLL string now: the wrapped array, or an array of its own. */
    public byte[] buffer() { return buf; }

    public int offset() { return off; }

    public int length() { return len; }

    /** Whether the HLL still lives in the array given to {@link #wrap} (at the same length). */
    public boolean inPlace() { return inPlace; }

    /** Whether anything was written (registers, cached cardinality, encoding). */
    public boolean modified() { return modified; }

    public int encoding() { return buf[off + 4] & 0xff; }

    /** A copy of the HLL string. */
    public byte[] toBytes() { return java.util.Arrays.copyOfRange(buf, off, off + len); }

    // ---------------------------------------------------------------- cached cardinality

    /** HLL_VALID_CACHE: the top bit of the cached cardinality is clear. */
    public boolean cacheValid() { return (buf[off + 15] & 0x80) == 0; }

    /** HLL_INVALIDATE_CACHE: sets the top bit, keeping the rest of the old value. */
    public void invalidateCache() {
        buf[off + 15] |= (byte) 0x80;
        modified = true;
    }

    public long cachedCardinality() { return (long) LE_LONG.get(buf, off + 8); }

    public void cacheCardinality(long card) {
        LE_LONG.set(buf, off + 8, card);
        modified = true;
    }

    // ---------------------------------------------------------------- hashing

    /**
     * MurmurHash2, 64-bit version (MurmurHash64A) as Redis has it: 8-byte blocks read little
     * endian whatever the platform, so every server hashes an element the same way.
     */
    public static long murmurHash64A(byte[] key, int off, int len, int seed) {
        final long m = 0xc6a4a7935bd1e995L;
        final int r = 47;
        long h = (seed & 0xffffffffL) ^ (len * m);
        int end = off + (len - (len & 7));
        for (int p = off; p != end; p += 8) {
            long k = (long) LE_LONG.get(key, p);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h ^= k;
            h *= m;
        }
        int rest = len & 7;
        if (rest > 0) {
            for (int i = rest - 1; i >= 0; i--) h ^= (long) (key[end + i] & 0xff) << (8 * i);
            h *= m;
        }
        h ^= h >>> r;
        h *= m;
        h ^= h >>> r;
        return h;
    }

    /**
     * Redis's {@code hllPatLen}: the register an element goes to (low 14 bits of its hash) in the
     * low 16 bits of the result, and above them the length of the run of zeros that follows plus
     * one (1 to 51).
     */
    static int patLen(byte[] e, int off, int len) {
        long hash = murmurHash64A(e, off, len, SEED);
        int index = (int) (hash & (REGISTERS - 1));
        hash >>>= 14;
        hash |= 1L << Q; // the run ends by bit Q at the latest
        int count = Long.numberOfTrailingZeros(hash) + 1;
        return (count << 16) | index;
    }

    // ---------------------------------------------------------------- dense registers

    /** HLL_DENSE_GET_REGISTER over registers starting at {@code regs}. */
    private static int denseGet(byte[] b, int regs, int i) {
        int bit = i * 6;
        int p = regs + (bit >>> 3);
        int fb = bit & 7;
        int v = (b[p] & 0xff) >>> fb;
        // a register starting at bit 0 or 2 of its byte lies in that byte alone (so the last
        // register never reads past the string, where Redis reads its null terminator)
        if (fb > 2) v |= (b[p + 1] & 0xff) << (8 - fb);
        return v & REGISTER_MAX;
    }

    /** HLL_DENSE_SET_REGISTER. */
    private static void denseSet(byte[] b, int regs, int i, int val) {
        int bit = i * 6;
        int p = regs + (bit >>> 3);
        int fb = bit & 7;
        b[p] = (byte) ((b[p] & ~(REGISTER_MAX << fb)) | (val << fb));
        if (fb > 2) {
            int fb8 = 8 - fb;
            b[p + 1] = (byte) ((b[p + 1] & ~(REGISTER_MAX >>> fb8)) | (val >>> fb8));
        }
    }

    /** The value of register {@code i} of a dense HLL (PFDEBUG GETREG). */
    public int register(int i) { return denseGet(buf, off + HEADER, i); }

    /** {@code hllDenseSet}: raises the register to {@code count}; 1 if it changed, else 0. */
    private int denseUpdate(int index, int count) {
        int regs = off + HEADER;
        if (count > denseGet(buf, regs, index)) {
            denseSet(buf, regs, index, count);
            modified = true;
            return 1;
        }
        return 0;
    }

    // ---------------------------------------------------------------- sparse opcodes

    private static void xzero(byte[] b, int p, int n) {
        int l = n - 1;
        b[p] = (byte) ((l >>> 8) | 0x40);
        b[p + 1] = (byte) l;
    }

    private static byte val(int value, int n) {
        return (byte) (((value - 1) << 2) | (n - 1) | 0x80);
    }

    /**
     * The run length of the XZERO opcode at {@code p}. When a corrupted string ends after its
     * first byte, Redis reads the byte after the string, the sds terminator: 0, unless a split
     * of that very opcode wrote one byte past the new end (see {@link #sparseSet}). An array of
     * our own keeps that byte at {@code off + len}; a wrapped string ends with its array, so 0.
     * (Redis keeps such a byte in memory across commands; a stored record does not, so the
     * next command reads 0 there: the one place where a corrupted HLL may decode differently.)
     */
    private int xzeroLen(int p, int end) {
        int lo = p + 1 < buf.length ? buf[p + 1] & 0xff : 0;
        return (((buf[p] & 0x3f) << 8) | lo) + 1;
    }

    /**
     * Makes the sparse HLL an array of its own with room for {@code extra} more bytes and the
     * terminator byte after them.
     */
    private void own(int extra) {
        if (!inPlace && buf.length - off - len > extra) return;
        int cap = Math.max(len + extra + 1, inPlace ? len + 16 : len * 2);
        byte[] n = HeapGuard.bytes(cap);
        System.arraycopy(buf, off, n, 0, len);
        buf = n;
        off = 0;
        inPlace = false;
    }

    /**
     * Redis's {@code hllSparseToDense}: the dense form of a sparse HLL (header kept, encoding
     * changed, the cached cardinality as it was); false when the sparse form is corrupted (its
     * opcodes do not cover exactly 16384 registers), and then nothing changes.
     */
    public boolean toDense() {
        if (encoding() == DENSE) return true;
        byte[] d = new byte[DENSE_SIZE];
        System.arraycopy(buf, off, d, 0, HEADER);
        d[4] = DENSE;
        boolean valid = runs((first, n, value) -> {
            if (value != 0) for (int i = first; i < first + n; i++) denseSet(d, HEADER, i, value);
        });
        if (!valid) return false;
        buf = d;
        off = 0;
        len = DENSE_SIZE;
        inPlace = false;
        modified = true;
        return true;
    }

    /**
     * Redis's {@code hllSparseSet}: raises register {@code index} to {@code count} in a sparse
     * HLL, splitting the opcode that covers it and merging equal neighbours the way Redis does,
     * so the bytes come out identical. Promotes to dense when the value does not fit a VAL
     * opcode or the string would grow past {@code maxBytes}. Returns 1 when the register changed,
     * 0 when it already was at least {@code count}, -1 when the HLL is corrupted.
     */
    private int sparseSet(int index, int count, long maxBytes) {
        if (count > SPARSE_VAL_MAX_VALUE) return promote(index, count);
        // step 1: the opcode covering the register
        int sparse = off + HEADER;
        int end = off + len;
        int p = sparse;
        int first = 0;
        int prev = -1;
        int span = 0;
        while (p < end) {
            int op = buf[p] & 0xff;
            int oplen = 1;
            if ((op & 0xc0) == 0) {
                span = (op & 0x3f) + 1;
            } else if ((op & 0x80) != 0) {
                span = (op & 3) + 1;
            } else {
                span = xzeroLen(p, end);
                oplen = 2;
            }
            if (index <= first + span - 1) break;
            prev = p;
            p += oplen;
            first += span;
        }
        if (span == 0 || p >= end) return -1;
        int op = buf[p] & 0xff;
        boolean isZero = (op & 0xc0) == 0;
        boolean isXzero = (op & 0xc0) == 0x40;
        boolean isVal = (op & 0x80) != 0;
        int next = isXzero ? p + 2 : p + 1;
        if (next >= end) next = -1;
        int runlen = isZero ? (op & 0x3f) + 1 : isXzero ? xzeroLen(p, end) : (op & 3) + 1;

        // step 2: cases that need no split
        if (isVal) {
            int old = ((op >>> 2) & 0x1f) + 1;
            if (old >= count) return 0;
            if (runlen == 1) {
                int shift = ownShift(0);
                buf[p + shift] = val(count, 1);
                return sparseUpdated(prev < 0 ? -1 : prev + shift);
            }
        }
        // a ZERO opcode of one register becomes a VAL opcode of one
        if (isZero && runlen == 1) {
            int shift = ownShift(0);
            buf[p + shift] = val(count, 1);
            return sparseUpdated(prev < 0 ? -1 : prev + shift);
        }

        // the general case: the opcode becomes up to three (XZERO VAL XZERO at most: 5 bytes)
        byte[] seq = new byte[5];
        int n = 0;
        int last = first + span - 1;
        if (isZero || isXzero) {
            if (index != first) n = zeros(seq, n, index - first);
            seq[n++] = val(count, 1);
            if (index != last) n = zeros(seq, n, last - index);
        } else {
            int curval = ((op >>> 2) & 0x1f) + 1;
            if (index != first) seq[n++] = val(curval, index - first);
            seq[n++] = val(count, 1);
            if (index != last) seq[n++] = val(curval, last - index);
        }

        // step 3: the new sequence replaces the old opcode
        int oldlen = isXzero ? 2 : 1;
        int delta = n - oldlen;
        if (delta > 0 && len + (long) delta > maxBytes) return promote(index, count);
        int shift = ownShift(Math.max(delta, 0) + 8);
        p += shift;
        end += shift;
        if (delta != 0 && next >= 0) {
            next += shift;
            System.arraycopy(buf, next, buf, next + delta, end - next);
        }
        len += delta;
        buf[off + len] = 0; // sdsIncrLen's terminator, before the copy that may overwrite it
        System.arraycopy(seq, 0, buf, p, n);
        return sparseUpdated(prev < 0 ? -1 : prev + shift);
    }

    /** What a walk over the sparse opcodes ({@link #runs}) does with each run of registers. */
    private interface Run {
        void registers(int first, int n, int value);
    }

    /**
     * Walks the sparse opcodes, giving each run of registers to {@code run} (value 0 for ZERO
     * and XZERO) in order; true when they cover exactly the 16384 registers. A run past the last
     * register ends the walk as corrupted before it is given: redis-server 7.0.15 as installed
     * (Debian's, with the CVE-2025-32023 fix) refuses any overflow, and without a bound the sum
     * of a long corrupted string's runs would wrap.
     */
    private boolean runs(Run run) {
        int idx = 0;
        int p = off + HEADER;
        int end = off + len;
        while (p < end) {
            int op = buf[p] & 0xff;
            int n;
            int value = 0;
            if ((op & 0xc0) == 0) {
                n = (op & 0x3f) + 1;
                p++;
            } else if ((op & 0x80) == 0) {
                n = xzeroLen(p, end);
                p += 2;
            } else {
                n = (op & 3) + 1;
                value = ((op >>> 2) & 0x1f) + 1;
                p++;
            }
            if (n > REGISTERS - idx) return false;
            run.registers(idx, n, value);
            idx += n;
        }
        return idx == REGISTERS;
    }

    /** {@link #own}, returning how far positions in the old array moved. */
    private int ownShift(int extra) {
        int before = off;
        own(extra);
        return off - before;
    }

    private static int zeros(byte[] seq, int n, int count) {
        if (count > SPARSE_ZERO_MAX_LEN) {
            xzero(seq, n, count);
            return n + 2;
        }
        seq[n] = (byte) (count - 1);
        return n + 1;
    }

    /**
     * Step 4 of {@code hllSparseSet}: merges adjacent VAL opcodes of the same value (up to five
     * opcodes from the one before the change), then invalidates the cached cardinality.
     */
    private int sparseUpdated(int prev) {
        int sparse = off + HEADER;
        int end = off + len;
        int p = prev >= 0 ? prev : sparse;
        int scan = 5;
        while (p < end && scan-- != 0) {
            int op = buf[p] & 0xff;
            if ((op & 0xc0) == 0x40) {
                p += 2;
                continue;
            } else if ((op & 0xc0) == 0) {
                p++;
                continue;
            }
            if (p + 1 < end && (buf[p + 1] & 0x80) != 0) {
                int v1 = ((op >>> 2) & 0x1f) + 1;
                int op2 = buf[p + 1] & 0xff;
                int v2 = ((op2 >>> 2) & 0x1f) + 1;
                if (v1 == v2) {
                    int l = (op & 3) + 1 + (op2 & 3) + 1;
                    if (l <= SPARSE_VAL_MAX_LEN) {
                        buf[p + 1] = val(v1, l);
                        System.arraycopy(buf, p + 1, buf, p, end - p - 1);
                        len--;
                        end--;
                        buf[end] = 0;
                        // try the merged opcode with the one on its right too
                        continue;
                    }
                }
            }
            p++;
        }
        invalidateCache();
        return 1;
    }

    /** The promotion of {@code hllSparseSet}: to dense, then the register set there. */
    private int promote(int index, int count) {
        if (!toDense()) return -1;
        // a promotion happens only for a register that needs raising (Redis asserts it)
        return denseUpdate(index, count);
    }

    // ---------------------------------------------------------------- adding

    /**
     * Redis's {@code hllAdd}: 1 when the element raised a register, 0 when not, -1 when the HLL
     * is corrupted. A sparse HLL becomes dense past {@code sparseMaxBytes}
     * ({@code hll-sparse-max-bytes}) or for a register value above 32.
     */
    public int add(byte[] e, int eOff, int eLen, long sparseMaxBytes) {
        int pl = patLen(e, eOff, eLen);
        return set(pl & 0xffff, pl >>> 16, sparseMaxBytes);
    }

    private int set(int index, int count, long sparseMaxBytes) {
        return switch (encoding()) {
            case DENSE -> denseUpdate(index, count);
            case SPARSE -> sparseSet(index, count, sparseMaxBytes);
            default -> -1;
        };
    }

    // ---------------------------------------------------------------- counting and merging

    /** The register histogram of a dense HLL, 16 registers from every 12 bytes. */
    private static void denseHisto(byte[] b, int regs, int[] h) {
        int r = regs;
        for (int j = 0; j < 1024; j++, r += 12) {
            int b0 = b[r] & 0xff, b1 = b[r + 1] & 0xff, b2 = b[r + 2] & 0xff, b3 = b[r + 3] & 0xff;
            int b4 = b[r + 4] & 0xff, b5 = b[r + 5] & 0xff, b6 = b[r + 6] & 0xff, b7 = b[r + 7] & 0xff;
            int b8 = b[r + 8] & 0xff, b9 = b[r + 9] & 0xff, b10 = b[r + 10] & 0xff, b11 = b[r + 11] & 0xff;
            h[b0 & 63]++;
            h[(b0 >>> 6 | b1 << 2) & 63]++;
            h[(b1 >>> 4 | b2 << 4) & 63]++;
            h[(b2 >>> 2) & 63]++;
            h[b3 & 63]++;
            h[(b3 >>> 6 | b4 << 2) & 63]++;
            h[(b4 >>> 4 | b5 << 4) & 63]++;
            h[(b5 >>> 2) & 63]++;
            h[b6 & 63]++;
            h[(b6 >>> 6 | b7 << 2) & 63]++;
            h[(b7 >>> 4 | b8 << 4) & 63]++;
            h[(b8 >>> 2) & 63]++;
            h[b9 & 63]++;
            h[(b9 >>> 6 | b10 << 2) & 63]++;
            h[(b10 >>> 4 | b11 << 4) & 63]++;
            h[(b11 >>> 2) & 63]++;
        }
    }

    /** The register histogram of a sparse HLL; false when it is corrupted. */
    private boolean sparseHisto(int[] h) {
        return runs((first, n, value) -> h[value] += n);
    }

    /**
     * Redis's {@code hllCount}: the estimated cardinality (Ertl's improved estimator over the
     * register histogram), empty when a sparse HLL is corrupted.
     */
    public java.util.OptionalLong count() {
        int[] h = new int[64];
        if (encoding() == DENSE) denseHisto(buf, off + HEADER, h);
        else if (!sparseHisto(h)) return java.util.OptionalLong.empty();
        return java.util.OptionalLong.of(estimate(h));
    }

    /** The estimated cardinality of 16384 registers held one per byte (merged registers). */
    public static long countRegisters(byte[] registers) {
        int[] h = new int[64];
        for (int i = 0; i < REGISTERS; i++) h[registers[i]]++;
        return estimate(h);
    }

    private static long estimate(int[] h) {
        double m = REGISTERS;
        double z = m * tau((m - h[Q + 1]) / m);
        for (int j = Q; j >= 1; --j) {
            z += h[j];
            z *= 0.5;
        }
        z += m * sigma(h[0] / m);
        double e = ALPHA_INF * m * m / z;
        // llroundl rounds halves away from zero (Math.round's way for a positive value); a value
        // no long holds (z is 0 when every register is 51 or more, possible in a crafted dense
        // HLL) gives x86's "integer indefinite", which Redis replies and caches as is
        if (!(e < 0x1p63)) return Long.MIN_VALUE;
        return Math.round(e);
    }

    /** Ertl's sigma function (arXiv:1702.01284). */
    private static double sigma(double x) {
        if (x == 1.) return Double.POSITIVE_INFINITY;
        double zPrime;
        double y = 1;
        double z = x;
        do {
            x *= x;
            zPrime = z;
            z += x * y;
            y += y;
        } while (zPrime != z);
        return z;
    }

    /** Ertl's tau function (arXiv:1702.01284). */
    private static double tau(double x) {
        if (x == 0. || x == 1.) return 0.;
        double zPrime;
        double y = 1.0;
        double z = 1 - x;
        do {
            x = Math.sqrt(x);
            zPrime = z;
            y *= 0.5;
            double d = 1 - x;
            z -= d * d * y;
        } while (zPrime != z);
        return z / 3;
    }

    /**
     * Redis's {@code hllMerge}: raises each of {@code max}'s 16384 one-byte registers to this
     * HLL's; false when a sparse HLL is corrupted, as in {@link #toDense} ({@code max} may then
     * be partly raised).
     */
    public boolean mergeInto(byte[] max) {
        if (encoding() == DENSE) {
            int regs = off + HEADER;
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseGet(buf, regs, i);
                if (v > max[i]) max[i] = (byte) v;
            }
            return true;
        }
        return runs((first, n, value) -> {
            for (int i = first; i < first + n; i++) if (value > max[i]) max[i] = (byte) value;
        });
    }

    /**
     * Raises this HLL's registers to {@code max}'s (PFMERGE's write of the merged registers to
     * its destination), register by register in order as Redis does: a sparse destination may
     * turn dense along the way. Invalidates the cached cardinality.
     */
    public void setAll(byte[] max, long sparseMaxBytes) {
        for (int j = 0; j < REGISTERS; j++) {
            if (max[j] == 0) continue;
            if (encoding() == DENSE) denseUpdate(j, max[j]);
            else sparseSet(j, max[j], sparseMaxBytes);
        }
        invalidateCache();
    }

    // ---------------------------------------------------------------- PFDEBUG DECODE

    /**
     * PFDEBUG DECODE: the sparse opcodes as text ("z:len", "Z:len", "v:value,len" separated by
     * spaces), written into {@code out} from 0 when it is large enough; returns the length.
     * Called once with a null {@code out} to size the reply (a corrupted HLL may be long).
     */
    public long decode(byte[] out) {
        long n = 0;
        int p = off + HEADER;
        int end = off + len;
        StringBuilder sb = new StringBuilder(16);
        while (p < end) {
            int op = buf[p] & 0xff;
            sb.setLength(0);
            if (n > 0) sb.append(' ');
            if ((op & 0xc0) == 0) {
                sb.append("z:").append((op & 0x3f) + 1);
                p++;
            } else if ((op & 0x80) == 0) {
                sb.append("Z:").append(xzeroLen(p, end));
                p += 2;
            } else {
                sb.append("v:").append(((op >>> 2) & 0x1f) + 1).append(',').append((op & 3) + 1);
                p++;
            }
            if (out != null) {
                for (int i = 0; i < sb.length(); i++) out[(int) n + i] = (byte) sb.charAt(i);
            }
            n += sb.length();
        }
        return n;
    }

    // ---------------------------------------------------------------- PFSELFTEST

    /**
     * Redis's PFSELFTEST: dense registers keep their values without disturbing their
     * neighbours, a sparse and a dense HLL fed the same elements agree (the sparse one staying
     * sparse while small), and the estimate stays within six standard errors up to 10^7
     * elements. Returns null when all passes, else the error message.
     */
    public static String selfTest(long sparseMaxBytes, Random rnd) {
        byte[] d = new byte[DENSE_SIZE];
        byte[] bytes = new byte[REGISTERS];
        for (int j = 0; j < 1000; j++) {
            for (int i = 0; i < REGISTERS; i++) {
                int r = rnd.nextInt() & REGISTER_MAX;
                bytes[i] = (byte) r;
                denseSet(d, HEADER, i, r);
            }
            for (int i = 0; i < REGISTERS; i++) {
                int v = denseGet(d, HEADER, i);
                if (v != bytes[i]) return "TESTFAILED Register " + i + " should be " + bytes[i] + " but is " + v;
            }
        }
        java.util.Arrays.fill(d, (byte) 0);
        d[0] = 'H';
        d[1] = 'Y';
        d[2] = 'L';
        d[3] = 'L';
        HyperLogLog dense = new HyperLogLog(d, 0, DENSE_SIZE, false);
        HyperLogLog sparse = empty();
        double relerr = 1.04 / Math.sqrt(REGISTERS);
        long checkpoint = 1;
        long seed = rnd.nextLong();
        byte[] ele = new byte[8];
        for (long j = 1; j <= 10_000_000; j++) {
            LE_LONG.set(ele, 0, j ^ seed);
            dense.add(ele, 0, 8, sparseMaxBytes);
            sparse.add(ele, 0, 8, sparseMaxBytes);
            if (j != checkpoint) continue;
            if (j < sparseMaxBytes / 2 && sparse.encoding() != SPARSE) return "TESTFAILED sparse encoding not used";
            long card = dense.count().getAsLong();
            if (card != sparse.count().getAsLong()) return "TESTFAILED dense/sparse disagree";
            long abserr = Math.abs(checkpoint - card);
            long maxerr = (long) Math.ceil(relerr * 6 * checkpoint);
            // cardinality 10 collides often enough to exceed the bound by chance
            if (j == 10) maxerr = 1;
            if (abserr > maxerr) return "TESTFAILED Too big error. card:" + checkpoint + " abserr:" + abserr;
            checkpoint *= 10;
        }
        return null;
    }
}
