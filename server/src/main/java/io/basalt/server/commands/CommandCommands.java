package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** COMMAND and its subcommands, answered from Redis 7.0's own metadata. */
public final class CommandCommands {
    private CommandCommands() {}

    static void register(CommandTable t) {
    }
}
