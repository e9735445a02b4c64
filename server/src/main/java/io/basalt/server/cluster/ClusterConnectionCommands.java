package io.basalt.server.cluster;

import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;

import java.util.function.Supplier;

/**
 * ASKING, READONLY and READWRITE: the connection flags of cluster mode (Redis's askingCommand,
 * readonlyCommand, readwriteCommand). ASKING lets the next command into a slot this node is
 * importing (it is dropped after that command, kept through MULTI ... EXEC); READONLY lets a
 * replica serve reads of its master's slots; READWRITE ends that. Without cluster mode each
 * answers {@link ClusterMode#DISABLED}.
 */
public final class ClusterConnectionCommands {
    private ClusterConnectionCommands() {}

    public static void register(CommandTable t, Supplier<ClusterMode> cluster) {
        t.register("asking", (c, a) -> set(c, cluster, ClusterClientState.ASKING, true));
        t.register("readonly", (c, a) -> set(c, cluster, ClusterClientState.READONLY, true));
        t.register("readwrite", (c, a) -> set(c, cluster, ClusterClientState.READONLY, false));
    }

    private static void set(Client c, Supplier<ClusterMode> cluster, int flag, boolean on) {
        if (ClusterMode.require(c, cluster) == null) return;
        ClusterClientState s = ClusterClientState.of(c);
        if (on) s.flags |= flag;
        else s.flags &= ~flag;
        c.out().ok();
    }

}
