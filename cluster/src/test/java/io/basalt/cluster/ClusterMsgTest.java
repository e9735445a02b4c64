package io.basalt.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The bus codec against cluster.h's layout: the static-asserted field offsets, the lengths each
 * type must have, the 8-byte-aligned hostname extension, and decode(encode(m)) == m. Interop with
 * redis-server itself is exercised by the cluster tests in compat-tests.
 */
class ClusterMsgTest {
    private static final String A = "a".repeat(40);
    private static final String B = "b".repeat(40);

    private static ClusterMsg header(int type) {
        ClusterMsg m = new ClusterMsg();
        m.type = type;
        m.port = 7000;
        m.pport = 0;
        m.cport = 17000;
        m.currentEpoch = 5;
        m.configEpoch = 3;
        m.offset = 1234567890123L;
        m.sender = A;
        m.slaveof = "";
        m.myip = "127.0.0.1";
        m.flags = ClusterNode.MASTER;
        m.state = ClusterState.OK;
        Slots.set(m.myslots, 0);
        Slots.set(m.myslots, 16383);
        return m;
    }

    @Test
    void headerFieldsSitAtClusterHOffsets() {
        ByteBuf b = Unpooled.buffer();
        header(ClusterMsg.MFSTART).encode(b);
        assertEquals(2256, b.readableBytes());
        assertEquals("RCmb", b.toString(0, 4, StandardCharsets.US_ASCII));
        assertEquals(2256, b.getInt(4));
        assertEquals(1, b.getShort(8));
        assertEquals(7000, b.getUnsignedShort(10));
        assertEquals(ClusterMsg.MFSTART, b.getShort(12));
        assertEquals(5, b.getLong(16));
        assertEquals(3, b.getLong(24));
        assertEquals(1234567890123L, b.getLong(32));
        assertEquals(A, b.toString(40, 40, StandardCharsets.US_ASCII));
        assertEquals(1, b.getByte(80)); // slot 0: bit 0 of the first bitmap byte
        assertEquals((byte) 0x80, b.getByte(80 + 2047)); // slot 16383: bit 7 of the last
        assertEquals(0, b.getByte(2128)); // no master: all zero
        assertEquals("127.0.0.1", b.toString(2168, 9, StandardCharsets.US_ASCII));
        assertEquals(17000, b.getUnsignedShort(2248));
        assertEquals(ClusterNode.MASTER, b.getShort(2250));
        assertEquals(ClusterState.OK, b.getByte(2252));
    }

    @Test
    void pingWithGossipAndHostnameRoundTrips() {
        ClusterMsg m = header(ClusterMsg.PING);
        for (String name : new String[] {B, "c".repeat(40)}) {
            ClusterMsg.Gossip g = new ClusterMsg.Gossip();
            g.name = name;
            g.pingSent = 11;
            g.pongReceived = 4294967295L;
            g.ip = "::1";
            g.port = 7001;
            g.cport = 17001;
            g.flags = ClusterNode.SLAVE | ClusterNode.PFAIL;
            g.pport = 0;
            m.gossip.add(g);
        }
        m.hostname = "node-1.example"; // 14 bytes + NUL, padded to 16
        ByteBuf b = Unpooled.buffer();
        m.encode(b);
        assertEquals(2256 + 2 * 104 + 8 + 16, b.readableBytes());
        assertEquals(2, b.getShort(14));
        assertEquals(1, b.getShort(2214)); // one extension
        assertEquals(ClusterMsg.FLAG0_EXT_DATA, b.getByte(2253));
        ClusterMsg d = ClusterMsg.decode(b, b.readableBytes());
        assertEquals(2, d.gossip.size());
        assertEquals(B, d.gossip.get(0).name);
        assertEquals(4294967295L, d.gossip.get(0).pongReceived);
        assertEquals("::1", d.gossip.get(1).ip);
        assertEquals(ClusterNode.SLAVE | ClusterNode.PFAIL, d.gossip.get(1).flags);
        assertEquals("node-1.example", d.hostname);
        assertEquals(A, d.sender);
        assertEquals("", d.slaveof);
        assertArrayEquals(m.myslots, d.myslots);
        assertEquals(1234567890123L, d.offset);
    }

    @Test
    void failUpdateAndPublishRoundTrip() {
        ClusterMsg f = header(ClusterMsg.FAIL);
        f.about = B;
        ClusterMsg u = header(ClusterMsg.UPDATE);
        u.about = B;
        u.updateConfigEpoch = 9;
        u.updateSlots = new byte[Slots.BYTES];
        Slots.set(u.updateSlots, 42);
        ClusterMsg p = header(ClusterMsg.PUBLISHSHARD);
        p.channel = "ch".getBytes(StandardCharsets.UTF_8);
        p.message = "hello".getBytes(StandardCharsets.UTF_8);
        int[] lengths = {2256 + 40, 2256 + 8 + 40 + 2048, 2256 + 8 + 2 + 5};
        ClusterMsg[] ms = {f, u, p};
        for (int i = 0; i < ms.length; i++) {
            ByteBuf b = Unpooled.buffer();
            ms[i].encode(b);
            assertEquals(lengths[i], b.readableBytes());
            ClusterMsg d = ClusterMsg.decode(b, b.readableBytes());
            assertEquals(ms[i].type, d.type);
            if (i < 2) assertEquals(B, d.about);
        }
        ByteBuf b = Unpooled.buffer();
        u.encode(b);
        ClusterMsg d = ClusterMsg.decode(b, b.readableBytes());
        assertEquals(9, d.updateConfigEpoch);
        assertEquals(true, Slots.test(d.updateSlots, 42));
        b = Unpooled.buffer();
        p.encode(b);
        d = ClusterMsg.decode(b, b.readableBytes());
        assertEquals("hello", new String(d.message, StandardCharsets.UTF_8));
    }

    @Test
    void packetsRedisWouldDropAreRefused() {
        ByteBuf b = Unpooled.buffer();
        header(ClusterMsg.FAIL).encode(b);
        // a FAIL one byte short of its length, as cluster.c's explen check refuses
        assertNull(ClusterMsg.decode(b, b.readableBytes() - 1));
        b.setShort(8, 2); // another protocol version
        assertNull(ClusterMsg.decode(b, b.readableBytes()));
        ByteBuf p = Unpooled.buffer();
        ClusterMsg ping = header(ClusterMsg.PING);
        ping.hostname = "h";
        ping.encode(p);
        p.setInt(2256, 12); // an extension length that is not a multiple of 8
        assertNull(ClusterMsg.decode(p, p.readableBytes()));
    }
}
