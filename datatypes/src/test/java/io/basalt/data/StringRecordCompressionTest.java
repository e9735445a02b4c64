package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compressed form of {@link StringRecord}: flag bit, length prefix and LZ4 block, the
 * thresholds that decide it, and that every accessor and copy sees the real value; plus the
 * running totals the tables keep for INFO.
 */
class StringRecordCompressionTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static byte[] json(int len) {
        StringBuilder sb = new StringBuilder("{\"items\":[");
        for (int i = 0; sb.length() < len; i++) {
            sb.append("{\"id\":").append(1000 + i).append(",\"name\":\"item-").append(i).append("\",\"active\":true},");
        }
        return sb.substring(0, len).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void compressedRecordKeepsKeyExpiryClockEncodingAndValue() {
        byte[] v = json(4096);
        byte[] r = StringRecord.create(b("key:1"), v, 1_700_000_000_000L, StringRecord.ENC_RAW);
        StringRecord.clock(r, 0x123456);
        byte[] c = StringRecord.compress(r, 1024, 10);
        assertNotSame(r, c);
        assertTrue(StringRecord.isCompressed(c));
        assertTrue(c.length < r.length / 2, c.length + " vs " + r.length);
        assertEquals(StringRecord.ENC_RAW, StringRecord.encoding(c));
        assertEquals(1_700_000_000_000L, StringRecord.expireAt(c));
        assertEquals(0x123456, StringRecord.clock(c));
        assertArrayEquals(b("key:1"), StringRecord.key(c));
        assertTrue(StringRecord.keyEquals(c, b("key:1")));
        assertEquals(4096, StringRecord.valueLength(c));
        assertArrayEquals(v, StringRecord.value(c));
        assertEquals(r.length - c.length, StringRecord.savedBytes(c));
        assertEquals(0, StringRecord.savedBytes(r));
        // the plain form is the original record, byte for byte
        byte[] p = StringRecord.plain(c);
        assertArrayEquals(r, p);
        assertSame(r, StringRecord.plain(r));
        // compressing twice does nothing
        assertSame(c, StringRecord.compress(c, 1, 0));
        // a compressed record is never overwritten in place
        assertFalse(StringRecord.fitsInPlace(c, StringRecord.valueLength(c), 1));
    }

    @Test
    void thresholdIsInclusiveMinimumLength() {
        byte[] at = StringRecord.create(b("k"), json(1024), -1, StringRecord.ENC_RAW);
        byte[] below = StringRecord.create(b("k"), json(1023), -1, StringRecord.ENC_RAW);
        assertTrue(StringRecord.isCompressed(StringRecord.compress(at, 1024, 10)));
        assertSame(below, StringRecord.compress(below, 1024, 10));
    }

    @Test
    void incompressibleAndIntegerValuesStayRaw() {
        byte[] random = new byte[4096];
        new Random(1).nextBytes(random);
        byte[] r = StringRecord.create(b("k"), random, -1, StringRecord.ENC_RAW);
        assertSame(r, StringRecord.compress(r, 16, 0));
        byte[] n = StringRecord.create(b("k"), b("11111111111111111111"), -1, StringRecord.ENC_INT);
        assertSame(n, StringRecord.compress(n, 1, 0));
    }

    @Test
    void minimumSavingDecides() {
        // half random, half repetitive: saves a bit under 50%
        byte[] v = new byte[4000];
        new Random(2).nextBytes(v);
        java.util.Arrays.fill(v, 2000, 4000, (byte) 'x');
        byte[] r = StringRecord.create(b("k"), v, -1, StringRecord.ENC_RAW);
        byte[] c = StringRecord.compress(r, 1, 0);
        assertTrue(StringRecord.isCompressed(c));
        long saved = StringRecord.savedBytes(c);
        int pct = (int) (saved * 100 / v.length); // the largest percentage it meets
        assertTrue(StringRecord.isCompressed(StringRecord.compress(r, 1, pct)));
        assertSame(r, StringRecord.compress(r, 1, pct + 1));
    }

    @Test
    void rekeyGrowAndWithExpireKeepTheValue() {
        byte[] v = json(3000);
        byte[] c = StringRecord.compress(StringRecord.create(b("a"), v, -1, StringRecord.ENC_RAW), 1024, 10);
        byte[] moved = StringRecord.rekey(c, b("another-key"));
        assertTrue(StringRecord.isCompressed(moved));
        assertArrayEquals(v, StringRecord.value(moved));
        assertArrayEquals(b("another-key"), StringRecord.key(moved));
        byte[] ttl = StringRecord.withExpire(c, 99);
        assertTrue(StringRecord.isCompressed(ttl));
        assertEquals(99, StringRecord.expireAt(ttl));
        assertArrayEquals(v, StringRecord.value(StringRecord.withExpire(ttl, -1)));
        // grow gives a new plain record even when no growth is needed
        byte[] same = StringRecord.grow(c, 10);
        assertFalse(StringRecord.isCompressed(same));
        assertArrayEquals(v, StringRecord.value(same));
        byte[] grown = StringRecord.grow(c, 3010);
        assertEquals(3010, StringRecord.valueLength(grown));
        assertArrayEquals(v, java.util.Arrays.copyOf(StringRecord.value(grown), 3000));
        Object copy = Entries.copyAs(c, b("copy"));
        assertArrayEquals(v, StringRecord.value((byte[]) copy));
    }

    @Test
    void shardCompressesEligibleValuesAndKeepsRunningTotals() {
        Keyspace ks = new Keyspace(16, 1);
        Shard s = ks.shard(0);
        byte[] v = json(4096);
        s.lock();
        try {
            s.put(0, b("off"), StringRecord.create(b("off"), v, -1, StringRecord.ENC_RAW));
            assertFalse(StringRecord.isCompressed((byte[]) s.peek(0, b("off"))));
            assertEquals(0, ks.compressedValues());

            ks.compression(true, 1024, 10);
            s.put(0, b("on"), StringRecord.create(b("on"), v, -1, StringRecord.ENC_RAW));
            byte[] stored = (byte[]) s.peek(0, b("on"));
            assertTrue(StringRecord.isCompressed(stored));
            assertEquals(1, ks.compressedValues());
            assertEquals(StringRecord.savedBytes(stored), ks.compressionSavedBytes());
            assertEquals(0, s.accountingDrift());

            // a TTL keeps it compressed and counted once
            s.setExpire(0, stored, 123_456_789_000L);
            assertEquals(1, ks.compressedValues());
            // replaced by a small value, then deleted: the totals follow
            s.put(0, b("on"), StringRecord.create(b("on"), b("small"), -1, StringRecord.ENC_EMBSTR));
            assertEquals(0, ks.compressedValues());
            assertEquals(0, ks.compressionSavedBytes());
            s.put(0, b("on"), StringRecord.create(b("on"), v, -1, StringRecord.ENC_RAW));
            s.put(0, b("on2"), StringRecord.create(b("on2"), v, -1, StringRecord.ENC_RAW));
            assertEquals(2, ks.compressedValues());
            s.remove(0, b("on"));
            assertEquals(1, ks.compressedValues());
            // off again: existing values stay compressed and readable, new ones are stored raw
            ks.compression(false, 1024, 10);
            assertArrayEquals(v, StringRecord.value((byte[]) s.peek(0, b("on2"))));
            s.put(0, b("raw"), StringRecord.create(b("raw"), v, -1, StringRecord.ENC_RAW));
            assertFalse(StringRecord.isCompressed((byte[]) s.peek(0, b("raw"))));
            assertEquals(1, ks.compressedValues());
            s.clear(0);
            assertEquals(0, ks.compressedValues());
            assertEquals(0, ks.compressionSavedBytes());
            assertEquals(0, s.accountingDrift());
        } finally {
            s.unlock();
        }
    }
}
