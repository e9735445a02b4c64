package io.basalt.server.admin;

import io.basalt.data.Glob;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespValue;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * COMMAND and its subcommands, answered from Redis 7.0's own metadata for the commands Basalt
 * implements (COMMAND COUNT is their number; unimplemented ones are as absent as in a Redis
 * without them).
 */
public final class CommandCommands {
    private CommandCommands() {}

    public static void register(CommandTable t) {
        t.register("command", CommandCommands::command);
        t.register("command|count", CommandCommands::count);
        t.register("command|info", CommandCommands::info);
        t.register("command|docs", CommandCommands::docs);
        t.register("command|list", CommandCommands::list);
        t.register("command|getkeys", (c, a) -> getkeys(c, a, false));
        t.register("command|getkeysandflags", (c, a) -> getkeys(c, a, true));
        t.register("command|help", CommandCommands::help);
    }

    private static CommandTable table(Client c) { return c.server().commands(); }

    /** COMMAND: the COMMAND INFO entry of every implemented command. */
    static void command(Client c, RespRequest a) {
        RespWriter w = c.out();
        w.array(table(c).commands().size());
        for (CommandSpec s : table(c).commands()) CommandReplies.info(w, s);
    }

    static void count(Client c, RespRequest a) {
        c.out().integer(table(c).commands().size());
    }

    /** Redis's lookupCommandBySds: "name" or "container|sub", case-insensitive. */
    private static CommandSpec byName(Client c, RespRequest a, int i) {
        if (a.length(i) > 256) return null;
        return table(c).get(a.lowerString(i));
    }

    static void info(Client c, RespRequest a) {
        if (a.argc() == 2) {
            command(c, a);
            return;
        }
        RespWriter w = c.out();
        w.array(a.argc() - 2);
        for (int i = 2; i < a.argc(); i++) {
            CommandSpec s = byName(c, a, i);
            if (s == null) w.nullBulk();
            else CommandReplies.info(w, s);
        }
    }

    static void docs(Client c, RespRequest a) {
        RespWriter w = c.out();
        if (a.argc() == 2) {
            w.map(table(c).commands().size());
            for (CommandSpec s : table(c).commands()) {
                w.bulk(s.name.getBytes(StandardCharsets.US_ASCII));
                CommandReplies.docs(w, s);
            }
            return;
        }
        List<CommandSpec> found = new ArrayList<>();
        for (int i = 2; i < a.argc(); i++) {
            CommandSpec s = byName(c, a, i);
            if (s != null) found.add(s);
        }
        w.map(found.size());
        for (CommandSpec s : found) {
            w.bulk(s.name.getBytes(StandardCharsets.US_ASCII));
            CommandReplies.docs(w, s);
        }
    }

    // ---------------------------------------------------------------- LIST

    static void list(Client c, RespRequest a) {
        String filter = null;
        byte[] arg = null;
        if (a.argc() == 5 && a.is(2, "FILTERBY")) {
            if (a.is(3, "MODULE")) filter = "module";
            else if (a.is(3, "ACLCAT")) filter = "aclcat";
            else if (a.is(3, "PATTERN")) filter = "pattern";
            arg = a.bytes(4);
        }
        if (a.argc() != 2 && filter == null) {
            c.error(Generic.SYNTAX);
            return;
        }
        List<String> names = new ArrayList<>();
        for (CommandSpec s : table(c).commands()) {
            if (listed(c, s, filter, arg)) names.add(s.name);
            for (CommandSpec sub : CommandReplies.implementedSubs(s)) {
                if (listed(c, sub, filter, arg)) names.add(sub.name);
            }
        }
        c.out().array(names.size());
        for (String n : names) c.out().bulk(n.getBytes(StandardCharsets.US_ASCII));
    }

    private static boolean listed(Client c, CommandSpec s, String filter, byte[] arg) {
        if (filter == null) return true;
        switch (filter) {
            case "module":
                // Basalt loads no modules; its own basalt.* commands are listed as module "basalt"
                return table(c).isExtension(s.name) && new String(arg, StandardCharsets.UTF_8).equalsIgnoreCase("basalt");
            case "aclcat": {
                String cat = "@" + new String(arg, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
                for (RespValue v : s.info.get(6).elements()) if (v.string().equals(cat)) return true;
                return false;
            }
            default:
                return Glob.match(arg, s.name.getBytes(StandardCharsets.US_ASCII), true);
        }
    }

    // ---------------------------------------------------------------- GETKEYS

    static void getkeys(Client c, RespRequest a, boolean withFlags) {
        CommandSpec cmd = table(c).lookupAt(a, 2);
        if (cmd == null) {
            c.error("ERR Invalid command specified");
            return;
        }
        if (!cmd.hasKeys()) {
            c.error("ERR The command has no key arguments");
            return;
        }
        if (!cmd.arityOk(a.argc() - 2)) {
            c.error("ERR Invalid number of arguments specified for command");
            return;
        }
        int cap = Math.max(8, (a.argc() - 2) * Math.max(1, cmd.keySpecCount()));
        int[] pos = new int[cap];
        int[] specOf = new int[cap];
        int n = cmd.keysAt(a, 2, pos, specOf);
        if (n <= 0) {
            if (cmd.noMandatoryKeys()) c.out().array(0);
            else c.error("ERR Invalid arguments specified for command");
            return;
        }
        RespWriter w = c.out();
        w.array(n);
        for (int i = 0; i < n; i++) {
            int arg = pos[i] + 2;
            if (!withFlags) {
                w.bulk(a.buffer(), a.offset(arg), a.length(arg));
                continue;
            }
            w.array(2);
            w.bulk(a.buffer(), a.offset(arg), a.length(arg));
            if (cmd.hasVariableFlags()) {
                variableKeyFlags(w, cmd, a);
                continue;
            }
            // keys a command's own key finder found get the flags of its first key spec
            int spec = specOf[i] >= 0 ? specOf[i] : cmd.firstKeySpec();
            if (spec >= 0) CommandReplies.emit(w, cmd.keyFlags(spec));
            else w.set(0);
        }
    }

    /**
     * The flags of the key of SET / BITFIELD, whose key spec says "variable_flags": Redis's
     * setGetKeys and bitfieldGetKeys decide from the arguments whether the key is only
     * overwritten / only read, or read and written.
     */
    private static void variableKeyFlags(RespWriter w, CommandSpec cmd, RespRequest a) {
        boolean readWrite;
        boolean readOnly = false;
        if (cmd.name.equals("set")) {
            readWrite = false;
            for (int i = 2 + 3; i < a.argc(); i++) {
                if (a.is(i, "GET")) {
                    readWrite = true;
                    break;
                }
            }
        } else {
            // bitfield: read-only when it only has GET (and OVERFLOW) operations
            readOnly = true;
            for (int i = 2 + 2; i < a.argc(); i++) {
                int remaining = a.argc() - i - 1;
                if (a.is(i, "GET") && remaining >= 2) {
                    i += 2;
                } else if ((a.is(i, "SET") || a.is(i, "INCRBY")) && remaining >= 3) {
                    readOnly = false;
                    break;
                } else if (a.is(i, "OVERFLOW") && remaining >= 1) {
                    i += 1;
                } else {
                    readOnly = false; // a syntax error: safer to assume it writes
                    break;
                }
            }
            readWrite = !readOnly;
        }
        if (readOnly) {
            w.set(2);
            w.simple("RO");
            w.simple("access");
        } else if (readWrite) {
            w.set(3);
            w.simple("RW");
            w.simple("access");
            w.simple("update");
        } else {
            w.set(2);
            w.simple("OW");
            w.simple("update");
        }
    }

    static void help(Client c, RespRequest a) {
        CommandHelp.reply(c, "COMMAND",
                "(no subcommand)",
                "    Return details about all Redis commands.",
                "COUNT",
                "    Return the total number of commands in this Redis server.",
                "LIST",
                "    Return a list of all commands in this Redis server.",
                "INFO [<command-name> ...]",
                "    Return details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "DOCS [<command-name> ...]",
                "    Return documentation details about multiple Redis commands.",
                "    If no command names are given, documentation details for all",
                "    commands are returned.",
                "GETKEYS <full-command>",
                "    Return the keys from a full Redis command.",
                "GETKEYSANDFLAGS <full-command>",
                "    Return the keys and the access flags from a full Redis command.");
    }
}
