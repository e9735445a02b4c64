package io.basalt.resp;

import io.netty.buffer.ByteBuf;

/**
 * Number parsing and formatting with Redis's exact rules ({@code string2ll}, {@code ll2string}),
 * because what Redis accepts as an integer ("-0", "+1", " 1", "01" are all rejected) is visible
 * to clients through error replies.
 */
public final class Numbers {
    private Numbers() {}

    /** Thrown without a stack trace: bad numbers are ordinary client input, not bugs. */
    public static final NumberFormatException INVALID = new NumberFormatException("not an integer") {
        @Override
        public synchronized Throwable fillInStackTrace() { return this; }
    };

    /** Redis {@code string2ll} over a buffer region. */
    public static long parseLong(ByteBuf b, int off, int len) {
        if (len <= 0 || len > 20) throw INVALID;
        int i = off;
        int end = off + len;
        if (len == 1 && b.getByte(i) == '0') return 0;
        boolean negative = false;
        if (b.getByte(i) == '-') {
            negative = true;
            i++;
            if (i == end) throw INVALID;
        }
        int c = b.getByte(i);
        if (c < '1' || c > '9') throw INVALID;
        long v = 0;
        for (; i < end; i++) {
            c = b.getByte(i);
            if (c < '0' || c > '9') throw INVALID;
            int d = c - '0';
            if (v > (Long.MAX_VALUE - d) / 10) { // would overflow the unsigned magnitude we allow below
                if (negative && v == 922337203685477580L && d == 8 && i == end - 1) return Long.MIN_VALUE;
                throw INVALID;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /** Redis {@code string2ll} over a byte array region. */
    public static long parseLong(byte[] b, int off, int len) {
        if (len <= 0 || len > 20) throw INVALID;
        int i = off;
        int end = off + len;
        if (len == 1 && b[i] == '0') return 0;
        boolean negative = false;
        if (b[i] == '-') {
            negative = true;
            i++;
            if (i == end) throw INVALID;
        }
        int c = b[i];
        if (c < '1' || c > '9') throw INVALID;
        long v = 0;
        for (; i < end; i++) {
            c = b[i];
            if (c < '0' || c > '9') throw INVALID;
            int d = c - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                if (negative && v == 922337203685477580L && d == 8 && i == end - 1) return Long.MIN_VALUE;
                throw INVALID;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    public static long parseLong(byte[] b) { return parseLong(b, 0, b.length); }

    /** True when {@code b} is the canonical decimal form of a long (what Redis stores as "int"). */
    public static boolean isCanonicalLong(byte[] b, int off, int len) {
        try {
            parseLong(b, off, len);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static final byte[] MIN_LONG = "-9223372036854775808".getBytes();

    /** Decimal digits of {@code v}, like Redis {@code ll2string}. */
    public static byte[] toBytes(long v) {
        if (v == Long.MIN_VALUE) return MIN_LONG.clone();
        int len = digits(v);
        byte[] out = new byte[len];
        writeDigits(v, out, 0, len);
        return out;
    }

    /** Number of characters of the decimal form of {@code v}. */
    public static int digits(long v) {
        if (v == Long.MIN_VALUE) return 20;
        int n = 1;
        if (v < 0) {
            n++;
            v = -v;
        }
        while (v >= 10) {
            v /= 10;
            n++;
        }
        return n;
    }

    /** Writes the decimal form of {@code v} (which has {@code len} characters) at {@code off}. */
    public static void writeDigits(long v, byte[] out, int off, int len) {
        if (v == Long.MIN_VALUE) {
            System.arraycopy(MIN_LONG, 0, out, off, MIN_LONG.length);
            return;
        }
        int i = off + len - 1;
        boolean negative = v < 0;
        if (negative) v = -v;
        do {
            out[i--] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        if (negative) out[i] = '-';
    }
}
