package io.basalt.server.commands;

import io.basalt.data.Keyspace;
import io.basalt.resp.RespRequest;
import io.basalt.server.Client;
import io.basalt.server.command.CommandTable;

/** Server commands: DBSIZE FLUSHDB FLUSHALL. */
public final class ServerCommands {
    private ServerCommands() {}

    static void register(CommandTable t) {
        t.register("dbsize", ServerCommands::dbsize);
        t.register("flushdb", ServerCommands::flushdb);
        t.register("flushall", ServerCommands::flushall);
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
        c.server().keyspace().flush(c.db());
        c.out().ok();
    }

    static void flushall(Client c, RespRequest a) {
        if (!flushMode(c, a)) return;
        Keyspace ks = c.server().keyspace();
        ks.lockAll();
        try {
            for (int db = 0; db < ks.databases(); db++) {
                for (int s = 0; s < ks.shardCount(); s++) ks.shard(s).clear(db);
            }
        } finally {
            ks.unlockAll();
        }
        c.out().ok();
    }
}
