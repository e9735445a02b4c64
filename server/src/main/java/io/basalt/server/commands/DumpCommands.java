package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.Shard;
import io.basalt.persistence.RdbEncoder;
import io.basalt.persistence.RdbException;
import io.basalt.persistence.RdbLoader;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.command.CommandTable;

/** DUMP and RESTORE with Redis-compatible payloads (RDB object + RDB version + CRC64). */
public final class DumpCommands {
    private DumpCommands() {}

    public static void register(CommandTable t) {
        t.register("dump", DumpCommands::dump);
        t.register("restore", DumpCommands::restore);
        // MIGRATE's command to the target of a slot migration: RESTORE with the "asking" flag,
        // so a node importing the slot takes it without a preceding ASKING
        t.register("restore-asking", DumpCommands::restore);
        t.register("migrate", MigrateCommand::migrate);
        t.keys("migrate", MigrateCommand::keys);
    }

    static void dump(Client c, RespRequest a) {
        Object e = Generic.lookupRead(c, a.bytes(1));
        if (e == null) {
            c.out().nullBulk();
            return;
        }
        c.out().bulk(RdbEncoder.dump(e, c.server().config().getBool("rdbcompression"), Generic.limits(c)));
    }

    /** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]. */
    static void restore(Client c, RespRequest a) {
        byte[] key = a.bytes(1);
        boolean replace = false;
        boolean absttl = false;
        long idle = -1;
        long freq = -1;
        for (int j = 4; j < a.argc(); j++) {
            boolean more = j + 1 < a.argc();
            if (a.is(j, "REPLACE")) {
                replace = true;
            } else if (a.is(j, "ABSTTL")) {
                absttl = true;
            } else if (a.is(j, "IDLETIME") && more && freq == -1) {
                Long v = Generic.longArg(c, a, j + 1);
                if (v == null) return;
                if (v < 0) {
                    c.error("ERR Invalid IDLETIME value, must be >= 0");
                    return;
                }
                idle = v;
                j++;
            } else if (a.is(j, "FREQ") && more && idle == -1) {
                Long v = Generic.longArg(c, a, j + 1);
                if (v == null) return;
                if (v < 0 || v > 255) {
                    c.error("ERR Invalid FREQ value, must be >= 0 and <= 255");
                    return;
                }
                freq = v;
                j++;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        Shard s = c.server().keyspace().shardOf(key);
        if (!replace && Generic.lookupWrite(c, key) != null) {
            c.error("BUSYKEY Target key name already exists.");
            return;
        }
        Long ttl = Generic.longArg(c, a, 2);
        if (ttl == null) return;
        if (ttl < 0) {
            c.error("ERR Invalid TTL value, must be >= 0");
            return;
        }
        byte[] payload = a.bytes(3);
        if (!RdbLoader.verifyDump(payload)) {
            c.error("ERR DUMP payload version or checksum are wrong");
            return;
        }
        Object e;
        try {
            e = RdbLoader.restore(payload, key, Generic.limits(c));
        } catch (RdbException | OutOfMemoryError ex) {
            c.error("ERR Bad data format");
            return;
        }
        boolean deleted = replace && s.remove(c.db(), key) != null;
        long now = System.currentTimeMillis();
        long at = ttl == 0 ? -1 : absttl ? ttl : ttl + now;
        if (at >= 0 && at <= now) {
            // already expired: nothing is created (an old key was still deleted, logged as DEL)
            if (deleted) {
                c.propagate(new byte[][] {"DEL".getBytes(java.nio.charset.StandardCharsets.US_ASCII), key});
                Generic.changed(c, KeyspaceEvents.GENERIC, "del", key);
            }
            c.out().ok();
            return;
        }
        // a fresh access clock unless the caller gave one the policy tracks (objectSetLRUOrLFU)
        String policy = c.server().config().get("maxmemory-policy");
        if (policy.endsWith("-lfu")) {
            if (freq >= 0) Entries.clock(e, (int) (((now / 60000) & 0xffff) << 8) | (int) freq);
        } else if (idle >= 0) {
            Entries.clock(e, (int) ((Generic.lruClock() - idle) & 0xffffff));
        }
        s.put(c.db(), key, e);
        if (at >= 0) s.setExpire(c.db(), e, at);
        Generic.added(c, key);
        Generic.changed(c, KeyspaceEvents.GENERIC, "restore", key);
        if (ttl != 0 && !absttl) {
            // the AOF gets the TTL as an absolute time, as Redis propagates it
            byte[][] argv = new byte[a.argc() + 1][];
            for (int i = 0; i < a.argc(); i++) argv[i] = a.bytes(i);
            argv[2] = Long.toString(at).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            argv[a.argc()] = "ABSTTL".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            c.propagate(argv);
        }
        c.out().ok();
    }
}
