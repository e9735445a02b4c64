package io.basalt.server.exec;

import io.basalt.resp.RespRequest;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandSpec;

/**
 * One command as the dispatcher sees it once it is looked up: its spec, arguments, the
 * positions of its keys, each key's hash slot, whether they all share one slot, and the distinct
 * shards to lock, ascending. Computed once per command ({@link #of}) and reused by routing
 * (MOVED/CROSSSLOT), locking, tracking and propagation, as Redis keeps {@code c->slot} from
 * {@code getNodeByQuery}. Each client reuses one for its commands; a queued command of MULTI keeps
 * a copy of its own ({@link #copy}) for EXEC.
 */
public final class CommandContext {
    /** {@link #slot()} when the keys are in different slots (Redis's CROSSSLOT). */
    public static final int CROSS_SLOT = -2;
    /** {@link #slot()} when the command names no key. */
    public static final int NO_SLOT = -1;

    private CommandSpec spec;
    private RespRequest req;
    private int[] keys = new int[8];
    private int nkeys;
    private int[] slots = new int[8];
    private int slot = NO_SLOT;
    private int[] shards = new int[8];
    private int nshards;
    /** Where {@link #slotOf} starts looking: after the key it found last. */
    private int nextKey;
    /** A queued command's flags as getCommandFlags gave them when it was queued (copies only). */
    private int queuedFlags;

    /** Fills this context for {@code spec} and {@code req}; {@code shardMask} maps a slot to its shard. */
    CommandContext of(CommandSpec spec, RespRequest req, int shardMask) {
        this.spec = spec;
        this.req = req;
        int argc = req.argc();
        // key finders write up to the array's length: never fewer slots than arguments
        if (keys.length < argc) {
            int n = Math.max(argc, keys.length * 2);
            keys = new int[n];
            slots = new int[n];
            shards = new int[n];
        }
        int n = spec.keys(req, keys);
        nkeys = n;
        nextKey = 0;
        slot = NO_SLOT;
        nshards = 0;
        for (int i = 0; i < n; i++) {
            int s = KeySlots.slot(req.buffer(), req.offset(keys[i]), req.length(keys[i]));
            slots[i] = s;
            if (i == 0) slot = s;
            else if (slot != s) slot = CROSS_SLOT;
            shards[i] = s & shardMask;
        }
        if (n == 1) {
            nshards = 1;
        } else if (n > 1) {
            // lock order: each distinct shard once, ascending (no deadlocks)
            java.util.Arrays.sort(shards, 0, n);
            int d = 0;
            for (int i = 0; i < n; i++) if (i == 0 || shards[i] != shards[i - 1]) shards[d++] = shards[i];
            nshards = d;
        }
        return this;
    }

    /**
     * A copy that owns its arrays, for a command queued by MULTI (its request already copied);
     * with {@code withFlags} (cluster mode, whose routing reads them) its flags as queued.
     */
    CommandContext copy(RespRequest copiedRequest, boolean withFlags) {
        CommandContext c = new CommandContext();
        c.spec = spec;
        c.req = copiedRequest;
        c.nkeys = nkeys;
        c.keys = java.util.Arrays.copyOf(keys, Math.max(0, nkeys));
        c.slots = java.util.Arrays.copyOf(slots, Math.max(0, nkeys));
        c.shards = java.util.Arrays.copyOf(shards, nshards);
        c.nshards = nshards;
        c.slot = slot;
        // Redis adds a queued command's getCommandFlags to mstate.cmd_flags when it is queued: a
        // script's declared flags as they are now, not at EXEC (standalone mode does not read
        // them: no shebang parsed for it)
        c.queuedFlags = withFlags ? spec.flags(copiedRequest) : spec.bits;
        return c;
    }

    /** For a command queued by MULTI in cluster mode: its flags when it was queued (a script's declared ones). */
    public int queuedFlags() { return queuedFlags; }

    public CommandSpec spec() { return spec; }

    public RespRequest request() { return req; }

    /**
     * How many keys the command names; 0 for none, -1 when a movable-keys command's arguments do
     * not say where its keys are (its handler replies the syntax error).
     */
    public int keyCount() { return nkeys; }

    /** The argument index of key {@code i}. */
    public int keyIndex(int i) { return keys[i]; }

    /** The hash slot of key {@code i}. */
    public int keySlot(int i) { return slots[i]; }

    /** The slot every key is in, {@link #NO_SLOT} without keys, {@link #CROSS_SLOT} when they differ. */
    public int slot() { return slot; }

    /**
     * The slot of {@code key} when it is one of this command's keys (compared byte for byte with
     * the arguments), else -1: handlers find their key's shard without hashing it a second time.
     */
    public int slotOf(byte[] key) {
        // handlers visit their keys in argument order (MSET, DEL, MGET): start after the last
        // match, so a command with n keys costs n compares, not n^2/2
        int n = nkeys;
        for (int k = 0, i = nextKey; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
            if (req.argEquals(keys[i], key)) {
                nextKey = i + 1 == n ? 0 : i + 1;
                return slots[i];
            }
        }
        return -1;
    }

    /** The number of distinct shards the keys are in. */
    public int shardCount() { return nshards; }

    /** The {@code i}-th distinct shard of the keys, ascending. */
    public int shard(int i) { return shards[i]; }

    /**
     * Whether the command reads or writes keys it does not name (DBSIZE, KEYS, SCAN, FLUSH*,
     * SWAPDB, SORT with BY/GET patterns): an EXEC holding it locks every shard.
     */
    public boolean anyKey() {
        return spec.is(CommandFlags.ANY_KEY | CommandFlags.SCRIPT) || (nkeys <= 0 && spec.is(CommandFlags.WRITE | CommandFlags.READONLY));
    }
}
