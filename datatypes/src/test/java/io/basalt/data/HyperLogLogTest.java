package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HyperLogLog} without a server: strings taken from redis-server 7.0.15 (the same
 * additions must give the same bytes), the self test Redis runs, and corrupted input that must
 * end in a refusal, never an exception. The differential tests in compat-tests compare
 * everything else with a running redis-server.
 */
class HyperLogLogTest {
    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static HyperLogLog add(HyperLogLog h, String... elements) {
        for (String e : elements) {
            byte[] v = b(e);
            h.add(v, 0, v.length, 3000);
        }
        return h;
    }

    @Test
    void sameBytesAsRedis() {
        // redis-server 7.0.15: PFADD h a b c; GET h
        HyperLogLog h = add(HyperLogLog.empty(), "a", "b", "c");
        assertEquals("48594c4c0100000000000000000000" + "8060f38050b1844bfb80425a", HexFormat.of().formatHex(h.toBytes()));
        // PFCOUNT h then caches 3 with the stale bit clear
        assertEquals(3, h.count().getAsLong());
        // the empty HLL: one XZERO of 16384 registers
        assertEquals("48594c4c010000000000000000000000" + "7fff", HexFormat.of().formatHex(HyperLogLog.empty().toBytes()));
    }

    @Test
    void aRegisterAbove32MakesItDense() {
        // an 8-byte element whose hash sets register 5 to 40 (see HyperLogLogDifferentialTest)
        byte[] e = {0x61, (byte) 0xeb, (byte) 0xa9, (byte) 0xe2, 0x2c, (byte) 0xb2, 0x71, 0x22};
        HyperLogLog h = add(HyperLogLog.empty(), "x");
        assertEquals(HyperLogLog.SPARSE, h.encoding());
        assertEquals(1, h.add(e, 0, e.length, 3000));
        assertEquals(HyperLogLog.DENSE, h.encoding());
        assertEquals(HyperLogLog.DENSE_SIZE, h.length());
        assertEquals(40, h.register(5));
        assertEquals(0, h.add(e, 0, e.length, 3000));
    }

    @Test
    void sparseAndDenseAgree() {
        HyperLogLog sparse = HyperLogLog.empty();
        HyperLogLog dense = HyperLogLog.empty();
        assertTrue(dense.toDense());
        Random rnd = new Random(1);
        byte[] e = new byte[12];
        for (int i = 0; i < 2000; i++) {
            rnd.nextBytes(e);
            assertEquals(dense.add(e, 0, e.length, Long.MAX_VALUE), sparse.add(e, 0, e.length, Long.MAX_VALUE));
            if (i % 100 == 0) assertEquals(dense.count(), sparse.count());
        }
        assertEquals(HyperLogLog.SPARSE, sparse.encoding());
        byte[] a = new byte[HyperLogLog.REGISTERS];
        byte[] b = new byte[HyperLogLog.REGISTERS];
        assertTrue(sparse.mergeInto(a));
        assertTrue(dense.mergeInto(b));
        assertArrayEquals(a, b);
        assertTrue(sparse.toDense());
        // the registers; the headers differ (a sparse update invalidates the cache itself)
        assertArrayEquals(java.util.Arrays.copyOfRange(dense.toBytes(), 16, HyperLogLog.DENSE_SIZE),
                java.util.Arrays.copyOfRange(sparse.toBytes(), 16, HyperLogLog.DENSE_SIZE));
    }

    @Test
    void selfTestPasses() {
        assertNull(HyperLogLog.selfTest(3000, new Random(7)));
    }

    @Test
    void headerChecks() {
        byte[] sparse = HyperLogLog.empty().toBytes();
        assertTrue(HyperLogLog.isValid(sparse, 0, sparse.length));
        assertFalse(HyperLogLog.isValid(sparse, 0, 15));
        sparse[3] = 'X';
        assertFalse(HyperLogLog.isValid(sparse, 0, sparse.length));
        sparse[3] = 'L';
        sparse[4] = 2;
        assertFalse(HyperLogLog.isValid(sparse, 0, sparse.length));
        sparse[4] = HyperLogLog.DENSE;
        assertFalse(HyperLogLog.isValid(sparse, 0, sparse.length)); // dense of the wrong length
    }

    /** Random opcodes after a valid header: every operation refuses or succeeds, none throws. */
    @Test
    void corruptedSparseNeverThrows() {
        Random rnd = new Random(3);
        for (int round = 0; round < 20_000; round++) {
            byte[] v = new byte[16 + rnd.nextInt(40)];
            rnd.nextBytes(v);
            System.arraycopy(HyperLogLog.empty().toBytes(), 0, v, 0, 16);
            HyperLogLog h = HyperLogLog.wrap(v.clone(), 0, v.length);
            h.count();
            h.mergeInto(new byte[HyperLogLog.REGISTERS]);
            h.decode(new byte[(int) h.decode(null)]);
            byte[] e = new byte[4];
            for (int i = 0; i < 5; i++) {
                rnd.nextBytes(e);
                if (h.add(e, 0, e.length, 3000) < 0) break;
            }
            h.toDense();
        }
    }
}
