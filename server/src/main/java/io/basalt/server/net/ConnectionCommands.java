package io.basalt.server.net;

import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;
import io.basalt.server.exec.ExecState;

/** Connection commands: PING ECHO QUIT RESET HELLO AUTH SELECT. */
public final class ConnectionCommands {
    private ConnectionCommands() {}

    public static void register(CommandTable t) {
        t.register("ping", ConnectionCommands::ping);
        t.register("echo", ConnectionCommands::echo);
        t.register("quit", ConnectionCommands::quit);
        t.register("reset", ConnectionCommands::reset);
        t.register("hello", ConnectionCommands::hello);
        t.register("auth", ConnectionCommands::auth);
        t.register("select", ConnectionCommands::select);
    }

    static void ping(Client c, RespRequest a) {
        if (a.argc() > 2) {
            c.error("ERR wrong number of arguments for 'ping' command");
            return;
        }
        if (c.subscribed() && !c.resp3()) {
            // RESP2 subscribed mode: the reply must look like the messages the client waits for
            c.out().array(2);
            c.out().bulk("pong");
            if (a.argc() == 1) c.out().bulk("");
            else c.out().bulk(a.buffer(), a.offset(1), a.length(1));
        } else if (a.argc() == 1) c.out().simple("PONG");
        else c.out().bulk(a.buffer(), a.offset(1), a.length(1));
    }

    static void echo(Client c, RespRequest a) {
        c.out().bulk(a.buffer(), a.offset(1), a.length(1));
    }

    static void quit(Client c, RespRequest a) {
        c.out().ok();
        c.closeAfterReply();
    }

    /**
     * RESET: Redis's clearClientConnectionState. Back to db 0, RESP2, no name, replies on, and
     * the default user's authentication (so with requirepass the client must AUTH again).
     * It ends MONITOR and drops every subscription. CLIENT NO-EVICT is not part of the connection state RESET clears in Redis 7.0.
     */
    static void reset(Client c, RespRequest a) {
        c.db(0);
        c.resp3(false);
        c.name("");
        c.resetReplyMode();
        // no more MONITOR lines nor Pub/Sub messages (those already published are still delivered)
        c.server().monitor().remove(c);
        c.server().pubSub().reset(c);
        // Redis's clientSetDefaultAuth: back to the default user
        c.user(c.server().acl().defaultUser());
        c.authenticated(c.server().acl().defaultAuthenticated());
        ExecState.discardTransaction(c);
        c.server().tracking().disable(c);
        io.basalt.server.cluster.ClusterClientState.reset(c);
        c.out().simple("RESET");
    }

    static void select(Client c, RespRequest a) {
        Long db = Generic.longArg(c, a, 1);
        if (db == null) return;
        if (db != 0 && c.server().cluster() != null) {
            // cluster mode has database 0 only
            c.error("ERR SELECT is not allowed in cluster mode");
            return;
        }
        if (db < 0 || db >= c.server().keyspace().databases()) {
            c.error("ERR DB index is out of range");
            return;
        }
        c.db(db.intValue());
        c.out().ok();
    }

    static void auth(Client c, RespRequest a) {
        if (a.argc() > 3) {
            c.error(Generic.SYNTAX);
            return;
        }
        if (a.argc() == 2 && c.server().acl().defaultNopass()) {
            c.error("ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
            return;
        }
        byte[] user = a.argc() == 3 ? a.bytes(1) : DEFAULT_USER;
        if (c.server().acl().authenticate(c, user, a.bytes(a.argc() - 1), a.string(0))) c.out().ok();
        else c.error("WRONGPASS invalid username-password pair or user is disabled.");
    }

    private static final byte[] DEFAULT_USER = "default".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static void hello(Client c, RespRequest a) {
        int proto = c.resp3() ? 3 : 2;
        int i = 1;
        if (a.argc() >= 2) {
            long v;
            try {
                v = Generic.parseLong(a, 1);
            } catch (NumberFormatException e) {
                c.error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (v < 2 || v > 3) {
                c.error("NOPROTO unsupported protocol version");
                return;
            }
            proto = (int) v;
            i = 2;
        }
        String setName = null;
        for (; i < a.argc(); i++) {
            int more = a.argc() - i - 1;
            if (a.is(i, "AUTH") && more >= 2) {
                // Redis 7.0 authenticates as soon as it meets the option: a later syntax
                // error leaves the client authenticated
                if (!c.server().acl().authenticate(c, a.bytes(i + 1), a.bytes(i + 2), a.string(0))) {
                    c.error("WRONGPASS invalid username-password pair or user is disabled.");
                    return;
                }
                i += 2;
            } else if (a.is(i, "SETNAME") && more >= 1) {
                setName = a.string(i + 1);
                // Redis checks the name while parsing: before AUTH and before the NOAUTH check
                if (!ClientNames.valid(setName)) {
                    c.error("ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
                i += 1;
            } else {
                c.error("ERR Syntax error in HELLO option '" + a.string(i) + "'");
                return;
            }
        }
        if (!c.authenticated()) {
            c.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
                    + "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol "
                    + "version at the same time");
            return;
        }
        if (setName != null) c.name(setName);
        c.resp3(proto == 3);
        RespWriter w = c.out();
        w.map(7);
        w.bulk("server");
        w.bulk("redis");
        w.bulk("version");
        w.bulk(BasaltServer.REDIS_VERSION);
        w.bulk("proto");
        w.integer(proto);
        w.bulk("id");
        w.integer(c.id());
        w.bulk("mode");
        w.bulk(c.server().cluster() != null ? "cluster" : "standalone");
        w.bulk("role");
        w.bulk(c.server().masterLink().isReplica() ? "replica" : "master");
        w.bulk("modules");
        w.array(0);
    }
}
