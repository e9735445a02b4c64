package io.basalt.server.net;

import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.client.ClientPause;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;
import io.basalt.server.exec.ExecState;
import io.basalt.server.tracking.Tracking;

import java.nio.charset.StandardCharsets;

/**
 * CLIENT subcommands of Redis 7.0: ID INFO LIST KILL SETNAME GETNAME REPLY NO-EVICT PAUSE
 * UNPAUSE UNBLOCK HELP. The tracking (CACHING, TRACKING, TRACKINGINFO, GETREDIR)
 * subcommands are not registered until those features exist, so they get Redis's unknown
 * subcommand error rather than a reply that pretends.
 */
public final class ClientCommands {
    private ClientCommands() {}

    public static void register(CommandTable t) {
        t.register("client|id", ClientCommands::id);
        t.register("client|info", ClientCommands::info);
        t.register("client|list", ClientCommands::list);
        t.register("client|kill", ClientCommands::kill);
        t.register("client|setname", ClientCommands::setname);
        t.register("client|getname", ClientCommands::getname);
        t.register("client|reply", ClientCommands::reply);
        t.register("client|no-evict", ClientCommands::noEvict);
        t.register("client|pause", ClientCommands::pause);
        t.register("client|unpause", ClientCommands::unpause);
        t.register("client|help", ClientCommands::help);
        t.register("client|unblock", ClientCommands::unblock);
    }

    /**
     * CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends a BLPOP-style block of another client with the
     * timeout's null reply or an UNBLOCKED error; 1 if that client was blocked, else 0.
     */
    static void unblock(Client c, RespRequest a) {
        if (a.argc() > 4) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        boolean error = false;
        if (a.argc() == 4) {
            if (a.is(3, "ERROR")) error = true;
            else if (!a.is(3, "TIMEOUT")) {
                c.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }
        Long id = Generic.longArg(c, a, 2);
        if (id == null) return;
        for (Client target : c.server().clients()) {
            if (target.id() == id) {
                c.out().integer(c.server().dispatcher().blocking().unblock(target, error) ? 1 : 0);
                return;
            }
        }
        c.out().integer(0);
    }

    static void id(Client c, RespRequest a) {
        c.out().integer(c.id());
    }

    static void info(Client c, RespRequest a) {
        StringBuilder sb = new StringBuilder(256);
        infoLine(sb, c, c, a);
        sb.append('\n');
        c.out().verbatim("txt", sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- LIST

    static void list(Client c, RespRequest a) {
        StringBuilder sb = new StringBuilder(256);
        if (a.argc() == 4 && a.is(2, "TYPE")) {
            String type = clientType(a.string(3));
            if (type == null) {
                c.error("ERR Unknown client type '" + a.string(3) + "'");
                return;
            }
            for (Client o : sorted(c.server())) {
                if (!matchesType(o, type)) continue;
                infoLine(sb, o, c, a);
                sb.append('\n');
            }
        } else if (a.argc() > 3 && a.is(2, "ID")) {
            for (int i = 3; i < a.argc(); i++) {
                long id;
                try {
                    id = Generic.parseLong(a, i);
                } catch (NumberFormatException e) {
                    c.error("ERR Invalid client ID");
                    return;
                }
                Client o = c.server().client(id);
                if (o != null) {
                    infoLine(sb, o, c, a);
                    sb.append('\n');
                }
            }
        } else if (a.argc() != 2) {
            c.error(Generic.SYNTAX);
            return;
        } else {
            for (Client o : sorted(c.server())) {
                infoLine(sb, o, c, a);
                sb.append('\n');
            }
        }
        c.out().verbatim("txt", sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Clients in connection order (ids are assigned in order), as Redis's client list is. */
    private static java.util.List<Client> sorted(BasaltServer s) {
        java.util.List<Client> l = new java.util.ArrayList<>(s.clients());
        l.sort((x, y) -> Long.compare(x.id(), y.id()));
        return l;
    }

    /**
     * Redis's getClientTypeByName: the canonical type for a name, or null. "slave" and "replica"
     * are the same type.
     */
    private static String clientType(String name) {
        switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "normal": return "normal";
            case "slave":
            case "replica": return "replica";
            case "pubsub": return "pubsub";
            case "master": return "master";
            default: return null;
        }
    }

    private static boolean matchesType(Client o, String type) {
        return o.type().equals(type);
    }

    /**
     * One line of CLIENT LIST / CLIENT INFO, fields in Redis 7.0's order (catClientInfoString).
     * Buffer figures are Basalt's own: its query buffer is the connection's inbound buffer and
     * its replies go straight to Netty, so there is no reply list (oll 0).
     */
    /** Redis's catClientInfoString for a client that is not the caller (the ACL log's client-info). */
    public static String infoString(Client o) {
        StringBuilder sb = new StringBuilder();
        infoLine(sb, o, null, null);
        return sb.toString();
    }

    static void infoLine(StringBuilder sb, Client o, Client self, RespRequest current) {
        long now = System.currentTimeMillis();
        long argvMem = 0;
        if (o == self) {
            for (int i = 0; i < current.argc(); i++) argvMem += current.length(i);
        }
        long qbuf = o.queryBufferSize();
        long omem = o.outputBufferSize();
        sb.append("id=").append(o.id())
                .append(" addr=").append(o.address())
                .append(" laddr=").append(o.localAddress())
                .append(" fd=").append(o.fd())
                .append(" name=").append(o.name())
                .append(" age=").append((now - o.createdAt()) / 1000)
                .append(" idle=").append((now - o.lastCommandMillis()) / 1000)
                .append(" flags=").append(flags(o))
                .append(" db=").append(o.db())
                .append(" sub=").append(o.subscriptions())
                .append(" psub=").append(o.patternSubscriptions())
                .append(" ssub=").append(o.shardSubscriptions())
                .append(" multi=").append(ExecState.multiCount(o))
                .append(" qbuf=").append(qbuf)
                .append(" qbuf-free=0")
                .append(" argv-mem=").append(argvMem)
                .append(" multi-mem=").append(ExecState.multiMemory(o))
                .append(" rbs=").append(qbuf)
                .append(" rbp=").append(qbuf)
                .append(" obl=0")
                .append(" oll=0")
                .append(" omem=").append(omem)
                .append(" tot-mem=").append(o.server().clientEviction().memory(o) + argvMem)
                .append(" events=r")
                .append(" cmd=").append(o.lastCommand())
                .append(" user=").append(o.user() == null ? "(superuser)" : o.user().name)
                .append(" redir=-1")
                .append(" resp=").append(o.resp3() ? 3 : 2);
    }

    // ---------------------------------------------------------------- KILL

    static void kill(Client c, RespRequest a) {
        String addr = null;
        String laddr = null;
        String type = null;
        long id = 0;
        io.basalt.server.acl.AclUser user = null;
        boolean skipMe = true;
        if (a.argc() == 3) {
            // old form CLIENT KILL ip:port, which may kill the caller itself
            addr = a.string(2);
            skipMe = false;
        } else {
            for (int i = 2; i < a.argc(); i += 2) {
                boolean more = a.argc() > i + 1;
                if (a.is(i, "ID") && more) {
                    long v;
                    try {
                        v = Generic.parseLong(a, i + 1);
                    } catch (NumberFormatException e) {
                        v = 0;
                    }
                    if (v < 1) {
                        c.error("ERR client-id should be greater than 0");
                        return;
                    }
                    id = v;
                } else if (a.is(i, "TYPE") && more) {
                    type = clientType(a.string(i + 1));
                    if (type == null) {
                        c.error("ERR Unknown client type '" + a.string(i + 1) + "'");
                        return;
                    }
                } else if (a.is(i, "ADDR") && more) {
                    addr = a.string(i + 1);
                } else if (a.is(i, "LADDR") && more) {
                    laddr = a.string(i + 1);
                } else if (a.is(i, "USER") && more) {
                    user = c.server().acl().user(io.basalt.server.acl.Acl.latin1(a.bytes(i + 1)));
                    if (user == null) {
                        c.error("ERR No such user '" + a.string(i + 1) + "'");
                        return;
                    }
                } else if (a.is(i, "SKIPME") && more) {
                    if (a.is(i + 1, "YES")) {
                        skipMe = true;
                    } else if (a.is(i + 1, "NO")) {
                        skipMe = false;
                    } else {
                        c.error(Generic.SYNTAX);
                        return;
                    }
                } else {
                    c.error(Generic.SYNTAX);
                    return;
                }
            }
        }
        int killed = 0;
        boolean killSelf = false;
        for (Client o : sorted(c.server())) {
            if (addr != null && !o.address().equals(addr)) continue;
            if (laddr != null && !o.localAddress().equals(laddr)) continue;
            if (type != null && !matchesType(o, type)) continue;
            if (id != 0 && o.id() != id) continue;
            if (user != null && o.user() != user) continue;
            if (o == c && skipMe) continue;
            if (o == c) killSelf = true;
            else o.kill();
            killed++;
        }
        if (a.argc() == 3) {
            if (killed == 0) c.error("ERR No such client");
            else c.out().ok();
        } else {
            c.out().integer(killed);
        }
        // the caller learns the result before its own connection goes
        if (killSelf) c.closeAfterReply();
    }

    // ---------------------------------------------------------------- names

    static void setname(Client c, RespRequest a) {
        String name = a.string(2);
        if (!ClientNames.valid(name)) {
            c.error("ERR Client names cannot contain spaces, newlines or special characters.");
            return;
        }
        c.name(name);
        c.out().ok();
    }

    static void getname(Client c, RespRequest a) {
        if (c.name().isEmpty()) c.out().nullBulk();
        else c.out().bulk(c.name());
    }

    // ---------------------------------------------------------------- reply modes

    static void reply(Client c, RespRequest a) {
        if (a.is(2, "ON")) {
            c.replyMode(Client.ReplyMode.ON);
            c.out().ok();
        } else if (a.is(2, "OFF")) {
            c.replyMode(Client.ReplyMode.OFF);
        } else if (a.is(2, "SKIP")) {
            c.replyMode(Client.ReplyMode.SKIP);
        } else {
            c.error(Generic.SYNTAX);
        }
    }

    static void noEvict(Client c, RespRequest a) {
        if (a.is(2, "ON")) {
            c.noEvict(true);
        } else if (a.is(2, "OFF")) {
            c.noEvict(false);
        } else {
            c.error(Generic.SYNTAX);
            return;
        }
        c.out().ok();
    }

    // ---------------------------------------------------------------- PAUSE

    static void pause(Client c, RespRequest a) {
        if (a.argc() != 3 && a.argc() != 4) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        int type = ClientPause.ALL;
        if (a.argc() == 4) {
            if (a.is(3, "WRITE")) {
                type = ClientPause.WRITE;
            } else if (!a.is(3, "ALL")) {
                c.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }
        Long timeout = Generic.millisTimeoutArg(c, a, 2);
        if (timeout == null) return;
        // Redis 7.0 adds the current time without an overflow check: a huge timeout wraps to
        // a time in the past, which pauses nothing. Java's long addition wraps the same way.
        long end = timeout > 0 ? timeout + System.currentTimeMillis() : 0;
        c.server().pause().pause(end, type);
        c.out().ok();
    }

    static void unpause(Client c, RespRequest a) {
        c.server().pause().unpause();
        c.out().ok();
    }

    static void help(Client c, RespRequest a) {
        CommandHelp.reply(c, "CLIENT",
                "CACHING (YES|NO)",
                "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
                "GETREDIR",
                "    Return the client ID we are redirecting to when tracking is enabled.",
                "GETNAME",
                "    Return the name of the current connection.",
                "ID",
                "    Return the ID of the current connection.",
                "INFO",
                "    Return information about the current client connection.",
                "KILL <ip:port>",
                "    Kill connection made from <ip:port>.",
                "KILL <option> <value> [<option> <value> [...]]",
                "    Kill connections. Options are:",
                "    * ADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made from the specified address",
                "    * LADDR (<ip:port>|<unixsocket>:0)",
                "      Kill connections made to specified local address",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Kill connections by type.",
                "    * USER <username>",
                "      Kill connections authenticated by <username>.",
                "    * SKIPME (YES|NO)",
                "      Skip killing current connection (default: yes).",
                "LIST [options ...]",
                "    Return information about client connections. Options:",
                "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                "      Return clients of specified type.",
                "UNPAUSE",
                "    Stop the current client pause, resuming traffic.",
                "PAUSE <timeout> [WRITE|ALL]",
                "    Suspend all, or just write, clients for <timeout> milliseconds.",
                "REPLY (ON|OFF|SKIP)",
                "    Control the replies sent to the current connection.",
                "SETNAME <name>",
                "    Assign the name <name> to the current connection.",
                "UNBLOCK <clientid> [TIMEOUT|ERROR]",
                "    Unblock the specified blocked client.",
                "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
                "         [OPTIN] [OPTOUT] [NOLOOP]",
                "    Control server assisted client side caching.",
                "TRACKINGINFO",
                "    Report tracking status for the current connection.",
                "NO-EVICT (ON|OFF)",
                "    Protect current client connection from eviction.");
    }

    /** The flags field of CLIENT LIST: one letter per state, "N" when none applies. */
    static String flags(Client c) {
        StringBuilder f = new StringBuilder(4);
        if (c.monitor()) f.append('O');
        if (c.replica()) f.append('S');
        if (c.kind() == io.basalt.server.client.ClientKind.MASTER) f.append('M');
        if (c.type().equals("pubsub")) f.append('P');
        if (ExecState.inMulti(c)) f.append('x');
        if (c.parked() || c.blocked()) f.append('b');
        Tracking.State t = Tracking.options(c);
        if (t != null) {
            f.append('t');
            if (t.brokenRedirect) f.append('R');
            if (t.bcast) f.append('B');
        }
        if (ExecState.dirtyCas(c)) f.append('d');
        if (c.closingAfterReply()) f.append('c');
        if (io.basalt.server.cluster.ClusterClientState.readonly(c)) f.append('r');
        if (c.noEvict()) f.append('e');
        return f.length() == 0 ? "N" : f.toString();
    }
}
