package io.basalt.persistence;

import java.util.Arrays;

/**
 * LZF (liblzf's format, as Redis uses for RDB strings): a control byte below 32 starts a run of
 * ctrl+1 literals; otherwise its top 3 bits are the match length - 2 (7 = one more length byte
 * follows) and its low 5 bits with the next byte the distance - 1 (at most 8191 back).
 */
public final class Lzf {
    private Lzf() {}

    // lzfP.h as Redis builds it on x86-64: HLOG 16, VERY_FAST, no INIT_HTAB, offsets in the table
    private static final int HLOG = 16;
    private static final int HSIZE = 1 << HLOG;
    private static final int MAX_LIT = 1 << 5;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);

    /**
     * liblzf's hash table, one per thread, with the semantics of a zeroed one (a zero slot never
     * matches: position 0 is never referenced), but without clearing 64K slots per call, which
     * dominated SAVE time: a slot holds base + position, where base grows past every value stored
     * by earlier calls, so a slot at or below base counts as empty. Redis never clears its (stack)
     * table, yet its stale slots cannot change its output either: a stale slot is read at the first
     * position whose hash lands there in this call, and a match needs an earlier position with the
     * same 3 bytes; but the first occurrence of any 3 bytes is always hashed (only positions inside
     * a match, whose bytes occur earlier, are skipped), so that slot would not be stale.
     */
    private static final class Table {
        final int[] htab = new int[HSIZE];
        int base;
    }

    private static final ThreadLocal<Table> TABLE = ThreadLocal.withInitial(Table::new);

    /** Moves this thread's base (tests: the wrap-around comes only after ~2 GiB of input). */
    static void setBaseForTest(int base) {
        Table t = TABLE.get();
        if (base < t.base) Arrays.fill(t.htab, 0); // moving back: slots above the new base are stale
        t.base = base;
    }

    /** lzfP.h's IDX for VERY_FAST: hval is liblzf's running unsigned 32-bit hash of the next 3 bytes. */
    private static int idx(int hval) {
        return ((hval >>> (3 * 8 - HLOG)) - hval * 5) & (HSIZE - 1);
    }

    /**
     * Compresses in[inOff, inOff+len) into out; returns the compressed length, or 0 when it does not
     * fit in out (callers pass an out buffer of len - 4 so that only worthwhile compression happens,
     * as Redis).
     */
    public static int compress(byte[] in, int inOff, int len, byte[] out) {
        return compress(in, inOff, len, out, out.length);
    }

    /**
     * As {@link #compress(byte[], int, int, byte[])}, using only out[0, outLimit): exactly what Redis
     * 7.0's lzf_compress(in, len, out, outLimit) produces with a fresh hash table, so that DUMP
     * payloads and RDB files are byte-identical to Redis's.
     */
    public static int compress(byte[] in, int inOff, int len, byte[] out, int outLimit) {
        if (len <= 0 || outLimit <= 0) return 0;
        Table t = TABLE.get();
        int[] htab = t.htab;
        if (t.base > Integer.MAX_VALUE - len) {
            // base would wrap: start over from a really zeroed table (once per ~2 GiB compressed)
            Arrays.fill(htab, 0);
            t.base = 0;
        }
        final int base = t.base;
        t.base = base + len;
        // slot value = ip + bias = base + (ip - inOff); a slot <= base is empty or from an older call,
        // as is position 0 itself (liblzf's `ref > in_data`)
        final int bias = base - inOff;
        final int inEnd = inOff + len;
        final int outEnd = outLimit;
        int ip = inOff;
        int op = 0;
        int lit = 0;
        op++; // start run

        if (len >= 3) {
            int hval = ((in[ip] & 0xff) << 8) | (in[ip + 1] & 0xff); // FRST
            while (ip < inEnd - 2) {
                hval = (hval << 8) | (in[ip + 2] & 0xff); // NEXT
                int slot = idx(hval);
                int v = htab[slot];
                htab[slot] = ip + bias;
                int ref = v - bias;
                int off = ip - ref - 1;
                if (v > base && off < MAX_OFF
                        && in[ref + 2] == in[ip + 2] && in[ref] == in[ip] && in[ref + 1] == in[ip + 1]) {
                    // a match of at least 3 bytes; v > base also means ref < ip, so off >= 0
                    int maxlen = inEnd - ip - 2;
                    if (maxlen > MAX_REF) maxlen = MAX_REF;
                    if (op + 3 + 1 >= outEnd) { // the conservative test, then the exact one
                        if (op - (lit == 0 ? 1 : 0) + 3 + 1 >= outEnd) return 0;
                    }
                    out[op - lit - 1] = (byte) (lit - 1); // stop run
                    if (lit == 0) op--; // undo an empty run
                    // liblzf first compares 16 bytes unrolled whenever maxlen > 16, up to index 18
                    // even when maxlen is 17 or 18, so such a match may run 1-2 bytes past maxlen
                    int limit = maxlen > 16 ? Math.max(maxlen, 19) : maxlen;
                    int l = 3;
                    while (l < limit && in[ref + l] == in[ip + l]) l++;
                    int code = l - 2; // the stored length: octets - 2
                    if (code < 7) {
                        out[op++] = (byte) ((off >> 8) + (code << 5));
                    } else {
                        out[op++] = (byte) ((off >> 8) + (7 << 5));
                        out[op++] = (byte) (code - 7);
                    }
                    out[op++] = (byte) off;
                    lit = 0;
                    op++; // start run
                    ip += l;
                    if (ip >= inEnd - 2) break;
                    // VERY_FAST: hash only the last two positions of the match
                    ip -= 2;
                    hval = ((in[ip] & 0xff) << 8) | (in[ip + 1] & 0xff);
                    hval = (hval << 8) | (in[ip + 2] & 0xff);
                    htab[idx(hval)] = ip + bias;
                    ip++;
                    hval = (hval << 8) | (in[ip + 2] & 0xff);
                    htab[idx(hval)] = ip + bias;
                    ip++;
                } else {
                    if (op >= outEnd) return 0;
                    lit++;
                    out[op++] = in[ip++];
                    if (lit == MAX_LIT) {
                        out[op - lit - 1] = (byte) (lit - 1); // stop run
                        lit = 0;
                        op++; // start run
                    }
                }
            }
        }

        if (op + 3 > outEnd) return 0; // at most 3 bytes can be missing here
        while (ip < inEnd) {
            lit++;
            out[op++] = in[ip++];
            if (lit == MAX_LIT) {
                out[op - lit - 1] = (byte) (lit - 1);
                lit = 0;
                op++;
            }
        }
        out[op - lit - 1] = (byte) (lit - 1); // end run
        if (lit == 0) op--;
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
