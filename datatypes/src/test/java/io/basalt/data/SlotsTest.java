package io.basalt.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Slots}: Redis Cluster's CRC16 (XMODEM) and hash-tag rules. */
class SlotsTest {

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    @Test
    void crc16CheckValue() {
        // the standard CRC-16/XMODEM check value, also in Redis's crc16.c
        byte[] s = b("123456789");
        assertEquals(0x31C3, Slots.crc16(s, 0, s.length));
    }

    @Test
    void knownSlots() {
        // values from CLUSTER KEYSLOT on redis-server
        assertEquals(12182, Slots.slot(b("foo")));
        assertEquals(5061, Slots.slot(b("bar")));
        assertEquals(0, Slots.slot(b("")));
        assertEquals(Slots.slot(b("user1000")), Slots.slot(b("{user1000}.following")));
        assertEquals(Slots.slot(b("{user1000}.following")), Slots.slot(b("{user1000}.followers")));
    }

    @Test
    void hashTagRules() {
        // only the first { and the first } after it count
        assertEquals(Slots.slot(b("bar")), Slots.slot(b("foo{bar}{zap}")));
        assertEquals(Slots.slot(b("bar")), Slots.slot(b("{bar}}")));
        // an empty tag, or no closing brace, hashes the whole key
        byte[] empty = b("foo{}{bar}");
        assertEquals(Slots.crc16(empty, 0, empty.length) & 16383, Slots.slot(empty));
        byte[] open = b("foo{bar");
        assertEquals(Slots.crc16(open, 0, open.length) & 16383, Slots.slot(open));
        // "{{bar}}": the tag is "{bar", which is also how the tagless "{bar" hashes
        assertEquals(Slots.slot(b("{bar")), Slots.slot(b("{{bar}}")));
    }

    @Test
    void offsetsAreHonoured() {
        byte[] k = b("xx{user1000}.followingyy");
        assertEquals(Slots.slot(b("user1000")), Slots.slot(k, 2, k.length - 4));
    }
}
