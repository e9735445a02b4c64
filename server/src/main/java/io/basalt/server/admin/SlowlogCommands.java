package io.basalt.server.admin;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;
import io.basalt.server.stats.SlowlogEntry;

import java.util.List;

/** SLOWLOG GET|LEN|RESET|HELP, fed by {@link io.basalt.server.admin.Monitoring}. */
public final class SlowlogCommands {
    private SlowlogCommands() {}

    public static void register(CommandTable t) {
        t.register("slowlog|get", SlowlogCommands::get);
        t.register("slowlog|len", SlowlogCommands::len);
        t.register("slowlog|reset", SlowlogCommands::reset);
        t.register("slowlog|help", SlowlogCommands::help);
    }

    static void get(Client c, RespRequest a) {
        if (a.argc() > 3) {
            c.error("ERR unknown subcommand or wrong number of arguments for '" + a.string(1) + "'. Try SLOWLOG HELP.");
            return;
        }
        long count = 10;
        if (a.argc() == 3) {
            try {
                count = Generic.parseLong(a, 2);
            } catch (NumberFormatException e) {
                count = -2;
            }
            if (count < -1) {
                c.error("ERR count should be greater than or equal to -1");
                return;
            }
        }
        List<SlowlogEntry> entries = c.server().monitoring().slowlog(count);
        c.out().array(entries.size());
        for (SlowlogEntry e : entries) {
            c.out().array(6);
            c.out().integer(e.id());
            c.out().integer(e.timestamp());
            c.out().integer(e.micros());
            c.out().array(e.args().length);
            for (byte[] arg : e.args()) c.out().bulk(arg);
            c.out().bulk(e.clientAddr());
            c.out().bulk(e.clientName());
        }
    }

    static void len(Client c, RespRequest a) {
        c.out().integer(c.server().monitoring().slowlogLen());
    }

    static void reset(Client c, RespRequest a) {
        c.server().monitoring().slowlogReset();
        c.out().ok();
    }

    static void help(Client c, RespRequest a) {
        CommandHelp.reply(c, "SLOWLOG",
                "GET [<count>]",
                "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
                "    Entries are made of:",
                "    id, timestamp, time in microseconds, arguments array, client IP and port,",
                "    client name",
                "LEN",
                "    Return the length of the slowlog.",
                "RESET",
                "    Reset the slowlog.");
    }
}
