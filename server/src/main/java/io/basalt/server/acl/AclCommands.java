package io.basalt.server.acl;

import io.basalt.server.command.AclCategories;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The ACL command family (Redis 7.0's aclCommand): replies and errors as Redis gives them. */
public final class AclCommands {
    private AclCommands() {}

    private static final SecureRandom RANDOM = new SecureRandom();

    public static void register(CommandTable t, Acl acl) {
        t.register("acl|setuser", (c, a) -> setUser(acl, c, a));
        t.register("acl|deluser", (c, a) -> delUser(acl, c, a));
        t.register("acl|getuser", (c, a) -> getUser(acl, c, a));
        t.register("acl|list", (c, a) -> list(acl, c, false));
        t.register("acl|users", (c, a) -> list(acl, c, true));
        t.register("acl|whoami", (c, a) -> {
            AclUser u = c.user();
            if (u == null) c.out().nullBulk();
            else c.out().bulk(bytes(u.name));
        });
        t.register("acl|load", (c, a) -> load(acl, c));
        t.register("acl|save", (c, a) -> save(acl, c));
        t.register("acl|cat", (c, a) -> cat(acl, c, a));
        t.register("acl|genpass", AclCommands::genpass);
        t.register("acl|log", (c, a) -> log(acl, c, a));
        t.register("acl|dryrun", (c, a) -> dryrun(acl, c, a, t));
        t.register("acl|help", (c, a) -> CommandHelp.reply(c, "ACL",
                "CAT [<category>]",
                "    List all commands that belong to <category>, or all command categories",
                "    when no category is specified.",
                "DELUSER <username> [<username> ...]",
                "    Delete a list of users.",
                "DRYRUN <username> <command> [<arg> ...]",
                "    Returns whether the user can execute the given command without executing the command.",
                "GETUSER <username>",
                "    Get the user's details.",
                "GENPASS [<bits>]",
                "    Generate a secure 256-bit user password. The optional `bits` argument can",
                "    be used to specify a different size.",
                "LIST",
                "    Show users details in config file format.",
                "LOAD",
                "    Reload users from the ACL file.",
                "LOG [<count> | RESET]",
                "    Show the ACL log entries.",
                "SAVE",
                "    Save the current config to the ACL file.",
                "SETUSER <username> <attribute> [<attribute> ...]",
                "    Create or modify a user with the specified attributes.",
                "USERS",
                "    List all the registered usernames.",
                "WHOAMI",
                "    Return the current connection username."));
    }

    static byte[] bytes(String latin1) { return latin1.getBytes(StandardCharsets.ISO_8859_1); }

    private static String arg(RespRequest a, int i) { return Acl.latin1(a.bytes(i)); }

    private static void setUser(Acl acl, Client c, RespRequest a) {
        String name = arg(a, 2);
        if (Acl.hasSpaces(name)) {
            c.error("ERR Usernames can't contain spaces or null characters");
            return;
        }
        List<String> rules = new ArrayList<>();
        for (int i = 3; i < a.argc(); i++) rules.add(arg(a, i));
        String error = acl.setUser(name, rules);
        if (error == null) c.out().ok();
        else c.error(bytes("ERR " + error.replace('\r', ' ').replace('\n', ' ')));
    }

    private static void delUser(Acl acl, Client c, RespRequest a) {
        List<String> names = new ArrayList<>();
        for (int i = 2; i < a.argc(); i++) {
            String n = arg(a, i);
            if (n.equals("default")) {
                c.error("ERR The 'default' user cannot be removed");
                return;
            }
            names.add(n);
        }
        c.out().integer(acl.delUsers(c, names));
    }

    private static void getUser(Acl acl, Client c, RespRequest a) {
        AclUser u = acl.user(arg(a, 2));
        if (u == null) {
            c.out().nullBulk();
            return;
        }
        AclUser.State s = u.state;
        RespWriter w = c.out();
        w.map(6);
        w.bulk("flags");
        List<String> flags = new ArrayList<>();
        for (int j = 0; j < AclUser.FLAG_NAMES.length; j++) if ((s.flags & (1 << j)) != 0) flags.add(AclUser.FLAG_NAMES[j]);
        w.set(flags.size());
        for (String f : flags) w.bulk(f);
        w.bulk("passwords");
        w.array(s.passwords.size());
        for (String p : s.passwords) w.bulk(p);
        selector(acl, w, s.root());
        w.bulk("selectors");
        w.array(s.selectors.size() - 1);
        for (int i = 1; i < s.selectors.size(); i++) {
            w.map(3);
            selector(acl, w, s.selectors.get(i));
        }
    }

    private static void selector(Acl acl, RespWriter w, AclSelector s) {
        w.bulk("commands");
        w.bulk(bytes(s.describeCommands(acl.table())));
        w.bulk("keys");
        w.bulk(bytes(s.describeKeys()));
        w.bulk("channels");
        w.bulk(bytes(s.describeChannels()));
    }

    private static void list(Acl acl, Client c, boolean namesOnly) {
        List<AclUser> users = acl.users();
        c.out().array(users.size());
        for (AclUser u : users) c.out().bulk(bytes(namesOnly ? u.name : acl.describeLine(u)));
    }

    private static final String NO_FILE = "ERR This Redis instance is not configured to use an ACL file. You may want to "
            + "specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
            + "configuration file set) in order to store users in the Redis configuration.";

    private static void load(Acl acl, Client c) {
        if (acl.aclFile().isEmpty()) {
            c.error(NO_FILE);
            return;
        }
        String errors = acl.loadFile(c);
        if (errors == null) c.out().ok();
        else c.error(bytes("ERR " + errors));
    }

    private static void save(Acl acl, Client c) {
        if (acl.aclFile().isEmpty()) {
            c.error(NO_FILE);
            return;
        }
        if (acl.saveFile()) c.out().ok();
        else c.error("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
    }

    private static void cat(Acl acl, Client c, RespRequest a) {
        if (a.argc() == 2) {
            c.out().array(AclCategories.NAMES.size());
            for (String n : AclCategories.NAMES) c.out().bulk(n);
            return;
        }
        if (a.argc() != 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        String name = arg(a, 2);
        long cat = AclCategories.bit(name);
        if (cat == 0) {
            c.error(bytes("ERR Unknown category '" + (name.length() > 128 ? name.substring(0, 128) : name) + "'"));
            return;
        }
        AclTable t = acl.table();
        List<String> out = new ArrayList<>();
        for (CommandSpec cmd : t.commands) {
            if ((t.categories(cmd) & cat) != 0) out.add(cmd.name);
            for (CommandSpec sub : cmd.subcommands().values()) if ((t.categories(sub) & cat) != 0) out.add(sub.name);
        }
        c.out().array(out.size());
        for (String n : out) c.out().bulk(n);
    }

    private static void genpass(Client c, RespRequest a) {
        if (a.argc() > 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        long bits = 256;
        if (a.argc() == 3) {
            Long v = Generic.longArg(c, a, 2);
            if (v == null) return;
            bits = v;
        }
        if (bits <= 0 || bits > 4096) {
            c.error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
            return;
        }
        int chars = (int) ((bits + 3) / 4);
        byte[] random = new byte[(chars + 1) / 2];
        RANDOM.nextBytes(random);
        c.out().bulk(HexFormat.of().formatHex(random).substring(0, chars));
    }

    private static void log(Acl acl, Client c, RespRequest a) {
        if (a.argc() > 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        long count = 10;
        if (a.argc() == 3) {
            if (a.is(2, "reset")) {
                acl.resetLog();
                c.out().ok();
                return;
            }
            Long v = Generic.longArg(c, a, 2);
            if (v == null) return;
            count = Math.max(0, v);
        }
        List<Acl.LogEntry> entries = acl.logEntries(count);
        long now = System.currentTimeMillis();
        RespWriter w = c.out();
        w.array(entries.size());
        for (Acl.LogEntry e : entries) {
            w.map(7);
            w.bulk("count");
            w.integer(e.count);
            w.bulk("reason");
            w.bulk(switch (e.reason) {
                case Acl.DENIED_CMD -> "command";
                case Acl.DENIED_KEY -> "key";
                case Acl.DENIED_CHANNEL -> "channel";
                case Acl.DENIED_AUTH -> "auth";
                default -> "unknown";
            });
            w.bulk("context");
            w.bulk(switch (e.context) {
                case Acl.CTX_TOPLEVEL -> "toplevel";
                case Acl.CTX_MULTI -> "multi";
                case Acl.CTX_LUA -> "lua";
                default -> "unknown";
            });
            w.bulk("object");
            w.bulk(bytes(e.object));
            w.bulk("username");
            w.bulk(bytes(e.username));
            w.bulk("age-seconds");
            w.dbl((double) (now - e.ctime) / 1000);
            w.bulk("client-info");
            w.bulk(e.clientInfo);
        }
    }

    private static void dryrun(Acl acl, Client c, RespRequest a, CommandTable table) {
        String name = arg(a, 2);
        AclUser u = acl.user(name);
        if (u == null) {
            c.error(bytes("ERR User '" + name + "' not found"));
            return;
        }
        byte[][] argv = new byte[a.argc() - 3][];
        for (int i = 3; i < a.argc(); i++) argv[i - 3] = a.bytes(i);
        RespRequest req = RespRequest.of(argv);
        CommandSpec spec = table.lookupAt(req, 0);
        if (spec == null) {
            c.error(bytes("ERR Command '" + arg(a, 3) + "' not found"));
            return;
        }
        if (!spec.arityOk(req.argc())) {
            c.error("ERR wrong number of arguments for '" + spec.name + "' command");
            return;
        }
        long r = acl.check(u, spec, req, null);
        if (r == 0) {
            c.out().ok();
            return;
        }
        int reason = (int) (r >>> 32);
        int idx = (int) r;
        String msg = switch (reason) {
            case Acl.DENIED_CMD -> "This user has no permissions to run the '" + spec.name + "' command";
            case Acl.DENIED_KEY -> "This user has no permissions to access the '" + Acl.latin1(req.bytes(idx)) + "' key";
            default -> "This user has no permissions to access the '" + Acl.latin1(req.bytes(idx)) + "' channel";
        };
        c.out().bulk(bytes(msg));
    }
}
