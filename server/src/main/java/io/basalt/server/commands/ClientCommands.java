package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** CLIENT subcommands. */
public final class ClientCommands {
    private ClientCommands() {}

    static void register(CommandTable t) {
    }
}
