package io.basalt.persistence;

import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;

/**
 * Redis's listpack serialization (listpack.c), the blob RDB stores for small hashes, sorted sets
 * and quicklist nodes: a 6-byte header (total bytes, element count, little-endian), elements each
 * followed by their back-length, and a 0xFF terminator. Strings that are canonical integers are
 * stored as integers, as lpAppend does.
 */
public final class Listpack {
    private Listpack() {}

    /** Builds a listpack element by element. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int count;
        private final byte[] tmp = new byte[16];

        public Builder() {
            out.write(new byte[6], 0, 6);
        }

        public int count() { return count; }

        /** Bytes so far including header and terminator, as the finished blob would have. */
        public int bytes() { return out.size() + 1; }

        public Builder add(byte[] b) { return add(b, 0, b.length); }

        public Builder add(byte[] b, int off, int len) {
            Long iv = RdbIo.canonicalLong(b, off, len);
            if (iv != null) return addInt(iv);
            int entryLen;
            if (len < 64) {
                out.write(0x80 | len);
                entryLen = 1 + len;
            } else if (len < 4096) {
                out.write(0xE0 | (len >> 8));
                out.write(len & 0xff);
                entryLen = 2 + len;
            } else {
                out.write(0xF0);
                out.write(len & 0xff);
                out.write((len >> 8) & 0xff);
                out.write((len >> 16) & 0xff);
                out.write((len >>> 24) & 0xff);
                entryLen = 5 + len;
            }
            out.write(b, off, len);
            backlen(entryLen);
            count++;
            return this;
        }

        public Builder addInt(long v) {
            int n;
            if (v >= 0 && v <= 127) {
                tmp[0] = (byte) v;
                n = 1;
            } else if (v >= -4096 && v <= 4095) {
                long u = v < 0 ? (1L << 13) + v : v;
                tmp[0] = (byte) (0xC0 | (u >> 8));
                tmp[1] = (byte) u;
                n = 2;
            } else if (v >= -32768 && v <= 32767) {
                tmp[0] = (byte) 0xF1;
                le(v, 2);
                n = 3;
            } else if (v >= -8388608 && v <= 8388607) {
                tmp[0] = (byte) 0xF2;
                le(v, 3);
                n = 4;
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                tmp[0] = (byte) 0xF3;
                le(v, 4);
                n = 5;
            } else {
                tmp[0] = (byte) 0xF4;
                le(v, 8);
                n = 9;
            }
            out.write(tmp, 0, n);
            backlen(n);
            count++;
            return this;
        }

        private void le(long v, int n) {
            for (int i = 0; i < n; i++) tmp[1 + i] = (byte) (v >> (8 * i));
        }

        private void backlen(int l) {
            if (l <= 127) {
                out.write(l);
            } else if (l < 16383) {
                out.write(l >> 7);
                out.write((l & 127) | 128);
            } else if (l < 2097151) {
                out.write(l >> 14);
                out.write(((l >> 7) & 127) | 128);
                out.write((l & 127) | 128);
            } else if (l < 268435455) {
                out.write(l >> 21);
                out.write(((l >> 14) & 127) | 128);
                out.write(((l >> 7) & 127) | 128);
                out.write((l & 127) | 128);
            } else {
                out.write(l >>> 28);
                out.write(((l >> 21) & 127) | 128);
                out.write(((l >> 14) & 127) | 128);
                out.write(((l >> 7) & 127) | 128);
                out.write((l & 127) | 128);
            }
        }

        public byte[] build() {
            out.write(0xFF);
            byte[] b = out.toByteArray();
            int total = b.length;
            b[0] = (byte) total;
            b[1] = (byte) (total >> 8);
            b[2] = (byte) (total >> 16);
            b[3] = (byte) (total >>> 24);
            int c = Math.min(count, 65535);
            b[4] = (byte) c;
            b[5] = (byte) (c >> 8);
            return b;
        }
    }

    /**
     * Calls {@code visitor} with each element as bytes (integers as their decimal text), validating
     * the structure; throws {@link RdbException} on anything malformed.
     */
    public static int parse(byte[] lp, Consumer<byte[]> visitor) {
        if (lp.length < 7) throw new RdbException("listpack too short");
        long total = RdbIo.le(lp, 0, 4);
        if (total != lp.length) throw new RdbException("listpack length mismatch");
        int declared = (int) RdbIo.le(lp, 4, 2);
        int p = 6;
        int n = 0;
        while (true) {
            if (p >= lp.length) throw new RdbException("listpack without terminator");
            int b = lp[p] & 0xff;
            if (b == 0xFF) {
                if (p != lp.length - 1) throw new RdbException("listpack data after terminator");
                break;
            }
            int entryLen;
            byte[] v;
            if ((b & 0x80) == 0) {
                v = ascii(b);
                entryLen = 1;
            } else if ((b & 0xC0) == 0x80) {
                int len = b & 0x3f;
                v = slice(lp, p + 1, len);
                entryLen = 1 + len;
            } else if ((b & 0xE0) == 0xC0) {
                need(lp, p, 2);
                int u = ((b & 0x1f) << 8) | (lp[p + 1] & 0xff);
                long x = u >= (1 << 12) ? u - (1 << 13) : u;
                v = ascii(x);
                entryLen = 2;
            } else if ((b & 0xF0) == 0xE0) {
                need(lp, p, 2);
                int len = ((b & 0x0f) << 8) | (lp[p + 1] & 0xff);
                v = slice(lp, p + 2, len);
                entryLen = 2 + len;
            } else if (b == 0xF0) {
                need(lp, p, 5);
                long len = RdbIo.le(lp, p + 1, 4);
                if (len > lp.length) throw new RdbException("listpack string too long");
                v = slice(lp, p + 5, (int) len);
                entryLen = 5 + (int) len;
            } else if (b >= 0xF1 && b <= 0xF4) {
                int bytes = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
                need(lp, p, 1 + bytes);
                long x = RdbIo.le(lp, p + 1, bytes);
                int shift = 64 - 8 * bytes;
                x = (x << shift) >> shift;
                v = ascii(x);
                entryLen = 1 + bytes;
            } else {
                throw new RdbException("listpack: bad encoding byte");
            }
            int bl = entryLen <= 127 ? 1 : entryLen < 16383 ? 2 : entryLen < 2097151 ? 3 : entryLen < 268435455 ? 4 : 5;
            p += entryLen + bl;
            if (p > lp.length) throw new RdbException("listpack entry out of bounds");
            visitor.accept(v);
            n++;
        }
        if (declared != 65535 && declared != n) throw new RdbException("listpack count mismatch");
        return n;
    }

    private static void need(byte[] b, int p, int n) {
        if (p + n > b.length) throw new RdbException("listpack entry out of bounds");
    }

    static byte[] slice(byte[] b, int off, int len) {
        if (len < 0 || off + len > b.length) throw new RdbException("entry out of bounds");
        byte[] r = new byte[len];
        System.arraycopy(b, off, r, 0, len);
        return r;
    }

    static byte[] ascii(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
