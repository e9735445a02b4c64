package io.basalt.server.persist;

import io.basalt.resp.RespRequest;
import io.basalt.server.admin.DebugCommand;
import io.basalt.server.admin.ServerCommands;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.DumpCommands;
import io.basalt.server.commands.Generic;

/** SAVE and BGSAVE (LASTSAVE is in {@link ServerCommands}, DEBUG RELOAD in {@link DebugCommand}). */
public final class PersistenceCommands {
    private PersistenceCommands() {}

    public static void register(CommandTable t) {
        t.register("save", PersistenceCommands::save);
        t.register("bgsave", PersistenceCommands::bgsave);
        DumpCommands.register(t);
    }

    /** SAVE: a synchronous snapshot on the calling thread; "-ERR" alone when it fails, as Redis. */
    static void save(Client c, RespRequest a) {
        Persistence p = c.server().persistence();
        if (p.bgsaveInProgress()) {
            c.error("ERR Background save already in progress");
            return;
        }
        if (p.save()) c.out().ok();
        else c.error("ERR");
    }

    /** BGSAVE [SCHEDULE]. */
    static void bgsave(Client c, RespRequest a) {
        boolean schedule = false;
        if (a.argc() > 1) {
            if (a.argc() == 2 && a.is(1, "SCHEDULE")) schedule = true;
            else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        Persistence p = c.server().persistence();
        // Redis's bgsaveCommand: one background job at a time; inside EXEC none starts, the
        // save is scheduled for the cron, as it is with SCHEDULE while an AOF rewrite runs
        if (p.bgsaveInProgress()) {
            c.error("ERR Background save already in progress");
            return;
        }
        if (c.server().aof().rewriting() || c.denyBlocking()) {
            if (schedule || c.denyBlocking()) {
                p.scheduleBgsave();
                c.out().simple("Background saving scheduled");
            } else {
                c.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE "
                        + "in order to schedule a BGSAVE whenever possible.");
            }
            return;
        }
        if (p.bgsave()) c.out().simple("Background saving started");
        else c.error("ERR Background save already in progress");
    }
}
