package io.basalt.persistence;

import java.util.function.Consumer;

/**
 * Parser for Redis's ziplist (ziplist.c), the compact encoding older Redis versions wrote for
 * lists, hashes and sorted sets; Redis 7.0 still loads them from RDB, and so does Basalt.
 */
public final class Ziplist {
    private Ziplist() {}

    public static int parse(byte[] zl, Consumer<byte[]> visitor) {
        if (zl.length < 11) throw new RdbException("ziplist too short");
        if (RdbIo.le(zl, 0, 4) != zl.length) throw new RdbException("ziplist length mismatch");
        int declared = (int) RdbIo.le(zl, 8, 2);
        int p = 10;
        int n = 0;
        while (true) {
            if (p >= zl.length) throw new RdbException("ziplist without terminator");
            if ((zl[p] & 0xff) == 0xFF) break;
            // previous entry length: 1 byte, or 0xFE and 4 bytes
            p += (zl[p] & 0xff) < 254 ? 1 : 5;
            if (p >= zl.length) throw new RdbException("ziplist entry out of bounds");
            int enc = zl[p] & 0xff;
            byte[] v;
            switch (enc >> 6) {
                case 0: {
                    int len = enc & 0x3f;
                    v = Listpack.slice(zl, p + 1, len);
                    p += 1 + len;
                    break;
                }
                case 1: {
                    if (p + 2 > zl.length) throw new RdbException("ziplist entry out of bounds");
                    int len = ((enc & 0x3f) << 8) | (zl[p + 1] & 0xff);
                    v = Listpack.slice(zl, p + 2, len);
                    p += 2 + len;
                    break;
                }
                case 2: {
                    if (p + 5 > zl.length) throw new RdbException("ziplist entry out of bounds");
                    long len = ((zl[p + 1] & 0xffL) << 24) | ((zl[p + 2] & 0xff) << 16) | ((zl[p + 3] & 0xff) << 8) | (zl[p + 4] & 0xff);
                    if (len > zl.length) throw new RdbException("ziplist entry out of bounds");
                    v = Listpack.slice(zl, p + 5, (int) len);
                    p += 5 + (int) len;
                    break;
                }
                default: {
                    int bytes;
                    long x;
                    if (enc == 0xC0) bytes = 2;
                    else if (enc == 0xD0) bytes = 4;
                    else if (enc == 0xE0) bytes = 8;
                    else if (enc == 0xF0) bytes = 3;
                    else if (enc == 0xFE) bytes = 1;
                    else if (enc >= 0xF1 && enc <= 0xFD) bytes = 0;
                    else throw new RdbException("ziplist: bad encoding byte");
                    if (p + 1 + bytes > zl.length) throw new RdbException("ziplist entry out of bounds");
                    if (bytes == 0) {
                        x = (enc & 0x0f) - 1;
                    } else {
                        x = RdbIo.le(zl, p + 1, bytes);
                        int shift = 64 - 8 * bytes;
                        x = (x << shift) >> shift;
                    }
                    v = Listpack.ascii(x);
                    p += 1 + bytes;
                }
            }
            if (p > zl.length) throw new RdbException("ziplist entry out of bounds");
            visitor.accept(v);
            n++;
        }
        if (p != zl.length - 1) throw new RdbException("ziplist data after terminator");
        if (declared != 65535 && declared != n) throw new RdbException("ziplist count mismatch");
        return n;
    }

    /** Redis 2.x zipmap (RDB_TYPE_HASH_ZIPMAP): field/value pairs with free space after values. */
    public static void parseZipmap(byte[] zm, Consumer<byte[]> visitor) {
        int p = 1;
        boolean isValue = false;
        while (true) {
            if (p >= zm.length) throw new RdbException("zipmap without terminator");
            int b = zm[p] & 0xff;
            if (b == 255) break;
            int len;
            if (b < 254) {
                len = b;
                p += 1;
            } else if (b == 254) {
                if (p + 5 > zm.length) throw new RdbException("zipmap out of bounds");
                len = (int) RdbIo.le(zm, p + 1, 4);
                p += 5;
            } else {
                throw new RdbException("zipmap: bad length");
            }
            int free = 0;
            if (isValue) {
                if (p >= zm.length) throw new RdbException("zipmap out of bounds");
                free = zm[p] & 0xff;
                p++;
            }
            visitor.accept(Listpack.slice(zm, p, len));
            p += len + free;
            isValue = !isValue;
        }
        if (isValue) throw new RdbException("zipmap: field without value");
    }
}
