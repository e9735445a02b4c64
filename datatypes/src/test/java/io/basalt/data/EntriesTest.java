package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Entries}' re-keying (RENAME) and copying (COPY) of both kinds of entries. */
class EntriesTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** A minimal collection entry, standing in for hashes, lists and the rest. */
    static final class Box extends FieldEntry {
        final StringBuilder value;

        Box(byte[] key, String value) {
            super(key);
            this.value = new StringBuilder(value);
        }

        @Override public String typeName() { return "list"; }

        @Override public String encodingName() { return "listpack"; }

        @Override public int size() { return value.length(); }

        @Override public long memoryUsage() { return 64; }

        @Override public ObjectEntry copy(byte[] newKey) { return new Box(newKey, value.toString()); }
    }

    @Test
    void stringWithKeyKeepsValueTtlEncodingAndClock() {
        byte[] r = StringRecord.create(b("old"), b("12"), 5000, StringRecord.ENC_INT);
        StringRecord.clock(r, 4242);
        byte[] n = (byte[]) Entries.withKey(r, b("a-much-longer-new-key"));
        assertArrayEquals(b("a-much-longer-new-key"), StringRecord.key(n));
        assertArrayEquals(b("12"), StringRecord.value(n));
        assertEquals(5000, StringRecord.expireAt(n));
        assertEquals(StringRecord.ENC_INT, StringRecord.encoding(n));
        assertEquals(4242, StringRecord.clock(n));
    }

    @Test
    void stringCopyGetsAFreshClock() {
        byte[] r = StringRecord.create(b("k"), b("v"), -1, StringRecord.ENC_EMBSTR);
        StringRecord.clock(r, 99);
        byte[] n = (byte[]) Entries.copyAs(r, b("k2"));
        assertEquals(0, StringRecord.clock(n));
        assertEquals(-1, StringRecord.expireAt(n));
        assertArrayEquals(b("v"), StringRecord.value(n));
    }

    @Test
    void objectEntriesKeepTtl() {
        Box o = new Box(b("src"), "payload");
        o.expireAt = 777;
        o.clock = 12;
        Box renamed = (Box) Entries.withKey(o, b("dst"));
        assertArrayEquals(b("dst"), renamed.key);
        assertEquals(777, renamed.expireAt());
        assertEquals(12, renamed.clock());
        Box copied = (Box) Entries.copyAs(o, b("cp"));
        assertEquals(777, copied.expireAt());
        assertNotSame(o.value, copied.value);
        assertEquals("payload", copied.value.toString());
    }

    @Test
    void objectEntryExpiryInAShard() {
        Keyspace ks = new Keyspace(2, 1);
        Shard s = ks.shard(0);
        Box o = new Box(b("h"), "x");
        s.put(0, o.key, o);
        assertTrue(o.clock() != 0, "stamped on insert");
        s.setExpire(0, (Object) o, 1000);
        assertEquals(1, s.volatileCount(0));
        assertEquals(1000, Entries.expireAt(s.peek(0, b("h"))));
        s.setExpire(0, (Object) o, -1);
        assertEquals(0, s.volatileCount(0));
        // MOVE: the same entry, another database of the same shard
        s.remove(0, o.key);
        s.put(1, o.key, o);
        assertEquals(0, s.size(0));
        assertEquals(1, s.size(1));
        assertEquals("list", Entries.typeName(s.get(1, b("h"), 0)));
    }
}
