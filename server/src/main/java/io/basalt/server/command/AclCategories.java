package io.basalt.server.command;

import io.basalt.resp.RespValue;

import java.util.List;

/**
 * Redis 7.0's ACL command categories, in its order (ACL CAT, the best-fit search of a user's
 * description and COMMAND INFO all go through them in this order). A command's categories come
 * from the command table's metadata (COMMAND INFO's 7th element, implicit ones included), as bits.
 */
public final class AclCategories {
    private AclCategories() {}

    public static final List<String> NAMES = List.of("keyspace", "read", "write", "set", "sortedset", "list", "hash",
            "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
            "dangerous", "connection", "transaction", "scripting");

    /** The bit of a category name (case-insensitive, as Redis's strcasecmp), 0 if there is none. */
    public static long bit(String name) {
        for (int i = 0; i < NAMES.size(); i++) if (NAMES.get(i).equalsIgnoreCase(name)) return 1L << i;
        return 0;
    }

    /** The bits of a COMMAND INFO entry's categories ("@read", "@fast" ...). */
    public static long of(RespValue info) {
        if (info.size() <= 6) return 0;
        long bits = 0;
        for (RespValue c : info.get(6).elements()) {
            String s = c.string();
            bits |= bit(s.startsWith("@") ? s.substring(1) : s);
        }
        return bits;
    }
}
