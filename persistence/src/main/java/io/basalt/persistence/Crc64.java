package io.basalt.persistence;

/**
 * CRC-64/Jones as Redis computes it (crc64.c): reflected polynomial 0xad93d23594c935a9, initial
 * value 0, no final xor. It checks RDB files (the 8-byte trailer) and DUMP payloads.
 */
public final class Crc64 {
    private static final long[] TABLE = new long[256];

    static {
        long rev = 0x95ac9329ac4bc9b5L; // 0xad93d23594c935a9 bit-reversed
        for (int i = 0; i < 256; i++) {
            long c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ rev : c >>> 1;
            TABLE[i] = c;
        }
    }

    private Crc64() {}

    public static long update(long crc, byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) crc = TABLE[(int) ((crc ^ b[i]) & 0xff)] ^ (crc >>> 8);
        return crc;
    }

    public static long update(long crc, int b) {
        return TABLE[(int) ((crc ^ b) & 0xff)] ^ (crc >>> 8);
    }
}
