package io.basalt.server.admin;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;
import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigException;
import io.basalt.server.config.ConfigRewrite;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** CONFIG GET|SET|RESETSTAT|REWRITE|HELP. */
public final class ConfigCommands {
    private ConfigCommands() {}

    public static void register(CommandTable t) {
        t.register("config|get", ConfigCommands::get);
        t.register("config|set", ConfigCommands::set);
        t.register("config|resetstat", ConfigCommands::resetstat);
        t.register("config|rewrite", ConfigCommands::rewrite);
        t.register("config|help", ConfigCommands::help);
    }

    /** CONFIG GET pattern [pattern ...]: a map in RESP3, a flat name/value array in RESP2. */
    static void get(Client c, RespRequest a) {
        List<byte[]> patterns = new ArrayList<>();
        for (int i = 2; i < a.argc(); i++) patterns.add(a.bytes(i));
        List<String[]> found = c.server().config().matching(patterns);
        c.out().map(found.size());
        for (String[] kv : found) {
            c.out().bulk(kv[0]);
            c.out().bulk(kv[1]);
        }
    }

    /** CONFIG SET name value [name value ...]: all or nothing. */
    static void set(Client c, RespRequest a) {
        if ((a.argc() - 2) % 2 != 0) {
            c.error(Generic.SYNTAX);
            return;
        }
        List<String[]> pairs = new ArrayList<>();
        for (int i = 2; i + 1 < a.argc(); i += 2) pairs.add(new String[]{a.string(i), a.string(i + 1)});
        try {
            c.server().config().set(pairs, isLocal(c));
        } catch (ConfigException e) {
            c.error("ERR " + e.getMessage());
            return;
        }
        c.out().ok();
    }

    /** Whether the client connects over loopback ("local" for enable-*-command / protected configs). */
    static boolean isLocal(Client c) {
        if (c.channel().remoteAddress() instanceof InetSocketAddress i) {
            return i.getAddress() == null || i.getAddress().isLoopbackAddress();
        }
        return true;
    }

    /**
     * CONFIG RESETSTAT: what Redis's resetServerStats, resetCommandTableStats and
     * resetErrorTableStats clear. The slow log and the latency monitor's events are kept.
     */
    static void resetstat(Client c, RespRequest a) {
        c.server().stats().reset();
        for (CommandSpec s : c.server().commands().allSpecs()) s.resetStats();
        c.server().monitoring().resetHistograms();
        c.server().keyspace().resetStats();
        c.server().keyspace().eviction().resetStats();
        c.out().ok();
    }

    static void rewrite(Client c, RespRequest a) {
        Config config = c.server().config();
        if (config.file() == null) {
            c.error("ERR The server is running without a config file");
            return;
        }
        try {
            ConfigRewrite.rewrite(config);
        } catch (IOException e) {
            io.basalt.server.util.Log.warning("CONFIG REWRITE failed: " + e.getMessage());
            c.error("ERR Rewriting config file: " + e.getMessage());
            return;
        }
        io.basalt.server.util.Log.notice("CONFIG REWRITE executed with success.");
        c.out().ok();
    }

    static void help(Client c, RespRequest a) {
        CommandHelp.reply(c, "CONFIG",
                "GET <pattern>",
                "    Return parameters matching the glob-like <pattern> and their values.",
                "SET <directive> <value>",
                "    Set the configuration <directive> to <value>.",
                "RESETSTAT",
                "    Reset statistics reported by the INFO command.",
                "REWRITE",
                "    Rewrite the configuration file.");
    }
}
