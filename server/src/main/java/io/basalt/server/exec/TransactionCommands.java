package io.basalt.server.exec;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's multi.c). Queuing happens in the dispatcher,
 * which sees every command first; EXEC's atomic run is {@link io.basalt.server.exec.Dispatcher#exec}.
 */
public final class TransactionCommands {
    private TransactionCommands() {}

    public static void register(CommandTable t) {
        t.register("multi", TransactionCommands::multi);
        t.register("exec", (c, a) -> c.server().dispatcher().exec(c));
        t.register("discard", TransactionCommands::discard);
        t.register("watch", TransactionCommands::watch);
        t.register("unwatch", TransactionCommands::unwatch);
    }

    static void multi(Client c, RespRequest a) {
        if (ExecState.inMulti(c)) {
            c.error("ERR MULTI calls can not be nested");
            return;
        }
        ExecState.beginMulti(c);
        c.out().ok();
    }

    static void discard(Client c, RespRequest a) {
        if (!ExecState.inMulti(c)) {
            c.error("ERR DISCARD without MULTI");
            return;
        }
        ExecState.discardTransaction(c);
        c.out().ok();
    }

    /** WATCH key...: under the keys' shard locks, so the "already expired" check is ordered with writes. */
    static void watch(Client c, RespRequest a) {
        if (ExecState.inMulti(c)) {
            c.error("ERR WATCH inside MULTI is not allowed");
            return;
        }
        // no point in watching once a watched key changed: the EXEC fails anyway
        if (!ExecState.dirtyCas(c)) {
            for (int i = 1; i < a.argc(); i++) c.server().watches().watch(c, a.bytes(i));
        }
        c.out().ok();
    }

    static void unwatch(Client c, RespRequest a) {
        ExecState.unwatch(c);
        c.out().ok();
    }
}
