package io.basalt.cluster;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The cluster bus transport: a listener on the bus port and one outbound connection per known
 * node, all on one event loop thread (the bus is low traffic; one thread keeps the engine's
 * packet order simple), which also runs the engine's cron every 100 ms as Redis's serverCron
 * runs clusterCron. Framing is Redis's: an 8-byte prefix with the "RCmb" signature and the total
 * length, then the rest of the message.
 */
public final class ClusterBus {
    /** The longest message accepted: a PUBLISH of a 512 MB message and channel, plus the header. */
    static final long MAX_MESSAGE = 1L << 30;

    private final ClusterEngine engine;
    private final EventLoopGroup group;
    private final List<Channel> listeners = new ArrayList<>();
    private int port;

    public ClusterBus(ClusterEngine engine) {
        this.engine = engine;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("basalt-cluster-bus", true), NioIoHandler.newFactory());
        engine.bus = this;
    }

    /** The bus port being listened on. */
    public int port() { return port; }

    /** How the server binds its listeners (the bind directive's addresses, optional ones, errors). */
    public interface Binder {
        List<Channel> bind(ServerBootstrap bootstrap, int port) throws Exception;
    }

    /**
     * Listens on the bus port with the server's {@code binder} (the same addresses as the client
     * port) and starts the cron. Throws when it cannot listen (the server refuses to start).
     */
    public void start(Binder binder, int port) throws Exception {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        BusLink link = new BusLink(null, true, System.currentTimeMillis());
                        link.channel = ch;
                        io.netty.channel.ChannelHandler tls = engine.host.busTls(ch, true, null, 0);
                        if (tls != null) ch.pipeline().addLast("tls", tls);
                        ch.pipeline().addLast(new Framer(), new Handler(link));
                    }
                });
        try {
            listeners.addAll(binder.bind(b, port));
        } catch (Exception e) {
            close();
            throw e;
        }
        this.port = listeners.isEmpty() ? port : ((InetSocketAddress) listeners.get(0).localAddress()).getPort();
        group.scheduleAtFixedRate(this::cron, 100, 100, TimeUnit.MILLISECONDS);
    }

    private void cron() {
        try {
            engine.cron();
        } catch (Throwable t) {
            engine.host.log("warning", "cluster cron failed: " + t);
        }
    }

    /** Runs {@code task} on the bus thread. */
    public void execute(Runnable task) { group.execute(task); }

    /** Opens the outbound link to {@code node} (called by the cron with the state locked). */
    void connect(ClusterNode node, long now) {
        BusLink link = new BusLink(node, false, now);
        node.link = link;
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1000, Math.min(Integer.MAX_VALUE, engine.options.nodeTimeout)))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        link.channel = ch;
                        io.netty.channel.ChannelHandler tls = engine.host.busTls(ch, false, node.ip, node.cport);
                        if (tls != null) ch.pipeline().addLast("tls", tls);
                        ch.pipeline().addLast(new Framer(), new Handler(link));
                    }
                });
        b.connect(node.ip, node.cport).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                if (link.closed) {
                    f.channel().close();
                    return;
                }
                engine.linkConnected(link);
            } else {
                synchronized (engine.cs) {
                    // a failed connect counts as a ping without answer: node timeout marks PFAIL
                    if (node.pingSent == 0) node.pingSent = System.currentTimeMillis();
                    engine.freeLink(link);
                }
            }
        });
    }

    public void close() {
        for (Channel c : listeners) c.close().awaitUninterruptibly();
        listeners.clear();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Cuts the stream into whole messages; a bad signature or length closes the link. */
    private static final class Framer extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (in.readableBytes() < 8) return;
            int i = in.readerIndex();
            long totlen = in.getUnsignedInt(i + 4);
            if (in.getByte(i) != 'R' || in.getByte(i + 1) != 'C' || in.getByte(i + 2) != 'm' || in.getByte(i + 3) != 'b'
                    || totlen < ClusterMsg.HEADER_LEN || totlen > MAX_MESSAGE) {
                in.skipBytes(in.readableBytes());
                ctx.fireUserEventTriggered(BAD_FRAME);
                return;
            }
            if (in.readableBytes() < totlen) return;
            out.add(in.readRetainedSlice((int) totlen));
        }
    }

    private static final Object BAD_FRAME = new Object();

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final BusLink link;

        Handler(BusLink link) { this.link = link; }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                ClusterMsg m = ClusterMsg.decode(buf, buf.readableBytes());
                if (m == null) {
                    engine.host.log("warning", "Received invalid cluster bus packet of length " + buf.readableBytes());
                    return;
                }
                if (link.closed) return;
                String local = ipText(((InetSocketAddress) ctx.channel().localAddress()).getAddress());
                String peer = ipText(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress());
                engine.process(link, m, local, peer);
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            engine.beforeSleep();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == BAD_FRAME) {
                engine.host.log("warning", "Bad message length or signature received from Cluster bus.");
                engine.linkClosed(link);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            engine.linkClosed(link);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            engine.linkClosed(link);
        }
    }

    /** An address as inet_ntop prints it (IPv6 compressed, no %scope). */
    private static String ipText(java.net.InetAddress a) {
        if (a instanceof java.net.Inet6Address) return ClusterEngine.compressIpv6((java.net.Inet6Address) a);
        return a.getHostAddress();
    }
}
