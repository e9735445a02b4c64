package io.basalt.server.command;

import java.util.Map;
import java.util.Set;

/**
 * A command's flags as bits, computed once when the table is built, so the dispatcher tests
 * {@code spec.is(WRITE)} instead of comparing strings or command names per request (Redis's
 * {@code cmd->flags & CMD_WRITE}).
 *
 * <p>The first group are the flags Redis publishes through COMMAND INFO. The second group are
 * roles Redis decides by comparing a command's {@code proc} ({@code c->cmd->proc == execCommand})
 * or by internal flags COMMAND does not print (CMD_MAY_REPLICATE); Basalt derives them from the
 * command's name here, in one table, and nowhere else.
 */
public final class CommandFlags {
    private CommandFlags() {}

    // ---------------------------------------------------------------- Redis's published flags

    public static final int WRITE = 1;
    public static final int READONLY = 1 << 1;
    public static final int DENYOOM = 1 << 2;
    public static final int ADMIN = 1 << 3;
    public static final int PUBSUB = 1 << 4;
    public static final int NOSCRIPT = 1 << 5;
    public static final int BLOCKING = 1 << 6;
    public static final int LOADING = 1 << 7;
    public static final int STALE = 1 << 8;
    public static final int SKIP_MONITOR = 1 << 9;
    public static final int SKIP_SLOWLOG = 1 << 10;
    public static final int ASKING = 1 << 11;
    public static final int FAST = 1 << 12;
    public static final int NO_AUTH = 1 << 13;
    public static final int NO_MANDATORY_KEYS = 1 << 14;
    public static final int NO_MULTI = 1 << 15;
    public static final int MOVABLE_KEYS = 1 << 16;
    public static final int ALLOW_BUSY = 1 << 17;

    // ---------------------------------------------------------------- roles (derived from the name)

    /** Redis's CMD_MAY_REPLICATE: may propagate without being a write (PUBLISH, EVAL ...). */
    public static final int MAY_REPLICATE = 1 << 20;
    /** What CLIENT PAUSE WRITE holds back: writes and may-replicate commands (Redis's pauseActions). */
    public static final int PAUSED_BY_WRITE = WRITE | MAY_REPLICATE;
    /** EXEC: checked against its queued commands (OOM, pause, loading, disk errors, redirects). */
    public static final int EXEC = 1 << 21;
    /** Runs at once between MULTI and EXEC instead of being queued (Redis's queueMultiCommand guard). */
    public static final int TRANSACTION_CONTROL = 1 << 22;
    /** Allowed in RESP2 subscribed mode. */
    public static final int SUBSCRIBED_OK = 1 << 23;
    /** Not refused inside MULTI when out of memory (queuing anything else would grow without bound). */
    public static final int OOM_EXEMPT_IN_MULTI = 1 << 24;
    /** PING: refused, like a write, while the disk cannot be written (writeCommandsDeniedByDiskError). */
    public static final int PING = 1 << 25;
    /**
     * SORT/SORT_RO: BY/GET patterns may read any key, so an EXEC holding one locks every shard.
     * Also CLUSTER COUNTKEYSINSLOT/GETKEYSINSLOT, which lock their slot's shard themselves: inside
     * EXEC that shard must already be held (taken in order with the others).
     */
    public static final int ANY_KEY = 1 << 26;
    /** A CLIENT subcommand: keeps CLIENT CACHING's one-shot flag for the next command. */
    public static final int CLIENT = 1 << 27;
    /**
     * EVAL and its kin: the script takes its own locks (every shard, on the script thread), so
     * the dispatcher locks nothing for it; an EXEC holding one locks every shard.
     */
    public static final int SCRIPT = 1 << 28;

    private static final Map<String, Integer> PUBLISHED = Map.ofEntries(
            Map.entry("write", WRITE), Map.entry("readonly", READONLY), Map.entry("denyoom", DENYOOM),
            Map.entry("admin", ADMIN), Map.entry("pubsub", PUBSUB), Map.entry("noscript", NOSCRIPT),
            Map.entry("blocking", BLOCKING), Map.entry("loading", LOADING), Map.entry("stale", STALE),
            Map.entry("skip_monitor", SKIP_MONITOR), Map.entry("skip_slowlog", SKIP_SLOWLOG),
            Map.entry("asking", ASKING), Map.entry("fast", FAST), Map.entry("no_auth", NO_AUTH),
            Map.entry("no_mandatory_keys", NO_MANDATORY_KEYS), Map.entry("no_multi", NO_MULTI),
            Map.entry("movablekeys", MOVABLE_KEYS), Map.entry("allow_busy", ALLOW_BUSY));

    private static final Set<String> MAY_REPLICATE_NAMES = Set.of("publish", "spublish", "pfcount", "eval", "evalsha", "fcall");
    private static final Set<String> SCRIPT_NAMES = Set.of("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro");
    private static final Set<String> TRANSACTION_CONTROL_NAMES = Set.of("exec", "discard", "multi", "watch", "quit", "reset");
    private static final Set<String> SUBSCRIBED_OK_NAMES = Set.of("ping", "subscribe", "ssubscribe", "psubscribe",
            "unsubscribe", "sunsubscribe", "punsubscribe", "quit", "reset");
    private static final Set<String> OOM_EXEMPT_NAMES = Set.of("exec", "discard", "quit", "reset");

    /**
     * The bits of a command: its published flags, and its roles by name ({@code top} is the
     * container's name for a subcommand, {@code name} the full one).
     */
    static int of(Set<String> flags, String name, String top) {
        int bits = 0;
        for (String f : flags) {
            Integer b = PUBLISHED.get(f);
            if (b != null) bits |= b;
        }
        if (MAY_REPLICATE_NAMES.contains(name) || MAY_REPLICATE_NAMES.contains(top)) bits |= MAY_REPLICATE;
        if (name.equals("exec")) bits |= EXEC;
        if (TRANSACTION_CONTROL_NAMES.contains(name)) bits |= TRANSACTION_CONTROL;
        if (SUBSCRIBED_OK_NAMES.contains(name)) bits |= SUBSCRIBED_OK;
        if (OOM_EXEMPT_NAMES.contains(name)) bits |= OOM_EXEMPT_IN_MULTI;
        if (name.equals("ping")) bits |= PING;
        if (top.equals("sort") || top.equals("sort_ro")) bits |= ANY_KEY;
        if (name.equals("cluster|countkeysinslot") || name.equals("cluster|getkeysinslot")) bits |= ANY_KEY;
        if (top.equals("client")) bits |= CLIENT;
        if (SCRIPT_NAMES.contains(name)) bits |= SCRIPT;
        return bits;
    }
}
