package io.basalt.server.util;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Binding the listening sockets of a {@code bind} value, as Redis's listenToPort: the RESP port
 * and the operations HTTP port take the same addresses the same way.
 */
public final class Listeners {
    private Listeners() {}

    /** Native epoll where the platform has it, else NIO: the transport of every listener. */
    public static IoHandlerFactory ioFactory() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    /** The server socket channel class of {@link #ioFactory()}'s transport. */
    public static Class<? extends ServerChannel> serverChannel() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * Binds every address of a {@code bind} value on {@code port}. Addresses prefixed with "-"
     * (and "::*") are optional, as in Redis. On failure, whatever was bound is closed again and
     * the exception says which address failed ("Could not create {@code what} listening socket
     * host:port: reason", Redis's words for the RESP port).
     */
    public static List<Channel> bindAll(ServerBootstrap bootstrap, String bind, int port, String what) throws Exception {
        List<Channel> bound = new ArrayList<>();
        boolean wildcard = false;
        for (String addr : bind.split(" ")) {
            boolean optional = addr.startsWith("-");
            String host = optional ? addr.substring(1) : addr;
            // the JVM binds "*" dual-stack (IPv4 and IPv6 on one socket), which is what Redis's
            // "* -::*" gets with two sockets: the IPv6 wildcard is already served
            if (host.equals("::*") && wildcard) continue;
            if (host.equals("*")) wildcard = true;
            try {
                InetSocketAddress sa = host.equals("*") ? new InetSocketAddress(port)
                        : host.equals("::*") ? new InetSocketAddress(InetAddress.getByName("::"), port)
                        : new InetSocketAddress(InetAddress.getByName(host), port);
                bound.add(bootstrap.bind(sa).sync().channel());
            } catch (Exception e) {
                if (optional || host.equals("::*")) {
                    Log.warning("Could not bind " + host + ":" + port + " (" + e.getMessage() + "), skipped");
                    continue;
                }
                for (Channel ch : bound) ch.close().awaitUninterruptibly();
                throw new Exception("Could not create " + what + " listening socket " + host + ":" + port
                        + ": bind: " + strerror(e), e);
            }
        }
        if (bound.isEmpty()) throw new Exception("Could not bind any address for port " + port);
        return bound;
    }

    /** The OS error of a failed bind as C's strerror says it ("Address already in use"). */
    private static String strerror(Exception e) {
        String m = String.valueOf(e.getMessage());
        int i = m.lastIndexOf("): "); // Netty's native transport: "bind(..) failed with error(-98): ..."
        return i >= 0 ? m.substring(i + 3) : m;
    }
}
