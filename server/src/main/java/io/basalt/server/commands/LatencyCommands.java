package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** LATENCY LATEST|HISTORY|RESET|HISTOGRAM|DOCTOR|GRAPH|HELP. */
public final class LatencyCommands {
    private LatencyCommands() {}

    static void register(CommandTable t) {
    }
}
