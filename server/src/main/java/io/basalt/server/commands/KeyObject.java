package io.basalt.server.commands;

import io.basalt.data.Entries;
import io.basalt.data.StringRecord;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.config.Config;

/**
 * OBJECT ENCODING REFCOUNT IDLETIME FREQ HELP. Lookups neither touch the access clock nor skip
 * the hit/miss statistics, as Redis's {@code objectCommandLookup} (LOOKUP_NOTOUCH) does.
 */
final class KeyObject {
    private KeyObject() {}

    /** Redis's OBJ_SHARED_REFCOUNT: the refcount of a shared object (small integers). */
    private static final long SHARED_REFCOUNT = Integer.MAX_VALUE;
    /** Redis's OBJ_SHARED_INTEGERS: values 0..9999 are shared objects. */
    private static final long SHARED_INTEGERS = 10000;
    private static final int LRU_CLOCK_MAX = (1 << 24) - 1;

    private static Object lookup(Client c, RespRequest a) {
        // Redis's objectCommandLookup: LOOKUP_NONOTIFY, no "keymiss"
        Object e = KeyCommands.lookup(c, c.db(), a.bytes(2), true, false, false);
        if (e == null) c.out().nullBulk();
        return e;
    }

    static void encoding(Client c, RespRequest a) {
        Object e = lookup(c, a);
        if (e != null) c.out().bulk(Entries.encodingName(e));
    }

    /**
     * Only shared objects report more than one reference: Redis stores integers 0..9999 as shared
     * objects unless maxmemory is set with an LRU/LFU policy (which needs per-key clocks).
     */
    static void refcount(Client c, RespRequest a) {
        Object e = lookup(c, a);
        if (e == null) return;
        c.out().integer(isSharedInteger(c, e) ? SHARED_REFCOUNT : 1);
    }

    private static boolean isSharedInteger(Client c, Object e) {
        if (!(e instanceof byte[] r) || StringRecord.encoding(r) != StringRecord.ENC_INT) return false;
        Config cfg = c.server().config();
        if (cfg.getLong("maxmemory") != 0) {
            String policy = cfg.get("maxmemory-policy");
            if (policy.endsWith("-lru") || policy.endsWith("-lfu")) return false;
        }
        int off = StringRecord.valueOffset(r);
        int len = r.length - off;
        if (len > 4 || r[off] == '-') return false;
        long v = 0;
        for (int i = off; i < r.length; i++) v = v * 10 + (r[i] - '0');
        return v < SHARED_INTEGERS;
    }

    static boolean lfuPolicy(Client c) {
        return c.server().keyspace().eviction().lfu();
    }

    static void idletime(Client c, RespRequest a) {
        Object e = lookup(c, a);
        if (e == null) return;
        if (lfuPolicy(c)) {
            c.error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
                    + "switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        int now = Generic.lruClock();
        int lru = Entries.clock(e);
        // estimateObjectIdleTime: the 24-bit seconds clock wraps about every 194 days
        long idle = now >= lru ? now - lru : (long) now + (LRU_CLOCK_MAX - lru);
        c.out().integer(idle);
    }

    /**
     * Under an LFU policy the 24-bit clock holds the last decrement time in minutes (high 16
     * bits) and a logarithmic counter (low 8); the reply is the counter after decay
     * ({@code LFUDecrAndReturn}).
     */
    static void freq(Client c, RespRequest a) {
        Object e = lookup(c, a);
        if (e == null) return;
        if (!lfuPolicy(c)) {
            c.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when "
                    + "switching between policies at runtime LRU and LFU data will take some time to adjust.");
            return;
        }
        long counter = c.server().keyspace().eviction().lfuDecrAndReturn(Entries.clock(e));
        c.out().integer(counter);
    }

    static void help(Client c, RespRequest a) {
        KeyCommands.help(c, "OBJECT",
                "ENCODING <key>",
                "    Return the kind of internal representation used in order to store the value",
                "    associated with a <key>.",
                "FREQ <key>",
                "    Return the access frequency index of the <key>. The returned integer is",
                "    proportional to the logarithm of the recent access frequency of the key.",
                "IDLETIME <key>",
                "    Return the idle time of the <key>, that is the approximated number of",
                "    seconds elapsed since the last access to the key.",
                "REFCOUNT <key>",
                "    Return the number of references of the value associated with the specified",
                "    <key>.");
    }
}
