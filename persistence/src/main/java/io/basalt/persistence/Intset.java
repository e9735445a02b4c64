package io.basalt.persistence;

import java.util.function.LongConsumer;

/** Redis's intset blob: encoding (2, 4 or 8), length, then sorted little-endian integers. */
public final class Intset {
    private Intset() {}

    /** Serializes sorted values with the smallest width that holds them all, as intset.c does. */
    public static byte[] build(long[] sorted, int n) {
        int width = 2;
        for (int i = 0; i < n; i++) {
            long v = sorted[i];
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) { width = 8; break; }
            if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) width = 4;
        }
        byte[] b = new byte[8 + n * width];
        put(b, 0, width, 4);
        put(b, 4, n, 4);
        for (int i = 0; i < n; i++) put(b, 8 + i * width, sorted[i], width);
        return b;
    }

    private static void put(byte[] b, int off, long v, int n) {
        for (int i = 0; i < n; i++) b[off + i] = (byte) (v >> (8 * i));
    }

    public static void parse(byte[] b, LongConsumer visitor) {
        if (b.length < 8) throw new RdbException("intset too short");
        int width = (int) RdbIo.le(b, 0, 4);
        if (width != 2 && width != 4 && width != 8) throw new RdbException("intset: bad encoding");
        long n = RdbIo.le(b, 4, 4);
        if (8 + n * width != b.length) throw new RdbException("intset length mismatch");
        long prev = 0;
        for (int i = 0; i < n; i++) {
            long x = RdbIo.le(b, 8 + i * width, width);
            int shift = 64 - 8 * width;
            x = (x << shift) >> shift;
            if (i > 0 && x <= prev) throw new RdbException("intset not sorted");
            prev = x;
            visitor.accept(x);
        }
    }
}
