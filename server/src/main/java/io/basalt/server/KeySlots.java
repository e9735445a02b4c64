package io.basalt.server;

import io.basalt.data.Slots;
import io.netty.buffer.ByteBuf;

/** Hash slot of a key still in the request buffer, so routing a command copies nothing. */
final class KeySlots {
    private KeySlots() {}

    static int slot(ByteBuf b, int off, int len) {
        int s = b.indexOf(off, off + len, (byte) '{');
        if (s >= 0) {
            int e = b.indexOf(s + 1, off + len, (byte) '}');
            if (e > s + 1) return crc(b, s + 1, e - s - 1);
        }
        return crc(b, off, len);
    }

    private static int crc(ByteBuf b, int off, int len) {
        if (b.hasArray()) return Slots.crc16(b.array(), b.arrayOffset() + off, len) & (Slots.COUNT - 1);
        byte[] tmp = new byte[len];
        b.getBytes(off, tmp);
        return Slots.crc16(tmp, 0, len) & (Slots.COUNT - 1);
    }
}
