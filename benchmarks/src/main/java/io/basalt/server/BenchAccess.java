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

    /**
     * A never-started server in cluster mode serving every slot, its cluster state already ok
     * (the cron that would turn it ok after CLUSTER_WRITABLE_DELAY never runs here).
     */
    public static BasaltServer clusterServer() {
        Config config = Config.defaults();
        try {
            config.setAtStartup("cluster-enabled", "yes");
            // nodes.conf is written where the node's dir is: a directory of its own
            config.setAtStartup("dir", java.nio.file.Files.createTempDirectory("basalt-bench").toString());
        } catch (io.basalt.server.config.ConfigException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        BasaltServer server = new BasaltServer(config);
        server.cluster().load(config); // myself, as at start (the bus is not started)
        io.basalt.cluster.ClusterState state = server.cluster().state();
        for (int j = 0; j < io.basalt.cluster.Slots.COUNT; j++) state.addSlot(state.myself(), j);
        long now = System.currentTimeMillis();
        state.updateState(now);
        state.updateState(now + 10_000);
        if (!state.ok()) throw new IllegalStateException("cluster state not ok");
        return server;
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
