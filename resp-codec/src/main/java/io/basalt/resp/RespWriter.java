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
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_BULK2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] SMALL_INTS = new byte[1024][];

    static {
        for (int i = 0; i < SMALL_INTS.length; i++) {
            SMALL_INTS[i] = (":" + i + "\r\n").getBytes(StandardCharsets.US_ASCII);
        }
    }

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

    public void ok() { out.writeBytes(OK); }

    public void simple(String s) {
        out.writeByte('+');
        out.writeCharSequence(s, StandardCharsets.UTF_8);
        out.writeBytes(CRLF);
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
        out.writeBytes(CRLF);
    }

    public void integer(long v) {
        if (v >= 0 && v < SMALL_INTS.length) {
            out.writeBytes(SMALL_INTS[(int) v]);
            return;
        }
        out.writeByte(':');
        writeLong(v);
        out.writeBytes(CRLF);
    }

    // ---------------------------------------------------------------- bulk strings

    public void bulk(byte[] b) {
        bulk(b, 0, b.length);
    }

    public void bulk(byte[] b, int off, int len) {
        out.writeByte('$');
        writeLong(len);
        out.writeBytes(CRLF);
        out.writeBytes(b, off, len);
        out.writeBytes(CRLF);
    }

    public void bulk(ByteBuf b, int off, int len) {
        out.writeByte('$');
        writeLong(len);
        out.writeBytes(CRLF);
        out.writeBytes(b, off, len);
        out.writeBytes(CRLF);
    }

    public void bulk(String s) {
        bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A bulk string holding the decimal form of {@code v} (not an integer reply). */
    public void bulk(long v) {
        out.writeByte('$');
        writeLong(Numbers.digits(v));
        out.writeBytes(CRLF);
        writeLong(v);
        out.writeBytes(CRLF);
    }

    /** The null reply for a missing string: {@code $-1} in RESP2, {@code _} in RESP3. */
    public void nullBulk() { out.writeBytes(resp3 ? NULL3 : NULL_BULK2); }

    /** The null reply for a missing aggregate: {@code *-1} in RESP2, {@code _} in RESP3. */
    public void nullArray() { out.writeBytes(resp3 ? NULL3 : NULL_ARRAY2); }

    /** A verbatim string ({@code =N txt:...}) in RESP3, a bulk string in RESP2. */
    public void verbatim(String format, byte[] text) {
        if (!resp3) {
            bulk(text);
            return;
        }
        out.writeByte('=');
        writeLong(text.length + 4);
        out.writeBytes(CRLF);
        out.writeCharSequence(format, StandardCharsets.US_ASCII);
        out.writeByte(':');
        out.writeBytes(text);
        out.writeBytes(CRLF);
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

    private void aggregate(char type, int n) {
        out.writeByte(type);
        writeLong(n);
        out.writeBytes(CRLF);
    }

    // ---------------------------------------------------------------- RESP3 scalars

    /** A double: {@code ,d} in RESP3, a bulk string in RESP2, formatted as Redis's %.17g. */
    public void dbl(double d) {
        String s = Doubles.format17g(d);
        if (resp3) {
            out.writeByte(',');
            out.writeCharSequence(s, StandardCharsets.US_ASCII);
            out.writeBytes(CRLF);
        } else {
            bulk(s);
        }
    }

    /** A boolean: {@code #t/#f} in RESP3, the integer 1/0 in RESP2. */
    public void bool(boolean b) {
        if (resp3) out.writeBytes(b ? "#t\r\n".getBytes(StandardCharsets.US_ASCII) : "#f\r\n".getBytes(StandardCharsets.US_ASCII));
        else integer(b ? 1 : 0);
    }

    /** A big number: {@code (digits} in RESP3, a bulk string in RESP2. */
    public void bigNumber(String digits) {
        if (resp3) {
            out.writeByte('(');
            out.writeCharSequence(digits, StandardCharsets.US_ASCII);
            out.writeBytes(CRLF);
        } else {
            bulk(digits);
        }
    }

    /** Pre-encoded bytes, written as they are. */
    public void raw(byte[] bytes) { out.writeBytes(bytes); }

    public void raw(ByteBuf bytes) { out.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes()); }

    // ---------------------------------------------------------------- helpers

    private void writeLong(long v) {
        if (v >= 0 && v < 10) {
            out.writeByte((int) ('0' + v));
            return;
        }
        if (v == Long.MIN_VALUE) {
            out.writeCharSequence("-9223372036854775808", StandardCharsets.US_ASCII);
            return;
        }
        int len = Numbers.digits(v);
        out.ensureWritable(len);
        int w = out.writerIndex();
        int i = w + len - 1;
        boolean negative = v < 0;
        if (negative) v = -v;
        do {
            out.setByte(i--, (int) ('0' + (v % 10)));
            v /= 10;
        } while (v != 0);
        if (negative) out.setByte(i, '-');
        out.writerIndex(w + len);
    }
}
