package io.basalt.persistence;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class LzfTest {
    static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    static byte[] compress(byte[] in, int outLimit) {
        byte[] out = new byte[outLimit];
        int c = Lzf.compress(in, 0, in.length, out, outLimit);
        return c == 0 ? null : Arrays.copyOf(out, c);
    }

    /** Payloads taken from redis-server 7.0's DUMP of the same values (rdbSaveLzfStringObject). */
    @Test
    void matchesRedisOutput() {
        HexFormat hex = HexFormat.of();
        // position 0 is never referenced, so the run starts at position 2 (offset 0)
        assertEquals("0178 78e0 5700 0178 78".replace(" ", ""), hex.formatHex(compress(b("x".repeat(100)), 96)));
        // liblzf compares 16 bytes unrolled when 17 or 18 may still match, so this match covers
        // 19 bytes, two more than its maxlen
        assertEquals("0a" + hex.formatHex(b("01234567890")) + "e00a09",
                hex.formatHex(compress(b("0123456789".repeat(3)), 26)));
        assertEquals("06" + hex.formatHex(b("abcabda")) + "e0660501" + hex.formatHex(b("bd")),
                hex.formatHex(compress(b("abcabd".repeat(20)), 116)));
    }

    @Test
    void roundTripsRandomInputsAtOffsets() {
        Random r = new Random(3);
        for (int t = 0; t < 3000; t++) {
            int n = 1 + r.nextInt(t % 10 == 0 ? 70000 : 600);
            int pre = r.nextInt(50);
            byte[] buf = new byte[pre + n + r.nextInt(50)];
            r.nextBytes(buf); // the bytes around the input must not matter
            int alphabet = 1 + r.nextInt(r.nextBoolean() ? 4 : 256);
            for (int i = 0; i < n; i++) {
                buf[pre + i] = i > 0 && r.nextInt(4) == 0 ? buf[pre + r.nextInt(i)] : (byte) r.nextInt(alphabet);
            }
            byte[] in = Arrays.copyOfRange(buf, pre, pre + n);

            byte[] big = new byte[n + n / 16 + 64];
            int c = Lzf.compress(buf, pre, n, big, big.length);
            assertTrue(c > 0, "fits in a large enough buffer");
            assertArrayEquals(in, Lzf.decompress(big, 0, c, n));
            // positions are relative to inOff: the same bytes at offset 0 compress identically
            byte[] alone = new byte[big.length];
            assertEquals(c, Lzf.compress(in, 0, n, alone, alone.length));
            assertArrayEquals(Arrays.copyOf(big, c), Arrays.copyOf(alone, c));

            // with a limit: the same output or 0, never a byte past the limit, and enough room
            // (4 bytes over the output, liblzf's most conservative check) always succeeds
            int limit = Math.max(1, c - 3 + r.nextInt(8));
            byte[] out = new byte[limit + 16];
            Arrays.fill(out, (byte) 0x5a);
            int cl = Lzf.compress(buf, pre, n, out, limit);
            for (int i = limit; i < out.length; i++) assertEquals(0x5a, out[i], "wrote past the limit");
            if (cl != 0) {
                assertEquals(c, cl);
                assertArrayEquals(Arrays.copyOf(big, c), Arrays.copyOf(out, c));
            }
            if (limit >= c + 4) assertEquals(c, cl);
            if (limit < c) assertEquals(0, cl);
        }
    }

    /** A table carried over from earlier calls must not change the output (fresh-table semantics). */
    @Test
    void outputDoesNotDependOnEarlierCalls() {
        Random r = new Random(5);
        byte[][] values = new byte[200][];
        byte[][] first = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            byte[] v = new byte[21 + r.nextInt(3000)];
            for (int k = 0; k < v.length; k++) v[k] = (byte) ('a' + r.nextInt(1 + i % 5));
            values[i] = v;
            first[i] = compress(v, v.length + 64);
        }
        for (int round = 0; round < 3; round++) {
            for (int i = values.length - 1; i >= 0; i--) {
                assertArrayEquals(first[i], compress(values[i], values[i].length + 64));
            }
        }
    }

    /** Near the end of the int range the table starts over, with the same output throughout. */
    @Test
    void baseWrapsAround() {
        byte[] v = b("abcabdabcabd-0123-abcabdabcabd-0123-abcabdabcabd".repeat(50));
        byte[] want = compress(v, v.length);
        try {
            for (int start : new int[]{Integer.MAX_VALUE - 3 * v.length, Integer.MAX_VALUE - v.length - 1,
                    Integer.MAX_VALUE - v.length, Integer.MAX_VALUE - v.length + 1, Integer.MAX_VALUE}) {
                Lzf.setBaseForTest(start);
                for (int i = 0; i < 5; i++) assertArrayEquals(want, compress(v, v.length), "from base " + start);
            }
        } finally {
            Lzf.setBaseForTest(0);
        }
    }

    @Test
    void tinyInputsAndLimits() {
        assertEquals(0, Lzf.compress(new byte[0], 0, 0, new byte[10], 10));
        assertEquals(0, Lzf.compress(b("abc"), 0, 3, new byte[10], 0));
        for (int n = 1; n <= 4; n++) {
            byte[] in = b("aaaa".substring(0, n));
            byte[] out = new byte[16];
            int c = Lzf.compress(in, 0, n, out, out.length);
            assertEquals(n + 1, c, "all literals");
            assertArrayEquals(in, Lzf.decompress(out, 0, c, n));
        }
    }
}
