package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** SLOWLOG GET|LEN|RESET|HELP. */
public final class SlowlogCommands {
    private SlowlogCommands() {}

    static void register(CommandTable t) {
    }
}
