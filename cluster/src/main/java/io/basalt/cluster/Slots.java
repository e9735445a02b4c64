package io.basalt.cluster;

/** Slot bitmaps as the bus carries them: 16384 bits, bit j of byte i is slot 8*i+j. */
public final class Slots {
    private Slots() {}

    public static final int COUNT = 16384;
    public static final int BYTES = COUNT / 8;

    public static boolean test(byte[] bitmap, int slot) {
        return (bitmap[slot >> 3] & (1 << (slot & 7))) != 0;
    }

    public static void set(byte[] bitmap, int slot) {
        bitmap[slot >> 3] |= (byte) (1 << (slot & 7));
    }

    public static void clear(byte[] bitmap, int slot) {
        bitmap[slot >> 3] &= (byte) ~(1 << (slot & 7));
    }
}
