package io.basalt.resp;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Writes replies of every RESP2 and RESP3 type straight into an outbound buffer. The connection
 * sets the protocol version once (HELLO); handlers call the same method whatever the version, and
 * the writer picks the encoding Redis would use for that version (a map becomes a flat array in
 * RESP2, a double a bulk string, a null {@code $-1} or {@code *-1}, and so on).
 */
public final class RespWriter {
    private static final int CRLF = ('\r' << 8) | '\n';
    // Fixed replies as one big-endian, left-aligned 8-byte word: written with a single store.
    private static final long OK = pack("+OK\r\n");
    private static final long NULL_BULK2 = pack("$-1\r\n");
    private static final long NULL_ARRAY2 = pack("*-1\r\n");
    private static final long NULL3 = pack("_\r\n");
    private static final long TRUE3 = pack("#t\r\n");
    private static final long FALSE3 = pack("#f\r\n");
    private static final byte[] MIN_LONG = "-9223372036854775808".getBytes(StandardCharsets.US_ASCII);

    private static long pack(String s) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (i < s.length() ? s.charAt(i) : 0);
        return v;
    }

    /** Scratch for numbers too long for one word; per writer, so nothing is allocated per reply. */
    private final byte[] digits = new byte[20];
    private ByteBuf out;
    private boolean resp3;

    public RespWriter() {}

    public RespWriter(ByteBuf out, boolean resp3) {
        this.out = out;
        this.resp3 = resp3;
    }

    public void target(ByteBuf out) { this.out = out; }

    public ByteBuf target() { return out; }

    public void resp3(boolean resp3) { this.resp3 = resp3; }

    public boolean resp3() { return resp3; }

    public int protocol() { return resp3 ? 3 : 2; }

    // ---------------------------------------------------------------- simple types

    public void ok() { word(OK, 5); }

    public void simple(String s) {
        out.writeByte('+');
        out.writeCharSequence(s, StandardCharsets.UTF_8);
        out.writeShort(CRLF);
    }

    /** An error reply; {@code message} carries its prefix, e.g. "ERR syntax error". */
    public void error(String message) {
        out.writeByte('-');
        // Redis replaces newlines so the error stays one protocol line
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\r' || c == '\n') {
                message = message.replace('\r', ' ').replace('\n', ' ');
                break;
            }
        }
        out.writeCharSequence(message, StandardCharsets.UTF_8);
        out.writeShort(CRLF);
    }

    public void integer(long v) { header(':', v); }

    // ---------------------------------------------------------------- bulk strings

    public void bulk(byte[] b) {
        bulk(b, 0, b.length);
    }

    public void bulk(byte[] b, int off, int len) {
        header('$', len);
        out.writeBytes(b, off, len);
        out.writeShort(CRLF);
    }

    public void bulk(ByteBuf b, int off, int len) {
        header('$', len);
        out.writeBytes(b, off, len);
        out.writeShort(CRLF);
    }

    public void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A bulk string holding the decimal form of {@code v} (not an integer reply). */
    public void bulk(long v) {
        header('$', Numbers.digits(v));
        writeLong(v);
        out.writeShort(CRLF);
    }

    /** The null reply for a missing string: {@code $-1} in RESP2, {@code _} in RESP3. */
    public void nullBulk() {
        if (resp3) word(NULL3, 3);
        else word(NULL_BULK2, 5);
    }

    /** The null reply for a missing aggregate: {@code *-1} in RESP2, {@code _} in RESP3. */
    public void nullArray() {
        if (resp3) word(NULL3, 3);
        else word(NULL_ARRAY2, 5);
    }

    /** A verbatim string ({@code =N txt:...}) in RESP3, a bulk string in RESP2. */
    public void verbatim(String format, byte[] text) {
        if (!resp3) {
            bulk(text);
            return;
        }
        header('=', text.length + 4);
        out.writeCharSequence(format, StandardCharsets.US_ASCII);
        out.writeByte(':');
        out.writeBytes(text);
        out.writeShort(CRLF);
    }

    // ---------------------------------------------------------------- aggregates

    public void array(int n) { aggregate('*', n); }

    /** A map of n pairs: {@code %n} in RESP3, an array of 2n elements in RESP2. */
    public void map(int n) {
        if (resp3) aggregate('%', n);
        else aggregate('*', 2 * n);
    }

    /** A set: {@code ~n} in RESP3, an array in RESP2. */
    public void set(int n) { aggregate(resp3 ? '~' : '*', n); }

    /** A push message: {@code >n} in RESP3, an array in RESP2. */
    public void push(int n) { aggregate(resp3 ? '>' : '*', n); }

    /** An attribute (RESP3 only; RESP2 has no equivalent and gets nothing). */
    public void attribute(int n) {
        if (resp3) aggregate('|', n);
    }

    private void aggregate(char type, int n) { header(type, n); }

    // ---------------------------------------------------------------- RESP3 scalars

    /** A double: {@code ,d} in RESP3, a bulk string in RESP2, formatted as Redis's %.17g. */
    public void dbl(double d) {
        String s = Doubles.format17g(d);
        if (resp3) {
            out.writeByte(',');
            out.writeCharSequence(s, StandardCharsets.US_ASCII);
            out.writeShort(CRLF);
        } else {
            bulk(s);
        }
    }

    /**
     * A double Redis formats itself rather than with %.17g (GEOPOS's "%.17Lf" coordinates): its
     * text as {@code ,text} in RESP3, as a bulk string in RESP2.
     */
    public void dblText(String text) {
        if (resp3) {
            out.writeByte(',');
            out.writeCharSequence(text, StandardCharsets.US_ASCII);
            out.writeShort(CRLF);
        } else {
            bulk(text);
        }
    }

    /** A boolean: {@code #t/#f} in RESP3, the integer 1/0 in RESP2. */
    public void bool(boolean b) {
        if (resp3) word(b ? TRUE3 : FALSE3, 4);
        else integer(b ? 1 : 0);
    }

    /** A big number: {@code (digits} in RESP3, a bulk string in RESP2. */
    public void bigNumber(String digits) {
        if (resp3) {
            out.writeByte('(');
            out.writeCharSequence(digits, StandardCharsets.US_ASCII);
            out.writeShort(CRLF);
        } else {
            bulk(digits);
        }
    }

    /** Pre-encoded bytes, written as they are. */
    public void raw(byte[] bytes) { out.writeBytes(bytes); }

    public void raw(ByteBuf bytes) { out.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes()); }

    // ---------------------------------------------------------------- helpers

    /** Writes the first {@code len} bytes of the big-endian word {@code w} with one 8-byte store. */
    private void word(long w, int len) {
        out.ensureWritable(8);
        int i = out.writerIndex();
        out.setLong(i, w);
        out.writerIndex(i + len);
    }

    /**
     * A type byte, a decimal number and CRLF: every header and integer reply. Numbers below
     * 100000 (all the lengths that matter) make at most 8 bytes and go out as one word.
     */
    private void header(char type, long n) {
        if (n >= 0 && n < 100_000) {
            long d = 0;
            int nd = 0;
            do {
                d |= (n % 10 + '0') << (nd << 3);
                n /= 10;
                nd++;
            } while (n != 0);
            int len = nd + 3;
            long w = ((long) type << ((nd + 2) << 3)) | (d << 16) | CRLF;
            word(w << ((8 - len) << 3), len);
            return;
        }
        out.writeByte(type);
        writeLong(n);
        out.writeShort(CRLF);
    }

    private void writeLong(long v) {
        if (v == Long.MIN_VALUE) {
            out.writeBytes(MIN_LONG);
            return;
        }
        byte[] b = digits;
        int i = b.length;
        boolean negative = v < 0;
        if (negative) v = -v;
        do {
            b[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        if (negative) b[--i] = '-';
        out.writeBytes(b, i, b.length - i);
    }
}
