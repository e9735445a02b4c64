package io.basalt.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

/**
 * A TCP connection of the cluster bus (Redis's clusterLink): outbound links are the ones this
 * node opened to ping a node, inbound links the ones other nodes opened to it (the node is known
 * once the first packet names it). Fields change with the state's monitor held.
 */
public final class BusLink {
    final long ctime;
    final boolean inbound;
    ClusterNode node;
    volatile Channel channel;
    /** Bytes queued on the channel and not yet written (for CLUSTER LINKS and the send-buffer limit). */
    long pendingBytes;
    boolean closed;

    BusLink(ClusterNode node, boolean inbound, long now) {
        this.node = node;
        this.inbound = inbound;
        this.ctime = now;
    }

    void send(ClusterMsg m, ClusterEngine engine) {
        Channel ch = channel;
        if (ch == null || closed) return;
        ByteBuf buf = ch.alloc().buffer(ClusterMsg.HEADER_LEN + 512);
        m.encode(buf);
        if (m.type < ClusterMsg.TYPE_COUNT) engine.sent[m.type]++;
        ch.writeAndFlush(buf, ch.voidPromise());
    }

    public boolean inbound() { return inbound; }

    public ClusterNode node() { return node; }

    public long ctime() { return ctime; }

    /** Bytes waiting to be written on the socket. */
    public long sendBufferBytes() {
        Channel ch = channel;
        if (ch == null) return 0;
        io.netty.channel.ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }
}
