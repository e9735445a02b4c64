package io.basalt.server.commands;

import io.basalt.server.Client;

/** Redis's {@code addReplyHelp}: the header line, the given lines, then HELP, as simple strings. */
final class ServerHelp {
    private ServerHelp() {}

    static void reply(Client c, String command, String... lines) {
        c.out().array(lines.length + 3);
        c.out().simple(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) c.out().simple(l);
        c.out().simple("HELP");
        c.out().simple("    Prints this help.");
    }
}
