package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.resp.RespRequest;
import io.basalt.server.BasaltServer;
import io.basalt.server.admin.InfoSections;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;

import java.nio.charset.StandardCharsets;

/** MEMORY USAGE|STATS|DOCTOR|MALLOC-STATS|PURGE|HELP over the keyspace's own memory accounting. */
public final class MemoryCommands {
    private MemoryCommands() {}

    public static void register(CommandTable t) {
        t.register("memory|usage", MemoryCommands::usage);
        t.register("memory|stats", MemoryCommands::stats);
        t.register("memory|doctor", MemoryCommands::doctor);
        t.register("memory|malloc-stats", MemoryCommands::mallocStats);
        t.register("memory|purge", MemoryCommands::purge);
        t.register("memory|help", MemoryCommands::help);
    }

    /** MEMORY USAGE key [SAMPLES count]: bytes of the entry (key, value and header); nil if absent. */
    static void usage(Client c, RespRequest a) {
        for (int i = 3; i < a.argc(); i++) {
            if (a.is(i, "SAMPLES") && i + 1 < a.argc()) {
                Long samples = Generic.longArg(c, a, i + 1);
                if (samples == null) return;
                // Redis refuses a negative count as it parses it, before looking the key up
                if (samples < 0) {
                    c.error(Generic.SYNTAX);
                    return;
                }
                i++;
            } else {
                c.error(Generic.SYNTAX);
                return;
            }
        }
        byte[] key = a.bytes(2);
        // no hit/miss counting and no access-clock update, as Redis's lookupKeyReadWithFlags(NOTOUCH)
        Object e = c.server().keyspace().shardOf(key).get(c.db(), key, c.lookupTime());
        if (e == null) {
            c.out().nullBulk();
            return;
        }
        c.out().integer(Entries.memoryUsage(e));
    }

    static void stats(Client c, RespRequest a) {
        BasaltServer s = c.server();
        Keyspace ks = s.keyspace();
        long dataset = ks.memoryUsage();
        long used = InfoSections.usedMemory(s);
        long overhead = used - dataset;
        long peak = s.peakMemory(used);
        long startup = InfoSections.STARTUP_OVERHEAD;
        long rss = InfoSections.rss();
        long keys = 0;
        int nonEmpty = 0;
        for (int db = 0; db < ks.databases(); db++) {
            long k = ks.size(db);
            keys += k;
            if (k > 0) nonEmpty++;
        }
        Runtime rt = Runtime.getRuntime();
        long heapUsed = rt.totalMemory() - rt.freeMemory();
        c.out().map(27 + nonEmpty);
        kv(c, "peak.allocated", peak);
        kv(c, "total.allocated", used);
        kv(c, "startup.allocated", startup);
        kv(c, "replication.backlog", 0);
        kv(c, "clients.slaves", 0);
        kv(c, "clients.normal", overhead - startup);
        kv(c, "cluster.links", 0);
        kv(c, "aof.buffer", 0);
        kv(c, "lua.caches", 0);
        kv(c, "functions.caches", 0);
        for (int db = 0; db < ks.databases(); db++) {
            long k = ks.size(db);
            if (k == 0) continue;
            c.out().bulk("db." + db);
            c.out().map(3);
            kv(c, "overhead.hashtable.main", 0);
            kv(c, "overhead.hashtable.expires", 0);
            kv(c, "overhead.hashtable.slot-to-keys", 0);
        }
        kv(c, "overhead.total", overhead);
        kv(c, "keys.count", keys);
        kv(c, "keys.bytes-per-key", keys == 0 ? 0 : (used - startup) / keys);
        kv(c, "dataset.bytes", dataset);
        c.out().bulk("dataset.percentage");
        c.out().dbl(used - startup <= 0 ? 0 : dataset * 100.0 / (used - startup));
        c.out().bulk("peak.percentage");
        c.out().dbl(peak == 0 ? 0 : used * 100.0 / peak);
        kv(c, "allocator.allocated", heapUsed);
        kv(c, "allocator.active", rt.totalMemory());
        kv(c, "allocator.resident", rss);
        c.out().bulk("allocator-fragmentation.ratio");
        c.out().dbl((double) rt.totalMemory() / Math.max(1, heapUsed));
        kv(c, "allocator-fragmentation.bytes", rt.totalMemory() - heapUsed);
        c.out().bulk("allocator-rss.ratio");
        c.out().dbl((double) rss / Math.max(1, rt.totalMemory()));
        kv(c, "allocator-rss.bytes", rss - rt.totalMemory());
        c.out().bulk("rss-overhead.ratio");
        c.out().dbl(1.0);
        kv(c, "rss-overhead.bytes", 0);
        c.out().bulk("fragmentation");
        c.out().dbl((double) rss / Math.max(1, used));
        kv(c, "fragmentation.bytes", rss - used);
    }

    private static void kv(Client c, String k, long v) {
        c.out().bulk(k);
        c.out().integer(v);
    }

    /** MEMORY DOCTOR: Redis's report texts; Basalt's heap has no allocator fragmentation to flag. */
    static void doctor(Client c, RespRequest a) {
        long used = InfoSections.usedMemory(c.server());
        String text;
        if (used < 5L * 1024 * 1024) {
            text = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used "
                    + "in these conditions. Please, leave for your mission on Earth and fill it with some data. The new "
                    + "Sam and I will be back to our programming as soon as I finished rebooting.\n";
        } else {
            text = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on "
                    + "this base.\n";
        }
        c.out().verbatim("txt", text.getBytes(StandardCharsets.UTF_8));
    }

    /** What Redis answers when built without jemalloc: the JVM has no malloc statistics to show. */
    static void mallocStats(Client c, RespRequest a) {
        c.out().verbatim("txt", "Stats not supported for the current allocator".getBytes(StandardCharsets.UTF_8));
    }

    /** Nothing to purge: the JVM returns memory to the OS on its own schedule. */
    static void purge(Client c, RespRequest a) {
        c.out().ok();
    }

    static void help(Client c, RespRequest a) {
        CommandHelp.reply(c, "MEMORY",
                "DOCTOR",
                "    Return memory problems reports.",
                "MALLOC-STATS",
                "    Return internal statistics report from the memory allocator.",
                "PURGE",
                "    Attempt to purge dirty pages for reclamation by the allocator.",
                "STATS",
                "    Return information about the memory usage of the server.",
                "USAGE <key> [SAMPLES <count>]",
                "    Return memory in bytes used by <key> and its value. Nested values are",
                "    sampled up to <count> times (default: 5, 0 means sample all).");
    }
}
