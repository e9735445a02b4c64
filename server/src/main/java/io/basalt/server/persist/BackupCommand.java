package io.basalt.server.persist;

import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * BASALT.BACKUP, Basalt's extension command (named like a module command, with its metadata in
 * extension-command-*.resp3): {@code BASALT.BACKUP <directory>} starts a background backup
 * (see {@link Backup}) and replies as BGSAVE does; {@code BASALT.BACKUP STATUS} describes the
 * running or last one as field/value pairs. Not a write: never propagated or logged.
 */
public final class BackupCommand {
    private BackupCommand() {}

    public static void register(CommandTable t) {
        t.register("basalt.backup", BackupCommand::backup);
    }

    static void backup(Client c, RespRequest a) {
        Backup b = c.server().backup();
        if (a.argc() != 2) {
            c.error(Generic.SYNTAX);
            return;
        }
        if (a.is(1, "STATUS")) {
            List<Object[]> fields = b.status();
            c.out().map(fields.size());
            for (Object[] f : fields) {
                c.out().bulk((String) f[0]);
                if (f[1] instanceof Long n) c.out().integer(n);
                else c.out().bulk(((String) f[1]).getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        String dir = new String(a.bytes(1), StandardCharsets.UTF_8);
        if (dir.isEmpty()) {
            c.error("ERR invalid backup directory ''");
            return;
        }
        String err = b.start(dir);
        if (err != null) c.error(err);
        else c.out().simple("Background backup started");
    }
}
