package io.basalt.data;

import java.nio.charset.StandardCharsets;

/**
 * A stream entry id: two unsigned 64-bit numbers (milliseconds, sequence), ordered as Redis's
 * streamCompareID (unsigned, ms first). Java longs hold the bits; every comparison and every
 * text form treats them as unsigned.
 */
public record StreamID(long ms, long seq) implements Comparable<StreamID> {
    public static final StreamID MIN = new StreamID(0, 0);
    public static final StreamID MAX = new StreamID(-1L, -1L);

    @Override
    public int compareTo(StreamID o) {
        int c = Long.compareUnsigned(ms, o.ms);
        return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
    }

    public boolean isZero() { return ms == 0 && seq == 0; }

    /** streamIncrID: the successor, or null past the last possible id. */
    public StreamID next() {
        if (seq != -1L) return new StreamID(ms, seq + 1);
        if (ms != -1L) return new StreamID(ms + 1, 0);
        return null;
    }

    /** streamDecrID: the predecessor, or null before 0-0. */
    public StreamID prev() {
        if (seq != 0) return new StreamID(ms, seq - 1);
        if (ms != 0) return new StreamID(ms - 1, -1L);
        return null;
    }

    @Override
    public String toString() { return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq); }

    /** The {@code <ms>-<seq>} text replies and propagated commands carry. */
    public byte[] bytes() { return toString().getBytes(StandardCharsets.US_ASCII); }

    /** The 16-byte big-endian form (rax keys, RDB node keys and PEL ids). */
    public byte[] encode() {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (ms >>> (56 - 8 * i));
            b[8 + i] = (byte) (seq >>> (56 - 8 * i));
        }
        return b;
    }

    public static StreamID decode(byte[] b, int off) {
        long ms = 0, seq = 0;
        for (int i = 0; i < 8; i++) {
            ms = (ms << 8) | (b[off + i] & 0xff);
            seq = (seq << 8) | (b[off + 8 + i] & 0xff);
        }
        return new StreamID(ms, seq);
    }

    /**
     * Redis's streamGenericParseIDOrReply on {@code b}: "-" and "+" (unless strict), {@code <ms>},
     * {@code <ms>-<seq>}, and with {@code allowSeqStar} {@code <ms>-*} (seqGiven[0] set false).
     * Null when invalid.
     */
    public static StreamID parse(byte[] b, int off, int len, long missingSeq, boolean strict, boolean[] seqGiven) {
        if (len > 127) return null;
        if (seqGiven != null) seqGiven[0] = true;
        if (len == 1 && (b[off] == '-' || b[off] == '+')) {
            if (strict) return null;
            return b[off] == '-' ? MIN : MAX;
        }
        int dash = -1;
        for (int i = off; i < off + len; i++) if (b[i] == '-') { dash = i; break; }
        int msEnd = dash < 0 ? off + len : dash;
        Long ms = parseUnsigned(b, off, msEnd - off);
        if (ms == null) return null;
        long seq;
        if (dash >= 0) {
            int sl = off + len - dash - 1;
            if (seqGiven != null && sl == 1 && b[dash + 1] == '*') {
                seq = 0;
                seqGiven[0] = false;
            } else {
                Long s = parseUnsigned(b, dash + 1, sl);
                if (s == null) return null;
                seq = s;
            }
        } else {
            seq = missingSeq;
        }
        return new StreamID(ms, seq);
    }

    /**
     * Redis's string2ull: a canonical integer (string2ll) unless negative, else strtoull over the
     * whole text (leading spaces, a sign, leading zeros; a '-' wraps around).
     */
    private static Long parseUnsigned(byte[] b, int off, int len) {
        Long canonical = canonical(b, off, len);
        if (canonical != null) return canonical < 0 ? null : canonical;
        int i = off, end = off + len;
        while (i < end && (b[i] == ' ' || (b[i] >= 9 && b[i] <= 13))) i++;
        boolean neg = false;
        if (i < end && (b[i] == '+' || b[i] == '-')) neg = b[i++] == '-';
        if (i == end) return null;
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return null;
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L, 10)) > 0) return null;
            long nv = v * 10 + d;
            if (Long.compareUnsigned(nv, v * 10) < 0) return null;
            v = nv;
        }
        return neg ? -v : v;
    }

    /** Redis's string2ll: the canonical decimal form of a long, else null. */
    static Long canonical(byte[] b, int off, int len) {
        if (len == 0 || len > 20) return null;
        if (len == 1 && b[off] == '0') return 0L;
        int i = off, end = off + len;
        boolean neg = b[i] == '-';
        if (neg && ++i == end) return null;
        if (b[i] < '1' || b[i] > '9') return null;
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return null;
            if (v < (Long.MIN_VALUE + d) / 10) return null; // accumulated negatively: MIN_VALUE fits
            v = v * 10 - d;
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) return null;
            v = -v;
        }
        return v;
    }
}
