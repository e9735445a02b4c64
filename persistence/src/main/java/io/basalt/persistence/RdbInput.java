package io.basalt.persistence;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Buffered reader over an RDB stream that keeps the running CRC64 and the offset. */
final class RdbInput {
    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private long crc;
    private long consumed;
    /** CRC of bytes before {@code pos} in buf not yet folded into crc. */
    private int crcFrom;

    RdbInput(InputStream in) { this.in = in; }

    long offset() { return consumed + pos; }

    /** The CRC64 of everything read so far. */
    long crc() {
        crc = Crc64.update(crc, buf, crcFrom, pos - crcFrom);
        crcFrom = pos;
        return crc;
    }

    private void fill() throws IOException {
        crc = Crc64.update(crc, buf, crcFrom, pos - crcFrom);
        consumed += lim;
        pos = 0;
        crcFrom = 0;
        lim = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) throw new EOFException("Unexpected EOF reading RDB file");
        lim = n;
    }

    int read() throws IOException {
        if (pos == lim) fill();
        return buf[pos++] & 0xff;
    }

    void readFully(byte[] b, int off, int n) throws IOException {
        while (n > 0) {
            if (pos == lim) fill();
            int k = Math.min(n, lim - pos);
            System.arraycopy(buf, pos, b, off, k);
            pos += k;
            off += k;
            n -= k;
        }
    }

    long readLE(int n) throws IOException {
        long v = 0;
        for (int i = 0; i < n; i++) v |= (long) read() << (8 * i);
        return v;
    }

    /** Whether the underlying stream has no more bytes (after EOF opcode and checksum). */
    boolean atEnd() throws IOException {
        if (pos < lim) return false;
        crc = Crc64.update(crc, buf, crcFrom, pos - crcFrom);
        consumed += lim;
        pos = 0;
        crcFrom = 0;
        lim = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) return true;
        lim = n;
        return false;
    }
}
