package io.basalt.resp;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One parsed command: its arguments are (offset, length) views into the connection's inbound
 * buffer, so parsing copies nothing. The object is reused for every command of a connection and is
 * only valid until the parser is asked for the next command.
 */
public final class RespRequest {
    private ByteBuf buf;
    private int argc;
    private int[] offsets = new int[8];
    private int[] lengths = new int[8];

    void reset(ByteBuf buf) {
        this.buf = buf;
        if (offsets.length > 1024 && argc < offsets.length / 4) {
            // one huge command must not pin its argument arrays for the connection's lifetime
            offsets = new int[8];
            lengths = new int[8];
        }
        this.argc = 0;
    }

    /** Capacity of the argument arrays (tests check that a header's claim allocates nothing). */
    int capacity() { return offsets.length; }

    void add(int offset, int length) {
        if (argc == offsets.length) {
            // grows with the arguments actually received, never with a header's claim
            offsets = Arrays.copyOf(offsets, argc * 2);
            lengths = Arrays.copyOf(lengths, argc * 2);
        }
        offsets[argc] = offset;
        lengths[argc] = length;
        argc++;
    }

    void moveArg(int i, int delta) { offsets[i] += delta; }

    /** The arguments' bytes moved to {@code to} (at offsets already adjusted by moveArg). */
    void rebase(ByteBuf to) { this.buf = to; }

    /**
     * Whether argument {@code i} holds exactly the bytes {@code b} (a vectorized compare on a heap
     * buffer: cheaper than hashing the key again to find what the dispatcher already knows).
     */
    public boolean argEquals(int i, byte[] b) {
        int len = lengths[i];
        if (len != b.length) return false;
        int off = offsets[i];
        if (buf.hasArray()) {
            int a = buf.arrayOffset() + off;
            return Arrays.equals(buf.array(), a, a + len, b, 0, len);
        }
        for (int k = 0; k < len; k++) if (buf.getByte(off + k) != b[k]) return false;
        return true;
    }

    /** Builds a request from ready arguments (tests, scripts, internal replays). */
    public static RespRequest of(byte[]... args) {
        RespRequest r = new RespRequest();
        int total = 0;
        for (byte[] a : args) total += a.length;
        ByteBuf b = io.netty.buffer.Unpooled.buffer(total);
        r.reset(b);
        for (byte[] a : args) {
            r.add(b.writerIndex(), a.length);
            b.writeBytes(a);
        }
        return r;
    }

    public static RespRequest of(String... args) {
        byte[][] b = new byte[args.length][];
        for (int i = 0; i < args.length; i++) b[i] = args[i].getBytes(StandardCharsets.UTF_8);
        return of(b);
    }

    public int argc() { return argc; }

    public int length(int i) { return lengths[i]; }

    public int offset(int i) { return offsets[i]; }

    /** The buffer the offsets point into. */
    public ByteBuf buffer() { return buf; }

    /** Copies argument i; used where the bytes must outlive the request (stored keys and values). */
    public byte[] bytes(int i) {
        byte[] b = new byte[lengths[i]];
        buf.getBytes(offsets[i], b);
        return b;
    }

    public byte byteAt(int i, int pos) { return buf.getByte(offsets[i] + pos); }

    public String string(int i) {
        return buf.toString(offsets[i], lengths[i], StandardCharsets.UTF_8);
    }

    /** Compares argument i with an ASCII word, ignoring case, without copying. */
    public boolean is(int i, String word) {
        int n = lengths[i];
        if (n != word.length()) return false;
        int off = offsets[i];
        for (int k = 0; k < n; k++) {
            int c = buf.getByte(off + k);
            int w = word.charAt(k);
            if (c != w && Ascii.lower(c) != Ascii.lower(w)) return false;
        }
        return true;
    }

    /** Lower-cased ASCII name of argument i (command names are looked up this way). */
    public String lowerString(int i) {
        int n = lengths[i];
        int off = offsets[i];
        char[] c = new char[n];
        for (int k = 0; k < n; k++) c[k] = (char) Ascii.lower(buf.getByte(off + k) & 0xff);
        return new String(c);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < argc; i++) {
            if (i > 0) sb.append(' ');
            sb.append(string(i));
        }
        return sb.toString();
    }
}
