package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link Keyspace}'s active expiry and {@link Shard}'s TTL changes. */
class KeyspaceExpiryTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static void set(Keyspace ks, String key, long expireAt) {
        byte[] k = b(key);
        ks.shardOf(k).put(0, k, StringRecord.create(k, b("v"), expireAt, StringRecord.ENC_EMBSTR));
    }

    @Test
    void fewVolatileKeysAmongManyAreFoundWithinASecondOfCycles() {
        Keyspace ks = new Keyspace(16, 64);
        for (int i = 0; i < 200_000; i++) set(ks, "p" + i, -1);
        long past = System.currentTimeMillis() - 1;
        for (int i = 0; i < 5; i++) set(ks, "v" + i, past);
        assertEquals(5, ks.volatileCount(0));
        long removed = 0;
        // ten cycles are one second of cron at hz 10; a generous time budget, so the walk length
        // per shard, not the clock, is what is tested
        for (int i = 0; i < 10 && removed < 5; i++) removed += ks.activeExpireCycle(1_000_000_000L);
        assertEquals(5, removed);
        assertEquals(5, ks.expiredKeys());
        assertEquals(200_000, ks.size(0));
        assertEquals(0, ks.volatileCount(0));
    }

    @Test
    void disabledCycleDoesNothing() {
        Keyspace ks = new Keyspace(1, 4);
        set(ks, "a", System.currentTimeMillis() - 1);
        ks.activeExpireEnabled(false);
        assertEquals(0, ks.activeExpireCycle(1_000_000_000L));
        assertEquals(1, ks.size(0));
        ks.activeExpireEnabled(true);
        assertEquals(1, ks.activeExpireCycle(1_000_000_000L));
        assertEquals(0, ks.size(0));
    }

    @Test
    void setExpireOnStringsAndLazyExpiry() {
        Keyspace ks = new Keyspace(2, 4);
        byte[] k = b("a");
        Shard s = ks.shardOf(k);
        set(ks, "a", -1);
        Object e = s.get(0, k, System.currentTimeMillis());
        Object e2 = s.setExpire(0, e, System.currentTimeMillis() + 100_000);
        assertEquals(1, s.volatileCount(0));
        assertSame(e2, s.peek(0, k));
        assertEquals("v", new String(StringRecord.value((byte[]) e2), StandardCharsets.UTF_8));
        Object e3 = s.setExpire(0, e2, -1);
        assertEquals(0, s.volatileCount(0));
        assertEquals(-1, Entries.expireAt(e3));
        s.setExpire(0, e3, 5);
        assertNull(s.get(0, k, 10));
        assertEquals(1, ks.expiredKeys());
        assertEquals(0, s.size(0));
    }

    @Test
    void newEntriesGetTheClock() {
        Keyspace ks = new Keyspace(1, 1);
        ks.clockSource(() -> 777);
        set(ks, "a", -1);
        assertEquals(777, Entries.clock(ks.shard(0).peek(0, b("a"))));
    }
}
