package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/**
 * Registers the data families' handlers (keys, strings, bits, HyperLogLogs, hashes, sets, sorted
 * sets, geo, lists, streams, the blocking pops, SORT). The other families live with their
 * subsystem (pubsub, tracking, persist, exec, net, admin, scripting); the composition root, {@code BasaltServer}, registers all of them.
 */
public final class Commands {
    private Commands() {}

    public static void registerAll(CommandTable t) {
        KeyCommands.register(t);
        StringCommands.register(t);
        BitCommands.register(t);
        HyperLogLogCommands.register(t);
        HashCommands.register(t);
        SetCommands.register(t);
        ZSetCommands.register(t);
        GeoCommands.register(t);
        ListCommands.register(t);
        StreamCommands.register(t);
        BlockingCommands.register(t);
        SortCommand.register(t);
    }
}
