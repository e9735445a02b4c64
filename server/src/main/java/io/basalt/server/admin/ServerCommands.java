package io.basalt.server.admin;

import io.basalt.data.Keyspace;
import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;
import io.basalt.server.commands.MemoryCommands;
import io.basalt.server.util.Log;

/**
 * Server commands: DBSIZE FLUSHDB FLUSHALL TIME LASTSAVE SHUTDOWN, plus MEMORY and DEBUG, whose
 * handlers live in {@link MemoryCommands} and {@link DebugCommand}.
 */
public final class ServerCommands {
    private ServerCommands() {}

    public static void register(CommandTable t) {
        t.register("dbsize", ServerCommands::dbsize);
        t.register("flushdb", ServerCommands::flushdb);
        t.register("flushall", ServerCommands::flushall);
        t.register("time", ServerCommands::time);
        t.register("lastsave", ServerCommands::lastsave);
        t.register("shutdown", ServerCommands::shutdown);
        MemoryCommands.register(t);
        DebugCommand.register(t);
    }

    static void dbsize(Client c, RespRequest a) {
        c.out().integer(c.server().keyspace().size(c.db()));
    }

    /** FLUSHDB/FLUSHALL [ASYNC|SYNC]: both modes free synchronously; the reply is the same. */
    private static boolean flushMode(Client c, RespRequest a) {
        if (a.argc() == 1) return true;
        if (a.argc() == 2 && (a.is(1, "ASYNC") || a.is(1, "SYNC"))) return true;
        c.error(Generic.SYNTAX);
        return false;
    }

    static void flushdb(Client c, RespRequest a) {
        if (!flushMode(c, a)) return;
        Keyspace ks = c.server().keyspace();
        ks.lockAll();
        try {
            c.server().events().flushing(c, c.db());
            ks.flush(c.db());
        } finally {
            ks.unlockAll();
        }
        c.out().ok();
    }

    static void flushall(Client c, RespRequest a) {
        if (!flushMode(c, a)) return;
        Keyspace ks = c.server().keyspace();
        ks.lockAll();
        try {
            c.server().events().flushing(c, -1);
            for (int db = 0; db < ks.databases(); db++) {
                for (int s = 0; s < ks.shardCount(); s++) ks.shard(s).clear(db);
            }
        } finally {
            ks.unlockAll();
        }
        c.out().ok();
    }

    /** TIME: unix seconds and the microseconds within that second, as two bulk strings. */
    static void time(Client c, RespRequest a) {
        java.time.Instant now = java.time.Instant.now();
        c.out().array(2);
        c.out().bulk(now.getEpochSecond());
        c.out().bulk(now.getNano() / 1000);
    }

    static void lastsave(Client c, RespRequest a) {
        c.out().integer(c.server().lastSave());
    }

    /**
     * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: the same path as SIGTERM and SIGINT
     * ({@link BasaltServer#shutdown}), waiting for lagging replicas unless NOW. ABORT finds
     * nothing to abort. A shutdown that cannot save (without FORCE) fails with
     * Redis's error and the server keeps running; a successful one closes the connection without
     * a reply, as the process exits.
     */
    static void shutdown(Client c, RespRequest a) {
        int flags = 0;
        boolean abort = false;
        for (int i = 1; i < a.argc(); i++) {
            if (a.is(i, "NOSAVE")) flags |= BasaltServer.SHUTDOWN_NOSAVE;
            else if (a.is(i, "SAVE")) flags |= BasaltServer.SHUTDOWN_SAVE;
            else if (a.is(i, "NOW")) flags |= BasaltServer.SHUTDOWN_NOW;
            else if (a.is(i, "FORCE")) flags |= BasaltServer.SHUTDOWN_FORCE;
            else if (a.is(i, "ABORT")) abort = true;
            else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        boolean both = (flags & BasaltServer.SHUTDOWN_SAVE) != 0 && (flags & BasaltServer.SHUTDOWN_NOSAVE) != 0;
        if ((abort && a.argc() != 2) || both) {
            c.error(Generic.SYNTAX);
            return;
        }
        if (abort) {
            c.error("ERR No shutdown in progress.");
            return;
        }
        if (c.server().shutdownWaits(flags)) {
            // replicas get shutdown-timeout to catch up: the wait runs off the event loops (their
            // acknowledgements arrive there), this client blocks meanwhile
            int f = flags;
            c.blockRequested();
            Thread t = new Thread(() -> {
                if (!c.server().shutdown(f)) {
                    io.netty.buffer.ByteBuf err = io.netty.buffer.Unpooled.copiedBuffer(
                            "-ERR Errors trying to SHUTDOWN. Check logs.\r\n", java.nio.charset.StandardCharsets.US_ASCII);
                    c.channel().eventLoop().execute(() -> c.unblocked(err));
                }
            }, "basalt-shutdown-wait");
            t.start();
            return;
        }
        if (!c.server().shutdown(flags)) c.error("ERR Errors trying to SHUTDOWN. Check logs.");
    }
}
