package io.basalt.server;

import io.basalt.server.client.Client;
import io.basalt.server.config.Config;
import io.basalt.server.net.ClientHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;

/**
 * Opens the server's package-private pieces to the JMH benchmarks (same package, benchmarks
 * module only), so a request can go through the real connection handler and dispatcher without
 * a socket.
 */
public final class BenchAccess {
    private BenchAccess() {}

    /** A server with default configuration that is never started (no ports, no threads). */
    public static BasaltServer server() {
        return new BasaltServer(Config.defaults());
    }

    /** The per-connection handler the server installs on every accepted channel. */
    public static ChannelHandler connectionHandler(BasaltServer server) {
        return new ClientHandler(server);
    }

    /** A registered client on {@code channel}, as a connection would get. */
    public static Client client(BasaltServer server, Channel channel) {
        return server.register(channel);
    }
}
