package io.basalt.compat.commands;

import io.basalt.compat.harness.BasaltInstance;
import io.basalt.compat.harness.DifferentialTest;
import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.FieldEntry;
import io.basalt.data.ObjectEntry;
import io.basalt.data.Shard;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared fixtures of the string and bit command tests: keys of another type (Basalt has no
 * collection types yet, so a stand-in entry is planted directly in its keyspace while Redis gets
 * a real hash), and checks of what Basalt stored (encoding, expiry) against OBJECT ENCODING and
 * PTTL on Redis.
 */
abstract class StringFixturesTest extends DifferentialTest {

    /** A non-string value: enough for every WRONGTYPE path of the string commands. */
    static final class FakeHash extends FieldEntry {
        FakeHash(byte[] key) { super(key); }

        @Override
        public String typeName() { return "hash"; }

        @Override
        public String encodingName() { return "listpack"; }

        @Override
        public int size() { return 1; }

        @Override
        public long memoryUsage() { return 64; }

        @Override
        public ObjectEntry copy(byte[] newKey) { return new FakeHash(newKey); }
    }

    private static Shard shard(byte[] k) {
        Keyspace ks = BasaltInstance.shared().server().keyspace();
        return ks.shardOf(k);
    }

    /** Makes {@code key} hold a hash on both servers (db 0). */
    void hash(String key) {
        redis.call("HSET", key, "f", "v");
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        Shard s = shard(k);
        s.lock();
        try {
            s.put(0, k, new FakeHash(k));
        } finally {
            s.unlock();
        }
    }

    private static Object peek(String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        Shard s = shard(k);
        s.lock();
        try {
            return s.peek(0, k);
        } finally {
            s.unlock();
        }
    }

    /** Basalt's stored encoding of {@code key} equals Redis's OBJECT ENCODING. */
    void sameEncoding(String key) {
        String expected = redis.call("OBJECT", "ENCODING", key).string();
        Object e = peek(key);
        assertEquals(expected, e == null ? null : Entries.encodingName(e), () -> "encoding of " + key);
    }

    /**
     * Basalt's remaining TTL of {@code key} matches Redis's PTTL: both none (-1), both missing
     * (-2), or within a second of each other.
     */
    void sameTtl(String key) {
        long expected = redis.call("PTTL", key).number();
        Object e = peek(key);
        long actual;
        if (e == null) {
            actual = -2;
        } else {
            long at = Entries.expireAt(e);
            actual = at < 0 ? -1 : Math.max(0, at - System.currentTimeMillis());
            if (at >= 0 && at <= System.currentTimeMillis()) actual = -2; // expired: gone on next access
        }
        long got = actual;
        if (expected < 0 || got < 0) {
            assertEquals(expected, got, () -> "ttl of " + key);
        } else {
            assertTrue(Math.abs(expected - got) < 1500, () -> "ttl of " + key + ": redis " + expected + " basalt " + got);
        }
    }

    static byte[] b(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }
}
