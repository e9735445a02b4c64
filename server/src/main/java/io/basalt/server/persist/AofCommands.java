package io.basalt.server.persist;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;

/** BGREWRITEAOF: compacts the append-only file in the background (see io.basalt.server.persist.AppendOnly). */
public final class AofCommands {
    private AofCommands() {}

    public static void register(CommandTable t) {
        t.register("bgrewriteaof", AofCommands::bgrewriteaof);
    }

    static void bgrewriteaof(Client c, RespRequest a) {
        AppendOnly aof = c.server().aof();
        if (aof.rewriting()) {
            c.error("ERR Background append only file rewriting already in progress");
            return;
        }
        if (c.server().persistence().bgsaveInProgress() || c.denyBlocking()) {
            // Redis's aof_rewrite_scheduled: one background job at a time (and none from inside
            // EXEC); the cron starts it when the BGSAVE is over
            aof.scheduleRewrite();
            c.out().simple("Background append only file rewriting scheduled");
            return;
        }
        if (!aof.rewrite()) {
            c.error("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
            return;
        }
        c.out().simple("Background append only file rewriting started");
    }
}
