package io.basalt.persistence;

/**
 * LZF (liblzf's format, as Redis uses for RDB strings): a control byte below 32 starts a run of
 * ctrl+1 literals; otherwise its top 3 bits are the match length - 2 (7 = one more length byte
 * follows) and its low 5 bits with the next byte the distance - 1 (at most 8191 back).
 */
public final class Lzf {
    private Lzf() {}

    private static final int HLOG = 14;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);
    private static final int MAX_LIT = 1 << 5;
    private static final ThreadLocal<int[]> HTAB = ThreadLocal.withInitial(() -> new int[1 << HLOG]);

    /**
     * Compresses in[0, len) into out; returns the compressed length, or 0 when it does not fit in
     * out (callers pass an out buffer of len - 4 so that only worthwhile compression happens, as Redis).
     */
    public static int compress(byte[] in, int inOff, int len, byte[] out) {
        return compress(in, inOff, len, out, out.length);
    }

    /** As {@link #compress(byte[], int, int, byte[])}, using only out[0, outLimit). */
    public static int compress(byte[] in, int inOff, int len, byte[] out, int outLimit) {
        // reused without clearing (as liblzf without INIT_HTAB): a stale slot is only a candidate,
        // checked against the bytes before use, and zeroing 64 KiB per short string dominated SAVE
        int[] htab = HTAB.get();
        int ip = inOff;
        int end = inOff + len;
        int op = 1;
        int outEnd = outLimit;
        int lit = 0;
        if (outEnd < 2 || len == 0) return 0;
        while (ip < end - 2) {
            int h = (((in[ip] & 0xff) << 16) | ((in[ip + 1] & 0xff) << 8) | (in[ip + 2] & 0xff));
            int slot = ((h * 0x9E3779B1) >>> (32 - HLOG));
            int ref = htab[slot] - 1;
            htab[slot] = ip + 1;
            int off = ip - ref - 1;
            if (ref >= inOff && off < MAX_OFF && ref < ip
                    && in[ref] == in[ip] && in[ref + 1] == in[ip + 1] && in[ref + 2] == in[ip + 2]) {
                int maxlen = Math.min(end - ip, MAX_REF);
                int l = 3;
                while (l < maxlen && in[ref + l] == in[ip + l]) l++;
                // close the literal run
                if (lit > 0) {
                    out[op - lit - 1] = (byte) (lit - 1);
                } else {
                    op--; // no literal run open: drop its reserved control byte
                }
                if (op + 3 + 1 >= outEnd) return 0;
                int lenCode = l - 2;
                if (lenCode < 7) {
                    out[op++] = (byte) ((off >> 8) + (lenCode << 5));
                } else {
                    out[op++] = (byte) ((off >> 8) + (7 << 5));
                    out[op++] = (byte) (lenCode - 7);
                }
                out[op++] = (byte) off;
                lit = 0;
                op++; // reserve the next literal run's control byte
                ip += l;
                continue;
            }
            if (op >= outEnd) return 0;
            out[op++] = in[ip++];
            lit++;
            if (lit == MAX_LIT) {
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        while (ip < end) {
            if (op >= outEnd) return 0;
            out[op++] = in[ip++];
            lit++;
            if (lit == MAX_LIT) {
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        if (lit > 0) out[op - lit - 1] = (byte) (lit - 1);
        else op--;
        if (op > outEnd) return 0;
        return op;
    }

    /** Decompresses in[off, off+len) into exactly outLen bytes; throws on malformed input. */
    public static byte[] decompress(byte[] in, int off, int len, int outLen) {
        byte[] out = new byte[outLen];
        int ip = off;
        int end = off + len;
        int op = 0;
        while (ip < end) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < 32) {
                int n = ctrl + 1;
                if (op + n > outLen || ip + n > end) throw new RdbException("LZF: literal run out of bounds");
                System.arraycopy(in, ip, out, op, n);
                op += n;
                ip += n;
            } else {
                int l = ctrl >> 5;
                if (l == 7) {
                    if (ip >= end) throw new RdbException("LZF: truncated");
                    l += in[ip++] & 0xff;
                }
                if (ip >= end) throw new RdbException("LZF: truncated");
                int ref = op - ((ctrl & 0x1f) << 8) - 1 - (in[ip++] & 0xff);
                l += 2;
                if (ref < 0 || op + l > outLen) throw new RdbException("LZF: back reference out of bounds");
                for (int k = 0; k < l; k++) out[op++] = out[ref++];
            }
        }
        if (op != outLen) throw new RdbException("LZF: decompressed length mismatch");
        return out;
    }
}
