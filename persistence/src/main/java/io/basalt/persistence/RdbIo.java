package io.basalt.persistence;

/** Small byte helpers shared by the RDB encoders and parsers. */
final class RdbIo {
    private RdbIo() {}

    /** Little-endian unsigned read of n (<= 8) bytes. */
    static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xff);
        return v;
    }

    /**
     * The value of b[off, off+len) if it is the canonical decimal text of a 64-bit integer (no
     * sign on zero, no leading zeros or spaces: Redis's string2ll), else null.
     */
    static Long canonicalLong(byte[] b, int off, int len) {
        if (len == 0 || len > 20) return null;
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (b[i] == '-') {
            neg = true;
            i++;
            if (i == end) return null;
        }
        if (b[i] == '0') {
            return (len == 1) ? 0L : null;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return null;
            // accumulate negatively so Long.MIN_VALUE fits
            if (v < (Long.MIN_VALUE + d) / 10) return null;
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) return null;
            v = -v;
        }
        return v;
    }
}
