package io.basalt.server.commands;

import io.basalt.server.command.CommandTable;

/** Generic key commands: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX MOVE COPY TOUCH EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST OBJECT. */
public final class KeyCommands {
    private KeyCommands() {}

    static void register(CommandTable t) {
    }
}
