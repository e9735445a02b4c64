package io.basalt.data;

/**
 * Redis Cluster's key to hash slot mapping: CRC16 (XMODEM) of the key, or of the part inside the
 * first non-empty {...} hash tag, modulo 16384. The keyspace is sharded by slot so that a later
 * cluster can move slots between nodes shard by shard.
 */
public final class Slots {
    private Slots() {}

    public static final int COUNT = 16384;

    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int crc = i << 8;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            TABLE[i] = crc & 0xffff;
        }
    }

    public static int crc16(byte[] b, int off, int len) {
        int crc = 0;
        for (int i = off; i < off + len; i++) crc = crc16Step(crc, b[i]);
        return crc;
    }

    /** The CRC16 of what {@code crc} covered followed by byte {@code b}. */
    public static int crc16Step(int crc, byte b) {
        return ((crc << 8) ^ TABLE[((crc >>> 8) ^ b) & 0xff]) & 0xffff;
    }

    public static int slot(byte[] key) {
        return slot(key, 0, key.length);
    }

    public static int slot(byte[] key, int off, int len) {
        int s;
        for (s = off; s < off + len; s++) {
            if (key[s] == '{') break;
        }
        if (s == off + len) return crc16(key, off, len) & (COUNT - 1);
        int e;
        for (e = s + 1; e < off + len; e++) {
            if (key[e] == '}') break;
        }
        // no closing brace, or an empty tag "{}": the whole key is hashed
        if (e == off + len || e == s + 1) return crc16(key, off, len) & (COUNT - 1);
        return crc16(key, s + 1, e - s - 1) & (COUNT - 1);
    }
}
