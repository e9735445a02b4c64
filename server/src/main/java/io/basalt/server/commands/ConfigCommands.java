package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** CONFIG GET|SET|RESETSTAT|REWRITE|HELP. */
public final class ConfigCommands {
    private ConfigCommands() {}

    static void register(CommandTable t) {
    }
}
