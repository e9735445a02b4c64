package io.basalt.server.cluster;

import io.basalt.cluster.ClusterNode;
import io.basalt.cluster.ClusterOptions;
import io.basalt.cluster.ClusterState;
import io.basalt.data.Entries;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.data.Slots;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandFlags;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.exec.CommandContext;
import io.basalt.server.exec.ExecState;
import io.basalt.server.exec.Router;

import java.util.List;

/**
 * Cluster mode's redirects: Redis 7.0's getNodeByQuery and clusterRedirectClient, check for
 * check and word for word, over the slots the dispatcher already hashed.
 *
 * <p>The order (getNodeByQuery's): the keys of the command (of every queued command for EXEC)
 * are walked; the first key's slot unassigned is {@code CLUSTERDOWN Hash slot not served}, a key
 * of another slot {@code CROSSSLOT}; a command without keys runs here; a cluster that is down
 * refuses it ({@code CLUSTERDOWN The cluster is down}, or with cluster-allow-reads-when-down
 * only writes, {@code ... and only accepts read commands}; shard Pub/Sub follows
 * cluster-allow-pubsubshard-when-down); MIGRATE runs here in an open slot; a slot this node is
 * migrating sends missing keys to the target ({@code ASK}, or {@code TRYAGAIN} when only some
 * are missing); an importing slot serves an ASKING client (TRYAGAIN for several different keys
 * some of which are missing); a replica serves reads of its master's slots to READONLY
 * connections (and shard Pub/Sub to anyone); any other node owning the slot is a
 * {@code MOVED}.
 *
 * <p>What depends on which keys exist (ASK, TRYAGAIN) is decided with the slot's shard locked
 * ({@link #confirmLocked}), so a key cannot appear or go between the check and the command;
 * everything else is decided before the locks ({@link #route}). A command queued by MULTI is
 * checked whole when it is queued (its slot's shard locked briefly), as Redis checks it then.
 *
 * <p>Cost on the common path (a slot this node serves, stable, cluster ok): a few reads of the
 * slot table and no allocation.
 */
final class ClusterRouter implements Router {
    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
    static final String TRYAGAIN = "TRYAGAIN Multiple keys request during rehashing of slot";
    static final String DOWN = "CLUSTERDOWN The cluster is down";
    static final String DOWN_RO = "CLUSTERDOWN The cluster is down and only accepts read commands";
    static final String UNBOUND = "CLUSTERDOWN Hash slot not served";

    private final ClusterState state;
    private final ClusterOptions options;
    private final Keyspace keyspace;
    /** Commands getNodeByQuery treats apart (compared by identity). */
    private final CommandSpec migrate, spublish, ssubscribe, sunsubscribe, asking;

    ClusterRouter(ClusterState state, Keyspace keyspace, CommandTable table) {
        this.state = state;
        this.options = state.options();
        this.keyspace = keyspace;
        this.migrate = table.metadata("migrate");
        this.spublish = table.metadata("spublish");
        this.ssubscribe = table.metadata("ssubscribe");
        this.sunsubscribe = table.metadata("sunsubscribe");
        this.asking = table.metadata("asking");
    }

    private boolean shardPubSub(CommandSpec s) {
        return s == spublish || s == ssubscribe || s == sunsubscribe;
    }

    // ---------------------------------------------------------------- the common case

    /**
     * The slots a command may simply run in (served by this node, neither migrating nor
     * importing, the cluster ok) as a bitmap, for the table's version it was computed from. The
     * common path reads two volatile fields and one word of this 2 KiB map instead of three
     * 64 KiB tables (measured: RouteBench, docs/benchmarks.md). Rebuilt by the first command
     * that finds the table's version changed; an immutable snapshot, so threads may race to
     * rebuild it harmlessly.
     */
    private static final class Fast {
        final long version;
        final long[] bits = new long[Slots.COUNT / 64];

        Fast(long version) { this.version = version; }
    }

    private volatile Fast fast = new Fast(-1);

    /** Whether {@code slot} is in the common case now. */
    private boolean fast(int slot) {
        long v = state.version();
        Fast f = fast;
        if (f.version != v) f = rebuild(v);
        return (f.bits[slot >>> 6] & (1L << slot)) != 0;
    }

    private Fast rebuild(long v) {
        // the table read after its version: at least as new as v (a later change bumps the
        // version again, and the next command rebuilds)
        Fast f = new Fast(v);
        if (state.ok()) {
            ClusterNode myself = state.myself();
            for (int j = 0; j < Slots.COUNT; j++) {
                if (state.slotOwner(j) == myself && state.migratingTo(j) == null && state.importingFrom(j) == null) {
                    f.bits[j >>> 6] |= 1L << j;
                }
            }
        }
        fast = f;
        return f;
    }

    // ---------------------------------------------------------------- the dispatcher's calls

    @Override
    public String route(Client c, CommandContext cmd, List<CommandContext> queued) {
        if (queued == null) {
            int slot = cmd.slot();
            if (slot >= 0) {
                if (fast(slot)) return null;
            } else if (slot == CommandContext.NO_SLOT && !(shardPubSub(cmd.spec()) && cmd.request().argc() > 1)) {
                return null; // no keys (nor shard channels): runs here
            }
        } else if (!ExecState.inMulti(c)) {
            return null;
        }
        // a command queued by MULTI is not checked again until EXEC: decide on its keys now
        boolean queueing = queued == null && ExecState.inMulti(c) && !cmd.spec().is(CommandFlags.TRANSACTION_CONTROL);
        return query(c, cmd, queued, queueing ? Keys.LOCK : Keys.DEFER);
    }

    @Override
    public String confirmLocked(Client c, CommandContext cmd, List<CommandContext> queued) {
        if (queued == null) {
            int slot = cmd.slot();
            if (slot < 0 || fast(slot)) return null; // keyless (CROSSSLOT was refused by route), or the common case
        }
        return query(c, cmd, queued, Keys.LOCKED);
    }

    @Override
    public boolean settled(Client c, CommandContext cmd) {
        int slot = cmd.slot();
        return slot < 0 || fast(slot);
    }

    /** The dispatcher's step after every client command: ASKING is one-shot (Redis's resetClient). */
    @Override
    public void afterCommand(Client c, CommandSpec spec) {
        ClusterClientState s = c.get(ClusterClientState.SLOT);
        if (s == null) return;
        // resetClient's c->slot = -1: the slot the scripts of an EXEC shared ends with it
        if (s.execScripts != null) s.execScripts = null;
        if ((s.flags & ClusterClientState.ASKING) == 0) return;
        // kept inside MULTI (EXEC still needs it) and right after ASKING itself
        if (spec != asking && !ExecState.inMulti(c)) s.flags &= ~ClusterClientState.ASKING;
    }

    // ---------------------------------------------------------------- getNodeByQuery

    /** How the key lookups of a migrating or importing slot are made. */
    private enum Keys {
        /** The dispatcher holds the keys' shards (the command is about to run, or EXEC). */
        LOCKED,
        /** Not locked yet: the answer waits for {@link #confirmLocked}. */
        DEFER,
        /** Not locked and no later check (a command being queued): lock the slot's shard now. */
        LOCK
    }

    /**
     * getNodeByQuery over {@code cmd} (or, for EXEC, every queued command), then
     * clusterRedirectClient's text: the error to reply, or null to run the command here.
     */
    private String query(Client c, CommandContext cmd, List<CommandContext> queued, Keys keys) {
        return query(ClusterClientState.flags(c), c.tls(), cmd, queued, keys);
    }

    /**
     * {@link #query(Client, CommandContext, List, Keys)} for a client with these ASKING/READONLY
     * flags, on TLS or not (which port a redirect names with tls-cluster).
     */
    private String query(int clientFlags, boolean tlsClient, CommandContext cmd, List<CommandContext> queued, Keys keys) {
        boolean pubsubShard = shardPubSub(cmd.spec());
        byte[] firstKey = null;
        int slot = 0;
        ClusterNode n = null, migratingTo = null;
        boolean migrating = false, importing = false, multipleKeys = false;
        int count = queued == null ? 1 : queued.size();
        for (int i = 0; i < count; i++) {
            CommandContext q = queued == null ? cmd : queued.get(i);
            RespRequest req = q.request();
            int nk = keyCount(q);
            for (int j = 0; j < nk; j++) {
                int arg = keyArg(q, j);
                int thisSlot = keySlot(q, j);
                if (firstKey == null) {
                    firstKey = req.bytes(arg);
                    slot = thisSlot;
                    n = state.slotOwner(slot);
                    if (n == null) return UNBOUND;
                    migratingTo = state.migratingTo(slot);
                    if (n == state.myself() && migratingTo != null) migrating = true;
                    else if (state.importingFrom(slot) != null) importing = true;
                } else if (!req.argEquals(arg, firstKey)) {
                    if (slot != thisSlot) return CROSSSLOT;
                    multipleKeys = true;
                }
            }
        }
        if (n == null) return null; // no keys at all
        ClusterNode myself = state.myself();
        CommandSpec spec = cmd.spec();
        // getCommandFlags: a script's declared flags, not EVAL's or FCALL's (one that may write is
        // a write unless flagged no-writes)
        int flags = spec.flags(cmd.request());
        if (!state.ok()) {
            if (pubsubShard) {
                if (!options.allowPubsubshardWhenDown) return DOWN;
            } else if (!options.allowReadsWhenDown) {
                return DOWN;
            } else if ((flags & CommandFlags.WRITE) != 0) {
                return DOWN_RO;
            }
        }
        if ((migrating || importing) && spec == migrate) return null;
        // Redis counts the keys it lacks only in an open slot, and never for shard channels
        boolean asking = (clientFlags & ClusterClientState.ASKING) != 0 || (flags & CommandFlags.ASKING) != 0;
        if (migrating && !pubsubShard || importing && asking && multipleKeys && !pubsubShard) {
            if (keys == Keys.DEFER) return null;
            long counts = countKeys(cmd, queued, slot, keys == Keys.LOCK);
            int missing = (int) (counts >>> 32), existing = (int) counts;
            if (migrating && missing > 0) {
                if (existing > 0) return TRYAGAIN;
                return redirect("ASK", slot, migratingTo, tlsClient);
            }
            if (importing && asking) return missing > 0 ? TRYAGAIN : null;
        }
        if (importing && asking) return null;
        boolean write = (flags & CommandFlags.WRITE) != 0 || (queued != null && anyWrite(queued));
        if (((clientFlags & ClusterClientState.READONLY) != 0 || pubsubShard)
                && !write && myself.isReplica() && myself.master == n) {
            return null;
        }
        return n == myself ? null : redirect("MOVED", slot, n, tlsClient);
    }

    /** Whether the node ports are TLS ports (tls-cluster), set by ClusterMode from the engine. */
    private java.util.function.BooleanSupplier tlsCluster = () -> false;

    void tlsCluster(java.util.function.BooleanSupplier s) { this.tlsCluster = s; }

    /**
     * -MOVED/-ASK slot endpoint:port (the endpoint as cluster-preferred-endpoint-type says; with
     * tls-cluster a client not on TLS gets the node's plaintext port, Redis's use_pport).
     */
    String redirect(String kind, int slot, ClusterNode n, boolean tlsClient) {
        int port = !tlsClient && n.pport != 0 && tlsCluster.getAsBoolean() ? n.pport : n.port;
        return kind + " " + slot + " " + n.endpoint(options.preferredEndpointType) + ":" + port;
    }

    /** Redis's mstate.cmd_flags has CMD_WRITE: a queued write, or a script that may write. */
    private static boolean anyWrite(List<CommandContext> queued) {
        for (CommandContext q : queued) if ((q.queuedFlags() & CommandFlags.WRITE) != 0) return true;
        return false;
    }

    // The keys getNodeByQuery sees: the command's keys, but for the shard Pub/Sub commands their
    // channels (Redis takes them from the legacy key range, which their not_key spec fills)

    private int keyCount(CommandContext q) {
        if (shardPubSub(q.spec())) {
            int argc = q.request().argc();
            return q.spec() == spublish ? Math.min(1, argc - 1) : argc - 1;
        }
        return Math.max(0, q.keyCount());
    }

    private int keyArg(CommandContext q, int j) {
        return shardPubSub(q.spec()) ? 1 + j : q.keyIndex(j);
    }

    private int keySlot(CommandContext q, int j) {
        if (shardPubSub(q.spec())) {
            RespRequest r = q.request();
            return Slots.slot(r.bytes(1 + j));
        }
        return q.keySlot(j);
    }

    /**
     * Missing (high 32 bits) and existing (low) keys among every key occurrence, looked up in
     * database 0 as Redis does (lookupKeyReadWithFlags without touching, expiring or notifying:
     * a key past its expiry is missing, and stays stored).
     */
    private long countKeys(CommandContext cmd, List<CommandContext> queued, int slot, boolean lock) {
        Shard shard = keyspace.shardOfSlot(slot);
        if (lock) shard.lock();
        try {
            long now = System.currentTimeMillis();
            int missing = 0, existing = 0;
            int count = queued == null ? 1 : queued.size();
            for (int i = 0; i < count; i++) {
                CommandContext q = queued == null ? cmd : queued.get(i);
                int nk = keyCount(q);
                for (int j = 0; j < nk; j++) {
                    Object e = shard.peek(0, q.request().bytes(keyArg(q, j)));
                    long at = e == null ? -1 : Entries.expireAt(e);
                    if (e == null || (at >= 0 && at <= now)) missing++;
                    else existing++;
                }
            }
            return ((long) missing << 32) | existing;
        } finally {
            if (lock) shard.unlock();
        }
    }

    // ---------------------------------------------------------------- scripts

    static final String SCRIPT_DOWN_RO = "Script attempted to execute a write command while the cluster is down and readonly";
    static final String SCRIPT_DOWN = "Script attempted to execute a command while the cluster is down";
    static final String SCRIPT_NON_LOCAL = "Script attempted to access a non local key in a cluster node";
    static final String SCRIPT_CROSS_SLOT = "Script attempted to access keys that do not hash to the same slot";

    /**
     * Redis's c->slot of the client that invoked scripts: the slot processCommand's
     * getNodeByQuery found for the command (-1 without keys), then the slot of the first key a
     * script touched. An EXEC's scripts share the EXEC's one (kept in the client's cluster state
     * until the EXEC returns), so a second script of the transaction must stay in the first one's
     * slot.
     */
    static final class CallerSlot {
        int slot;

        CallerSlot(int slot) { this.slot = slot; }
    }

    @Override
    public ScriptScope scriptScope(Client caller, CommandContext invocation, boolean allowCrossSlot) {
        int clientFlags = ClusterClientState.flags(caller);
        CallerSlot slot;
        if (caller.inExec()) {
            ClusterClientState s = ClusterClientState.of(caller);
            if (s.execScripts == null) s.execScripts = new CallerSlot(commonSlot(io.basalt.server.exec.Dispatcher.transaction(caller)));
            slot = s.execScripts;
        } else {
            slot = new CallerSlot(invocation == null ? -1 : Math.max(-1, invocation.slot()));
        }
        return cmd -> scriptCheck(clientFlags, slot, allowCrossSlot, cmd);
    }

    /** The slot getNodeByQuery returns for an EXEC that was let through: its first key's, or -1. */
    private int commonSlot(List<CommandContext> queued) {
        if (queued == null) return -1;
        for (CommandContext q : queued) if (keyCount(q) > 0) return keySlot(q, 0);
        return -1;
    }

    /**
     * scriptVerifyClusterState: the command must be one getNodeByQuery would run here, for a
     * client with the caller's ASKING and READONLY flags (every shard is held by the script, so
     * the keys of a migrating slot are counted as they are); unless the script allows cross-slot
     * keys, every key it touches must be in the caller's slot.
     */
    private String scriptCheck(int clientFlags, CallerSlot caller, boolean allowCrossSlot, CommandContext cmd) {
        int slot = cmd.slot();
        int hashslot;
        if (slot >= 0 && fast(slot)) {
            hashslot = slot;
        } else if (slot == CommandContext.NO_SLOT && !shardPubSub(cmd.spec())) {
            return null; // no keys: runs here, the caller's slot untouched
        } else {
            // only the kind of error matters here, not the port a redirect would name
            String e = query(clientFlags, true, cmd, null, Keys.LOCKED);
            if (e != null) {
                if (e == DOWN_RO) return SCRIPT_DOWN_RO;
                if (e == DOWN) return SCRIPT_DOWN;
                return SCRIPT_NON_LOCAL; // MOVED, ASK, TRYAGAIN, CROSSSLOT, an unassigned slot
            }
            if (keyCount(cmd) == 0) return null;
            hashslot = keySlot(cmd, 0);
        }
        if (!allowCrossSlot) {
            if (caller.slot == -1) caller.slot = hashslot;
            else if (caller.slot != hashslot) return SCRIPT_CROSS_SLOT;
        }
        return null;
    }

    // ---------------------------------------------------------------- blocked clients

    /**
     * Redis's clusterRedirectBlockedClientIfNeeded for a client blocked on {@code key}: the error
     * that ends its wait, or null while this node still serves (or imports) the key's slot.
     */
    String blockedRedirect(Client c, byte[] key) {
        if (!state.ok()) return DOWN;
        int slot = Slots.slot(key);
        ClusterNode node = state.slotOwner(slot);
        ClusterNode myself = state.myself();
        if ((ClusterClientState.flags(c) & ClusterClientState.READONLY) != 0 && !c.lastSpecIs(CommandFlags.WRITE)
                && myself.isReplica() && myself.master == node) {
            node = myself;
        }
        if (node != myself && state.importingFrom(slot) == null) {
            return node == null ? UNBOUND : redirect("MOVED", slot, node, c.tls());
        }
        return null;
    }
}
