package io.basalt.data;

import java.util.Arrays;

/**
 * Redis's listpack (listpack.c) read and written in place in a {@code byte[]}: a 6-byte header
 * (total bytes, element count, little-endian), elements each followed by their back-length, and
 * a 0xFF terminator. Stream nodes are kept in exactly this form (see {@link StreamValue}), so
 * their sizes, and with them where Redis starts a new node, are Redis's; strings that are
 * canonical integers are stored as integers, as lpAppend does.
 */
public final class ListpackCodec {
    private ListpackCodec() {}

    public static final int HEADER = 6;
    /** lpGetNumElements' "unknown" count: the header saturates there. */
    private static final int NUMELE_UNKNOWN = 65535;

    /** An empty listpack: header and terminator. */
    public static byte[] empty() {
        byte[] lp = new byte[HEADER + 1];
        lp[HEADER] = (byte) 0xFF;
        setTotal(lp, lp.length);
        return lp;
    }

    public static long total(byte[] lp) { return le(lp, 0, 4); }

    public static int count(byte[] lp) { return (int) le(lp, 4, 2); }

    private static void setTotal(byte[] lp, int total) {
        lp[0] = (byte) total;
        lp[1] = (byte) (total >> 8);
        lp[2] = (byte) (total >> 16);
        lp[3] = (byte) (total >>> 24);
    }

    private static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    // ---------------------------------------------------------------- reading

    /** Whether position p is the terminator. */
    public static boolean atEnd(byte[] lp, int p) { return (lp[p] & 0xff) == 0xFF; }

    /** The encoded size of the element at p (without its back-length). */
    public static int encodedSize(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0x80) == 0) return 1;
        if ((b & 0xC0) == 0x80) return 1 + (b & 0x3f);
        if ((b & 0xE0) == 0xC0) return 2;
        if ((b & 0xF0) == 0xE0) return 2 + (((b & 0x0f) << 8) | (lp[p + 1] & 0xff));
        switch (b) {
            case 0xF0: return 5 + (int) le(lp, p + 1, 4);
            case 0xF1: return 3;
            case 0xF2: return 4;
            case 0xF3: return 5;
            case 0xF4: return 9;
            default: throw new IllegalStateException("bad listpack encoding byte " + b);
        }
    }

    /** The position of the element after the one at p. */
    public static int next(byte[] lp, int p) {
        int n = encodedSize(lp, p);
        return p + n + backlenSize(n);
    }

    public static boolean isInt(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        return (b & 0x80) == 0 || (b & 0xE0) == 0xC0 || (b >= 0xF1 && b <= 0xF4);
    }

    /** The integer element at p (lpGetInteger; a string holding a number is parsed). */
    public static long intAt(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0x80) == 0) return b;
        if ((b & 0xE0) == 0xC0) {
            int u = ((b & 0x1f) << 8) | (lp[p + 1] & 0xff);
            return u >= (1 << 12) ? u - (1 << 13) : u;
        }
        int bytes;
        switch (b) {
            case 0xF1: bytes = 2; break;
            case 0xF2: bytes = 3; break;
            case 0xF3: bytes = 4; break;
            case 0xF4: bytes = 8; break;
            default: {
                Long v = StreamID.canonical(lp, strOffset(lp, p), strLength(lp, p));
                if (v == null) throw new IllegalStateException("listpack element is not an integer");
                return v;
            }
        }
        long x = le(lp, p + 1, bytes);
        int shift = 64 - 8 * bytes;
        return (x << shift) >> shift;
    }

    /** Where a string element's bytes start. */
    public static int strOffset(byte[] lp, int p) {
        int b = lp[p] & 0xff;
        if ((b & 0xC0) == 0x80) return p + 1;
        if ((b & 0xF0) == 0xE0) return p + 2;
        return p + 5;
    }

    public static int strLength(byte[] lp, int p) {
        return encodedSize(lp, p) - (strOffset(lp, p) - p);
    }

    /** The element at p as bytes (an integer as its decimal text, as lpGet does). */
    public static byte[] bytesAt(byte[] lp, int p) {
        if (isInt(lp, p)) return Long.toString(intAt(lp, p)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int o = strOffset(lp, p);
        return Arrays.copyOfRange(lp, o, o + strLength(lp, p));
    }

    /** Whether the element at p equals {@code s} (compared as lpGet's text). */
    public static boolean equalsAt(byte[] lp, int p, byte[] s) {
        if (isInt(lp, p)) return Arrays.equals(bytesAt(lp, p), s);
        int o = strOffset(lp, p);
        return Arrays.equals(lp, o, o + strLength(lp, p), s, 0, s.length);
    }

    // ---------------------------------------------------------------- writing

    static int backlenSize(int l) {
        return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    }

    /** Encoded size (without back-length) of an integer element (lpEncodeIntegerGetType). */
    static int intEncodedSize(long v) {
        if (v >= 0 && v <= 127) return 1;
        if (v >= -4096 && v <= 4095) return 2;
        if (v >= -32768 && v <= 32767) return 3;
        if (v >= -8388608 && v <= 8388607) return 4;
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return 5;
        return 9;
    }

    /** Bytes an integer element takes, back-length included. */
    public static int intSize(long v) {
        int n = intEncodedSize(v);
        return n + backlenSize(n);
    }

    /** Bytes a string element takes, back-length included (as an integer when canonical). */
    public static int stringSize(byte[] s) {
        Long v = StreamID.canonical(s, 0, s.length);
        if (v != null) return intSize(v);
        int n = s.length < 64 ? 1 + s.length : s.length < 4096 ? 2 + s.length : 5 + s.length;
        return n + backlenSize(n);
    }

    /** Writes an integer element at out[pos]; returns the position after it. */
    public static int putInt(byte[] out, int pos, long v) {
        int n = intEncodedSize(v);
        switch (n) {
            case 1: out[pos] = (byte) v; break;
            case 2: {
                long u = v < 0 ? (1L << 13) + v : v;
                out[pos] = (byte) (0xC0 | (u >> 8));
                out[pos + 1] = (byte) u;
                break;
            }
            default: {
                int bytes = n - 1;
                out[pos] = (byte) (bytes == 2 ? 0xF1 : bytes == 3 ? 0xF2 : bytes == 4 ? 0xF3 : 0xF4);
                for (int i = 0; i < bytes; i++) out[pos + 1 + i] = (byte) (v >> (8 * i));
            }
        }
        return putBacklen(out, pos + n, n);
    }

    /** Writes a string element (an integer when canonical); returns the position after it. */
    public static int putString(byte[] out, int pos, byte[] s) {
        Long v = StreamID.canonical(s, 0, s.length);
        if (v != null) return putInt(out, pos, v);
        int len = s.length;
        int n;
        if (len < 64) {
            out[pos] = (byte) (0x80 | len);
            n = 1;
        } else if (len < 4096) {
            out[pos] = (byte) (0xE0 | (len >> 8));
            out[pos + 1] = (byte) len;
            n = 2;
        } else {
            out[pos] = (byte) 0xF0;
            for (int i = 0; i < 4; i++) out[pos + 1 + i] = (byte) (len >>> (8 * i));
            n = 5;
        }
        System.arraycopy(s, 0, out, pos + n, len);
        return putBacklen(out, pos + n + len, n + len);
    }

    private static int putBacklen(byte[] out, int pos, int l) {
        switch (backlenSize(l)) {
            case 1: out[pos++] = (byte) l; break;
            case 2:
                out[pos++] = (byte) (l >> 7);
                out[pos++] = (byte) ((l & 127) | 128);
                break;
            case 3:
                out[pos++] = (byte) (l >> 14);
                out[pos++] = (byte) (((l >> 7) & 127) | 128);
                out[pos++] = (byte) ((l & 127) | 128);
                break;
            case 4:
                out[pos++] = (byte) (l >> 21);
                out[pos++] = (byte) (((l >> 14) & 127) | 128);
                out[pos++] = (byte) (((l >> 7) & 127) | 128);
                out[pos++] = (byte) ((l & 127) | 128);
                break;
            default:
                out[pos++] = (byte) (l >>> 28);
                out[pos++] = (byte) (((l >> 21) & 127) | 128);
                out[pos++] = (byte) (((l >> 14) & 127) | 128);
                out[pos++] = (byte) (((l >> 7) & 127) | 128);
                out[pos++] = (byte) ((l & 127) | 128);
        }
        return pos;
    }

    /**
     * Appends {@code elements} already-encoded elements, {@code chunk[0, n)}, before the
     * terminator: a new exact-size array (Redis reallocs the listpack the same way).
     */
    public static byte[] append(byte[] lp, byte[] chunk, int n, int elements) {
        int end = lp.length - 1;
        byte[] r = Arrays.copyOf(lp, lp.length + n);
        System.arraycopy(chunk, 0, r, end, n);
        r[r.length - 1] = (byte) 0xFF;
        setTotal(r, r.length);
        int c = count(lp);
        if (c != NUMELE_UNKNOWN) {
            c = c + elements < NUMELE_UNKNOWN ? c + elements : NUMELE_UNKNOWN;
            r[4] = (byte) c;
            r[5] = (byte) (c >> 8);
        }
        return r;
    }

    /**
     * lpReplaceInteger: the integer at p becomes v. In place when the encoding keeps its size
     * (returns {@code lp}), else a new array with everything after p moved.
     */
    public static byte[] replaceInt(byte[] lp, int p, long v) {
        int oldLen = next(lp, p) - p;
        int newLen = intSize(v);
        if (oldLen == newLen) {
            putInt(lp, p, v);
            return lp;
        }
        byte[] r = new byte[lp.length - oldLen + newLen];
        System.arraycopy(lp, 0, r, 0, p);
        putInt(r, p, v);
        System.arraycopy(lp, p + oldLen, r, p + newLen, lp.length - p - oldLen);
        setTotal(r, r.length);
        return r;
    }

    /**
     * Checks the structure of a listpack read from a file (lpValidateIntegrity): header, every
     * element inside the blob and its back-length consistent, terminator last, count as declared.
     * Returns the number of elements, or -1 when malformed.
     */
    public static int validate(byte[] lp) {
        if (lp.length < HEADER + 1 || total(lp) != lp.length || !atEnd(lp, lp.length - 1)) return -1;
        int p = HEADER, n = 0;
        try {
            while (p < lp.length - 1) {
                int b = lp[p] & 0xff;
                if (b == 0xFF) return -1;
                if (b >= 0xF5) return -1;
                int enc = encodedSize(lp, p);
                if (enc < 0 || p + enc > lp.length - 1) return -1;
                int bl = backlenSize(enc);
                if (p + enc + bl > lp.length - 1) return -1;
                // the back-length must read back as the encoded size
                long l = 0;
                for (int i = 0; i < bl; i++) l = (l << 7) | (lp[p + enc + i] & 127);
                if (l != enc) return -1;
                p += enc + bl;
                n++;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            return -1;
        }
        int declared = count(lp);
        if (declared != NUMELE_UNKNOWN && declared != n) return -1;
        return n;
    }
}
