package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** Bit commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO. */
public final class BitCommands {
    private BitCommands() {}

    static void register(CommandTable t) {
    }
}
