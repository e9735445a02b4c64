package io.basalt.server.command;

import io.basalt.server.client.Client;

/** Redis's {@code addReplyHelp} for every container command (CLIENT, CONFIG, DEBUG...): the subcommand help, as simple strings. */
public final class CommandHelp {
    private CommandHelp() {}

    /** Replies the header line, {@code lines}, and the HELP entry Redis appends to every help. */
    public static void reply(Client c, String command, String... lines) {
        c.out().array(lines.length + 3);
        c.out().simple(command + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        for (String l : lines) c.out().simple(l);
        c.out().simple("HELP");
        c.out().simple("    Prints this help.");
    }

    /** Redis's {@code addReplySubcommandSyntaxError}, for a known subcommand with an argument count it refuses. */
    public static void syntaxError(Client c, io.basalt.resp.RespRequest a) {
        String sub = a.string(1);
        if (sub.length() > 128) sub = sub.substring(0, 128);
        c.error("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try "
                + a.string(0).toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }
}
