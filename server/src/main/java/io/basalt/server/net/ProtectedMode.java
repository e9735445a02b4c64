package io.basalt.server.net;

import io.basalt.server.BasaltServer;

import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Redis's protected mode: with no password set, only loopback clients may connect. */
public final class ProtectedMode {
    private ProtectedMode() {}

    static final String DENIED = "-DENIED Redis is running in protected mode because protected mode is enabled and "
            + "no password is set for the default user. In this mode connections are only accepted from the loopback "
            + "interface. If you want to connect from external computers to Redis you may adopt one of the following "
            + "solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the "
            + "loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE "
            + "Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change "
            + "permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration "
            + "file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started "
            + "the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an "
            + "authentication password for the default user. NOTE: You only need to do one of the above things in "
            + "order for the server to start accepting connections from the outside.\r\n";

    /** The refusal to send, or null when the connection may proceed. */
    public static String check(BasaltServer server, Channel ch) {
        return check(server.config().getBool("protected-mode"), server.requiresAuth(), ch.remoteAddress());
    }

    /**
     * The refusal for a client at {@code remote}, or null. Redis 7.0 refuses non-loopback TCP
     * clients whenever protected mode is on and the default user has no password, whatever
     * the bind addresses are; Unix-socket clients count as local.
     */
    public static String check(boolean protectedMode, boolean passwordSet, SocketAddress remote) {
        if (!protectedMode || passwordSet) return null;
        if (remote instanceof InetSocketAddress a && a.getAddress() != null && !a.getAddress().isLoopbackAddress()) {
            return DENIED;
        }
        return null;
    }
}
