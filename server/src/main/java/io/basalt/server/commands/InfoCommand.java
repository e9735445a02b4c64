package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** INFO and its sections, in Redis's exact text format. */
public final class InfoCommand {
    private InfoCommand() {}

    static void register(CommandTable t) {
    }
}
