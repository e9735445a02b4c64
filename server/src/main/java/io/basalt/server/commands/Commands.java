package io.basalt.server.commands;

import io.basalt.server.BasaltServer;
import io.basalt.server.command.CommandTable;

/** Registers every command family's handlers. One class per family, named after Redis's groups. */
public final class Commands {
    private Commands() {}

    public static void registerAll(BasaltServer server, CommandTable t) {
        ConnectionCommands.register(t);
        StringCommands.register(t);
        ServerCommands.register(t);
    }
}
