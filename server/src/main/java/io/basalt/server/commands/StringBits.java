package io.basalt.server.commands;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Bit-level primitives of the bit commands: Redis's bitfield getters/setters (bit 0 is the most
 * significant bit of byte 0) and its overflow rules for BITFIELD INCRBY/SET, ported with the
 * same signed/unsigned arithmetic as the C code (Java longs wrap exactly like the casts there).
 */
final class StringBits {
    private StringBits() {}

    /** Big-endian long view of a byte array: 8 bytes at a time for popcount and bit search. */
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static final int OW_WRAP = 0;
    static final int OW_SAT = 1;

    /**
     * Redis {@code getUnsignedBitfield} over the value at {@code vOff} of {@code vLen} bytes;
     * bits past the end (or of a missing value, {@code b == null}) read as zero.
     */
    static long getUnsigned(byte[] b, int vOff, int vLen, long offset, int bits) {
        long v = 0;
        for (int j = 0; j < bits; j++, offset++) {
            long pos = offset >>> 3;
            int bit = 0;
            if (b != null && pos < vLen) bit = (b[vOff + (int) pos] >> (7 - (int) (offset & 7))) & 1;
            v = (v << 1) | bit;
        }
        return v;
    }

    /** Redis {@code setUnsignedBitfield}: the low {@code bits} bits of value, MSB first. */
    static void setUnsigned(byte[] b, int vOff, long offset, int bits, long value) {
        for (int j = 0; j < bits; j++, offset++) {
            int bitval = (int) ((value >>> (bits - 1 - j)) & 1);
            int p = vOff + (int) (offset >>> 3);
            int bit = 7 - (int) (offset & 7);
            if (bitval == 1) b[p] |= (byte) (1 << bit);
            else b[p] &= (byte) ~(1 << bit);
        }
    }

    /**
     * Redis {@code checkUnsignedBitfieldOverflow}: 1 on overflow, -1 on underflow, 0 if none;
     * for WRAP and SAT stores the value to use in {@code limit[0]}.
     */
    static int unsignedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
        long max = bits == 64 ? -1L : (1L << bits) - 1;
        long maxincr = max - value;
        long minincr = -value;
        if (Long.compareUnsigned(value, max) > 0 || (incr > 0 && incr > maxincr)) {
            if (owtype == OW_WRAP) {
                limit[0] = wrapUnsigned(value, incr, bits);
            } else if (owtype == OW_SAT) {
                limit[0] = max;
            }
            return 1;
        } else if (incr < 0 && incr < minincr) {
            if (owtype == OW_WRAP) {
                limit[0] = wrapUnsigned(value, incr, bits);
            } else if (owtype == OW_SAT) {
                limit[0] = 0;
            }
            return -1;
        }
        return 0;
    }

    private static long wrapUnsigned(long value, long incr, int bits) {
        long mask = -1L << bits; // bits < 64 for unsigned fields
        return (value + incr) & ~mask;
    }

    /** Redis {@code checkSignedBitfieldOverflow}, same conventions as {@link #unsignedOverflow}. */
    static int signedOverflow(long value, long incr, int bits, int owtype, long[] limit) {
        long max = bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1;
        long min = -max - 1;
        long maxincr = max - value;
        long minincr = min - value;
        if (value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr)) {
            if (owtype == OW_WRAP) {
                limit[0] = wrapSigned(value, incr, bits);
            } else if (owtype == OW_SAT) {
                limit[0] = max;
            }
            return 1;
        } else if (value < min || (bits != 64 && incr < minincr) || (value < 0 && incr < 0 && incr < minincr)) {
            if (owtype == OW_WRAP) {
                limit[0] = wrapSigned(value, incr, bits);
            } else if (owtype == OW_SAT) {
                limit[0] = min;
            }
            return -1;
        }
        return 0;
    }

    private static long wrapSigned(long value, long incr, int bits) {
        long msb = 1L << (bits - 1);
        long c = value + incr;
        if (bits < 64) {
            long mask = -1L << bits;
            if ((c & msb) != 0) c |= mask;
            else c &= ~mask;
        }
        return c;
    }
}
