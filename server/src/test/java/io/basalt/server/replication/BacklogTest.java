package io.basalt.server.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The replication backlog's ring: offsets as Redis numbers them, wrap-around, trimming on resize. */
class BacklogTest {
    private static byte[] b(String s) { return s.getBytes(StandardCharsets.US_ASCII); }

    private static String from(ReplicationSource.Backlog bl, long from, long to) {
        ByteBuf out = Unpooled.buffer();
        bl.copyFrom(from, to, out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void historyAndOffsetsLikeRedis() {
        // a backlog created when the stream was already at offset 100
        ReplicationSource.Backlog bl = new ReplicationSource.Backlog(16, 100);
        assertEquals(0, bl.histlen());
        bl.append(b("abcdef"), 0, 6);
        assertEquals(6, bl.histlen());
        assertEquals(101, bl.firstByteOffset(), "the first byte kept is byte 101 of the stream");
        // a replica that processed 103 bytes continues with "def"
        assertTrue(bl.covers(103, 106));
        assertEquals("def", from(bl, 103, 106));
        // one that processed everything gets nothing; one that is ahead or before the history, a full sync
        assertTrue(bl.covers(106, 106));
        assertEquals("", from(bl, 106, 106));
        assertFalse(bl.covers(107, 106));
        assertFalse(bl.covers(99, 106));
        assertTrue(bl.covers(100, 106), "processed exactly up to the history's start");
    }

    @Test
    void wrapsAroundAndForgetsTheOldest() {
        ReplicationSource.Backlog bl = new ReplicationSource.Backlog(8, 0);
        bl.append(b("0123456"), 0, 7);
        bl.append(b("789AB"), 0, 5); // 12 bytes into 8: "456789AB" kept
        assertEquals(8, bl.histlen());
        assertEquals(5, bl.firstByteOffset());
        assertEquals("456789AB", from(bl, 4, 12));
        assertEquals("9AB", from(bl, 9, 12));
        assertFalse(bl.covers(3, 12));
        // a write larger than the ring keeps only its tail
        bl.append(b("abcdefghijkl"), 0, 12);
        assertEquals("efghijkl", from(bl, 16, 24));
        assertEquals(17, bl.firstByteOffset());
    }

    @Test
    void resizeKeepsTheNewestHistory() {
        ReplicationSource.Backlog bl = new ReplicationSource.Backlog(8, 0);
        bl.append(b("abcdefgh"), 0, 8);
        ReplicationSource.Backlog small = bl.resized(4);
        assertEquals(4, small.histlen());
        assertEquals("efgh", from(small, 4, 8));
        ReplicationSource.Backlog big = small.resized(32);
        assertEquals("efgh", from(big, 4, 8));
        big.append(b("ij"), 0, 2);
        assertEquals("efghij", from(big, 4, 10));
    }
}
