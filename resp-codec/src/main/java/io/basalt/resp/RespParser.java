package io.basalt.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ByteProcessor;

/**
 * Incremental RESP request parser that follows Redis's {@code processMultibulkBuffer} and
 * {@code processInlineBuffer} rule for rule, so that limits, error texts and quirks (the two bytes
 * after a bulk are skipped, not checked) are the same as Redis's.
 *
 * <p>The parser keeps its position between calls, so a request split at any byte boundary costs
 * no re-parsing, and it never allocates in proportion to a header's claim: argument slots grow
 * with the arguments that actually arrive. Arguments are views into the caller's buffer; see
 * {@link RespRequest}.
 */
public final class RespParser {
    /** More bytes are needed before anything can be returned. */
    public static final int NEED_MORE = 0;
    /** {@link #request()} holds a complete command. */
    public static final int COMMAND = 1;
    /** A protocol error: reply {@link #error()} and close the connection after the reply. */
    public static final int ERROR = 2;

    /**
     * Redis's PROTO_MBULK_BIG_ARG: a bulk from this size on is worth reading into a buffer of its
     * exact size (see {@link #pendingBulkEnd}) rather than into a buffer that grows as it arrives.
     */
    public static final int BIG_ARG = 32 * 1024;

    /** Redis's PROTO_INLINE_MAX_SIZE: the longest inline command or header line. */
    public static final int INLINE_MAX_SIZE = 64 * 1024;

    // Redis finds line ends with strchr() on its NUL-terminated query buffer, so a NUL byte
    // before the '\r' (or inline '\n') hides the line end: Redis keeps waiting for more input
    // (until the 64 KiB limit) instead of parsing. Searching for either byte reproduces that.
    private static final ByteProcessor FIND_CR_OR_NUL = b -> b != '\r' && b != 0;
    private static final ByteProcessor FIND_LF_OR_NUL = b -> b != '\n' && b != 0;

    private final RespRequest request = new RespRequest();
    private long maxBulkLength = 512L * 1024 * 1024;
    private boolean authRequired;

    /** Absolute index in the buffer of the next byte to parse. */
    private int pos = -1;
    /** Arguments still to read in the current multibulk; 0 when between commands. */
    private long multibulkRemaining;
    /** Length of the bulk being read, or -1 when its header is next. */
    private long bulkLength = -1;
    private String error;
    private ByteBuf inlineArgs;

    public void maxBulkLength(long max) { this.maxBulkLength = max; }

    /** While true, the small unauthenticated limits of Redis apply (10 arguments, 16 KiB bulks). */
    public void authRequired(boolean required) { this.authRequired = required; }

    public RespRequest request() { return request; }

    public String error() { return error; }

    /**
     * While the parser waits for the body of a bulk of at least {@code min} bytes whose header it
     * has read: the buffer index just past that bulk and its CRLF, so the caller can make room
     * for all of it at once, sized from the header as Redis does. Otherwise -1.
     */
    public long pendingBulkEnd(int min) {
        if (multibulkRemaining == 0 || bulkLength < min) return -1;
        return (long) pos + bulkLength + 2;
    }

    /** True when no command is partly parsed, so consumed bytes may be discarded freely. */
    public boolean betweenCommands() { return multibulkRemaining == 0; }

    /**
     * Tells the parser that the buffer's bytes moved down by {@code delta} (the caller discarded
     * read bytes) so the positions of a partly parsed command stay right.
     */
    public void shift(int delta) {
        if (pos >= 0) pos -= delta;
        for (int i = 0; i < request.argc(); i++) request.moveArg(i, -delta);
    }

    /**
     * Tells the parser that the caller moved the unread bytes, from {@code delta} on, to the
     * start of a new buffer {@code to} (a buffer sized for a large argument, or a small one
     * again after it), so a partly parsed command's arguments point into the new buffer.
     */
    public void moved(ByteBuf from, ByteBuf to, int delta) {
        shift(delta);
        if (request.buffer() == from) request.rebase(to);
    }

    /**
     * Parses from {@code in.readerIndex()}. On {@link #COMMAND} the reader index is already past
     * the command. Empty commands ({@code *0}, blank inline lines) are skipped silently, as Redis does.
     */
    public int parse(ByteBuf in) {
        while (true) {
            if (multibulkRemaining == 0) {
                pos = in.readerIndex();
                if (!in.isReadable()) return NEED_MORE;
                if (in.getByte(pos) == '*') {
                    int r = multibulkHeader(in);
                    if (r != COMMAND) return r;
                    if (multibulkRemaining == 0) { // *0 or negative: nothing to run
                        in.readerIndex(pos);
                        continue;
                    }
                } else {
                    int r = inline(in);
                    if (r == COMMAND && request.argc() == 0) continue;
                    return r;
                }
            }
            int r = multibulkArguments(in);
            if (r != COMMAND) return r;
            in.readerIndex(pos);
            return COMMAND;
        }
    }

    private int multibulkHeader(ByteBuf in) {
        long n;
        int cr = pos + 3 < in.writerIndex() ? plainNumber(in, pos + 1, in.writerIndex()) : -1;
        if (cr >= 0) {
            n = number;
        } else {
            cr = lineEnd(in, pos, FIND_CR_OR_NUL);
            if (cr < 0) {
                if (in.writerIndex() - pos > INLINE_MAX_SIZE) return fail("Protocol error: too big mbulk count string");
                return NEED_MORE;
            }
            if (cr + 1 >= in.writerIndex()) return NEED_MORE; // the \n must be there too
            try {
                n = Numbers.parseLong(in, pos + 1, cr - pos - 1);
            } catch (NumberFormatException e) {
                return fail("Protocol error: invalid multibulk length");
            }
        }
        if (n > Integer.MAX_VALUE) return fail("Protocol error: invalid multibulk length");
        if (n > 10 && authRequired) return fail("Protocol error: unauthenticated multibulk length");
        pos = cr + 2;
        request.reset(in);
        multibulkRemaining = Math.max(n, 0);
        bulkLength = -1;
        return COMMAND;
    }

    private int multibulkArguments(ByteBuf in) {
        while (multibulkRemaining > 0) {
            if (bulkLength == -1) {
                int r = bulkHeader(in);
                if (r != COMMAND) return r;
            }
            if ((long) in.writerIndex() - pos < bulkLength + 2) return NEED_MORE;
            request.add(pos, (int) bulkLength);
            pos += (int) bulkLength + 2;
            bulkLength = -1;
            multibulkRemaining--;
        }
        return COMMAND;
    }

    /**
     * Reads a {@code $<len>\r\n} header at {@code pos} into {@link #bulkLength}. The common
     * shape (a '$', 1 to 18 digits without a leading zero, '\r', one more byte) is parsed in
     * one pass; anything else goes through the general path with Redis's checks in its order.
     */
    private int bulkHeader(ByteBuf in) {
        int w = in.writerIndex();
        if (pos + 3 < w && in.getByte(pos) == '$') {
            int end = plainNumber(in, pos + 1, w);
            if (end >= 0) return bulkLength(number, end);
        }
        int cr = lineEnd(in, pos, FIND_CR_OR_NUL);
        if (cr < 0) {
            if (w - pos > INLINE_MAX_SIZE) return fail("Protocol error: too big bulk count string");
            return NEED_MORE;
        }
        if (cr + 1 >= w) return NEED_MORE;
        byte first = in.getByte(pos);
        if (first != '$') {
            return fail("Protocol error: expected '$', got '" + (char) (first & 0xff) + "'");
        }
        long n;
        try {
            n = Numbers.parseLong(in, pos + 1, cr - pos - 1);
        } catch (NumberFormatException e) {
            n = -1;
        }
        return bulkLength(n, cr);
    }

    /** Value of the last {@link #plainNumber} match. */
    private long number;

    /**
     * The fast path of header parsing: at {@code from}, 1 to 18 digits without a leading zero
     * (so string2ll accepts them and they cannot overflow), then '\r' and one more byte. Returns
     * the index of the '\r' and leaves the value in {@link #number}, or -1 for anything else,
     * which the caller then parses the general way.
     */
    private int plainNumber(ByteBuf in, int from, int w) {
        int c = in.getByte(from);
        if (c < '1' || c > '9') return -1;
        long n = c - '0';
        int p = from;
        int limit = Math.min(w, from + 18);
        while (++p < limit) {
            c = in.getByte(p);
            if (c < '0' || c > '9') break;
            n = n * 10 + (c - '0');
        }
        if (p >= w - 1 || in.getByte(p) != '\r') return -1;
        number = n;
        return p;
    }

    private int bulkLength(long n, int cr) {
        if (n < 0 || n > maxBulkLength) return fail("Protocol error: invalid bulk length");
        if (n > 16384 && authRequired) return fail("Protocol error: unauthenticated bulk length");
        pos = cr + 2;
        bulkLength = n;
        return COMMAND;
    }

    /** Index of the first byte {@code finder} stops at, or -1 if there is none or it is a NUL. */
    private static int lineEnd(ByteBuf in, int from, ByteProcessor finder) {
        int i = in.forEachByte(from, in.writerIndex() - from, finder);
        return i < 0 || in.getByte(i) == 0 ? -1 : i;
    }

    private int inline(ByteBuf in) {
        int nl = lineEnd(in, pos, FIND_LF_OR_NUL);
        if (nl < 0) {
            if (in.writerIndex() - pos > INLINE_MAX_SIZE) return fail("Protocol error: too big inline request");
            return NEED_MORE;
        }
        int end = nl;
        if (end != pos && in.getByte(end - 1) == '\r') end--;
        if (inlineArgs == null) inlineArgs = Unpooled.buffer(64);
        inlineArgs.clear();
        request.reset(inlineArgs);
        if (!InlineSplitter.split(in, pos, end, inlineArgs, request)) {
            return fail("Protocol error: unbalanced quotes in request");
        }
        in.readerIndex(nl + 1);
        return COMMAND;
    }

    private int fail(String message) {
        error = message;
        multibulkRemaining = 0;
        bulkLength = -1;
        return ERROR;
    }
}
