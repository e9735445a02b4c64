package io.basalt.server.cluster;

import io.basalt.cluster.ClusterNode;
import io.basalt.cluster.ClusterState;
import io.basalt.cluster.Slots;
import io.basalt.resp.Numbers;
import io.basalt.resp.RespRequest;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Generic;
import io.basalt.server.util.Log;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * The CLUSTER subcommands about slots: KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT, ADDSLOTS,
 * ADDSLOTSRANGE, DELSLOTS, DELSLOTSRANGE, FLUSHSLOTS and SETSLOT, as the branches of Redis
 * 7.0.15's clusterCommand: the same checks in the same order, the same errors, the same side
 * effects on the slot table (and the deferred nodes.conf save and state update, asked of the
 * cluster engine through {@link ClusterState#todo}). They work inside MULTI, as redis-cli
 * --cluster fix needs. Without cluster mode each answers {@link ClusterMode#DISABLED}.
 *
 * <p>Changes of the tables are made with the {@link ClusterState} monitor held, so that the
 * checks and the change are one step against the cluster bus.
 */
public final class ClusterSlotCommands {
    private ClusterSlotCommands() {}

    private static final int SLOTS = Slots.COUNT;

    public static void register(CommandTable t, Supplier<ClusterMode> cluster) {
        t.register("cluster|keyslot", (c, a) -> keyslot(c, a, cluster));
        t.register("cluster|countkeysinslot", (c, a) -> countkeysinslot(c, a, cluster));
        t.register("cluster|getkeysinslot", (c, a) -> getkeysinslot(c, a, cluster));
        t.register("cluster|addslots", (c, a) -> addslots(c, a, cluster, false));
        t.register("cluster|delslots", (c, a) -> addslots(c, a, cluster, true));
        t.register("cluster|addslotsrange", (c, a) -> addslotsrange(c, a, cluster, false));
        t.register("cluster|delslotsrange", (c, a) -> addslotsrange(c, a, cluster, true));
        t.register("cluster|flushslots", (c, a) -> flushslots(c, a, cluster));
        t.register("cluster|setslot", (c, a) -> setslot(c, a, cluster));
    }

    // ---------------------------------------------------------------- keys and slots

    /** CLUSTER KEYSLOT key: its hash slot (hash tags honoured). */
    static void keyslot(Client c, RespRequest a, Supplier<ClusterMode> cluster) {
        if (ClusterMode.require(c, cluster) == null) return;
        c.out().integer(io.basalt.data.Slots.slot(a.bytes(2)));
    }

    /** CLUSTER COUNTKEYSINSLOT slot: keys of database 0 in the slot, from the slot index. */
    static void countkeysinslot(Client c, RespRequest a, Supplier<ClusterMode> cluster) {
        ClusterMode m = ClusterMode.require(c, cluster);
        if (m == null) return;
        Long slot = Generic.longArg(c, a, 2);
        if (slot == null) return;
        if (slot < 0 || slot >= SLOTS) {
            c.error("ERR Invalid slot");
            return;
        }
        c.out().integer(m.keyspace().countKeysInSlot(0, slot.intValue()));
    }

    /** CLUSTER GETKEYSINSLOT slot count: up to count keys of database 0 in the slot, newest first. */
    static void getkeysinslot(Client c, RespRequest a, Supplier<ClusterMode> cluster) {
        ClusterMode m = ClusterMode.require(c, cluster);
        if (m == null) return;
        Long slot = Generic.longArg(c, a, 2);
        if (slot == null) return;
        Long max = Generic.longArg(c, a, 3);
        if (max == null) return;
        if (slot < 0 || slot >= SLOTS || max < 0) {
            c.error("ERR Invalid slot or number of keys");
            return;
        }
        List<byte[]> keys = m.keyspace().keysInSlot(0, slot.intValue(), (int) Math.min(max, Integer.MAX_VALUE));
        c.out().array(keys.size());
        for (byte[] k : keys) c.out().bulk(k);
    }

    // ---------------------------------------------------------------- slot assignment

    /** Redis's getSlotOrReply: the slot, or -1 after replying the error. */
    static int slotOrReply(Client c, RespRequest a, int i) {
        long slot;
        try {
            slot = Numbers.parseLong(a.buffer(), a.offset(i), a.length(i));
        } catch (NumberFormatException e) {
            slot = -1;
        }
        if (slot < 0 || slot >= SLOTS) {
            c.error("ERR Invalid or out of range slot");
            return -1;
        }
        return (int) slot;
    }

    private static int slotOrReplySilently(RespRequest a, int i) {
        try {
            long slot = Numbers.parseLong(a.buffer(), a.offset(i), a.length(i));
            return slot < 0 || slot >= SLOTS ? -1 : (int) slot;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Redis's checkSlotAssignmentsOrReply over start..end, counting each slot in {@code seen}. */
    private static boolean checkAssignments(Client c, ClusterState s, byte[] seen, boolean del, int start, int end) {
        for (int slot = start; slot <= end; slot++) {
            if (del && s.slotOwner(slot) == null) {
                c.error("ERR Slot " + slot + " is already unassigned");
                return false;
            } else if (!del && s.slotOwner(slot) != null) {
                c.error("ERR Slot " + slot + " is already busy");
                return false;
            }
            if (seen[slot]++ == 1) {
                c.error("ERR Slot " + slot + " specified multiple times");
                return false;
            }
        }
        return true;
    }

    /**
     * Redis's clusterUpdateSlots: every slot in {@code seen} assigned to this node (or unassigned),
     * an import of it ended (this node now owns it).
     */
    private static void updateSlots(ClusterState s, byte[] seen, boolean del) {
        for (int j = 0; j < SLOTS; j++) {
            if (seen[j] == 0) continue;
            if (s.importingFrom(j) != null) s.setImporting(j, null);
            if (del) s.delSlot(j);
            else s.addSlot(s.myself(), j);
        }
    }

    /** CLUSTER ADDSLOTS / DELSLOTS slot...: every argument parsed, then every slot checked, then the change. */
    static void addslots(Client c, RespRequest a, Supplier<ClusterMode> cluster, boolean del) {
        ClusterMode m = ClusterMode.require(c, cluster);
        if (m == null) return;
        ClusterState s = m.state();
        for (int j = 2; j < a.argc(); j++) if (slotOrReply(c, a, j) < 0) return;
        synchronized (s) {
            byte[] seen = new byte[SLOTS];
            for (int j = 2; j < a.argc(); j++) {
                int slot = slotOrReply(c, a, j);
                if (!checkAssignments(c, s, seen, del, slot, slot)) return;
            }
            updateSlots(s, seen, del);
            s.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
        }
        m.afterChange();
        c.out().ok();
    }

    /** CLUSTER ADDSLOTSRANGE / DELSLOTSRANGE start end [start end ...]. */
    static void addslotsrange(Client c, RespRequest a, Supplier<ClusterMode> cluster, boolean del) {
        ClusterMode m = ClusterMode.require(c, cluster);
        if (m == null) return;
        if (a.argc() % 2 == 1) {
            c.error("ERR wrong number of arguments for '" + (del ? "cluster|delslotsrange" : "cluster|addslotsrange") + "' command");
            return;
        }
        ClusterState s = m.state();
        synchronized (s) {
            byte[] seen = new byte[SLOTS];
            for (int j = 2; j < a.argc(); j += 2) {
                int start = slotOrReply(c, a, j);
                if (start < 0) return;
                int end = slotOrReply(c, a, j + 1);
                if (end < 0) return;
                if (start > end) {
                    c.error("ERR start slot number " + start + " is greater than end slot number " + end);
                    return;
                }
                if (!checkAssignments(c, s, seen, del, start, end)) return;
            }
            updateSlots(s, seen, del);
            s.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
        }
        m.afterChange();
        c.out().ok();
    }

    /** CLUSTER FLUSHSLOTS: this node's slots unassigned; only with an empty database 0. */
    static void flushslots(Client c, RespRequest a, Supplier<ClusterMode> cluster) {
        ClusterMode m = ClusterMode.require(c, cluster);
        if (m == null) return;
        // dictSize: keys past their expiry not removed yet count too
        if (m.keyspace().size(0) != 0) {
            c.error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
            return;
        }
        ClusterState s = m.state();
        synchronized (s) {
            s.delNodeSlots(s.myself());
            s.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
        }
        m.afterChange();
        c.out().ok();
    }

    // ---------------------------------------------------------------- SETSLOT

    /**
     * CLUSTER SETSLOT slot IMPORTING node | MIGRATING node | STABLE | NODE node. NODE moving a
     * slot away needs its keys gone; it ends a migration of a slot left without keys, makes a
     * master that gave away its last slot a replica of the new owner (with
     * cluster-allow-replica-migration), and, taking a slot this node was importing, ends the
     * import with a new config epoch (no consensus needed: the slot was moved by hand).
     */
    static void setslot(Client c, RespRequest a, Supplier<ClusterMode> cluster) {
        ClusterMode m = ClusterMode.require(c, cluster);
        if (m == null) return;
        ClusterState s = m.state();
        // SETSLOT NODE's key count, taken before the state's monitor: a shard lock is never
        // waited for while holding it (an EXEC holds shards and may then want the monitor)
        int keys = 0;
        if (a.argc() == 5 && a.is(3, "node")) {
            int slot = slotOrReplySilently(a, 2);
            if (slot >= 0) keys = m.keyspace().countKeysInSlot(0, slot);
        }
        synchronized (s) {
            ClusterNode myself = s.myself();
            if (myself.isReplica()) {
                c.error("ERR Please use SETSLOT only with masters.");
                return;
            }
            int slot = slotOrReply(c, a, 2);
            if (slot < 0) return;
            int argc = a.argc();
            if (a.is(3, "migrating") && argc == 5) {
                if (s.slotOwner(slot) != myself) {
                    c.error("ERR I'm not the owner of hash slot " + slot);
                    return;
                }
                ClusterNode n = knownMaster(s, c, a);
                if (n == null) return;
                s.setMigrating(slot, n);
            } else if (a.is(3, "importing") && argc == 5) {
                if (s.slotOwner(slot) == myself) {
                    c.error("ERR I'm already the owner of hash slot " + slot);
                    return;
                }
                ClusterNode n = knownMaster(s, c, a);
                if (n == null) return;
                s.setImporting(slot, n);
            } else if (a.is(3, "stable") && argc == 4) {
                s.setImporting(slot, null);
                s.setMigrating(slot, null);
            } else if (a.is(3, "node") && argc == 5) {
                ClusterNode n = s.lookup(a.string(4));
                if (n == null) {
                    errorWithArg(c, "ERR Unknown node ", a.bytes(4));
                    return;
                }
                if (n.isReplica()) {
                    c.error("ERR Target node is not a master");
                    return;
                }
                if (s.slotOwner(slot) == myself && n != myself && keys != 0) {
                    c.error("ERR Can't assign hashslot " + slot + " to a different node while I still hold keys for this hash slot.");
                    return;
                }
                if (keys == 0 && s.migratingTo(slot) != null) s.setMigrating(slot, null);
                boolean slotWasMine = s.slotOwner(slot) == myself;
                s.delSlot(slot);
                s.addSlot(n, slot);
                if (slotWasMine && n != myself && myself.numSlots == 0 && m.options().allowReplicaMigration) {
                    // a master left without slots follows them: it becomes a replica of their new owner
                    Log.warning("Configuration change detected. Reconfiguring myself as a replica of " + n.name);
                    s.setMaster(n);
                    m.replicate(n);
                    s.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_FSYNC_CONFIG);
                }
                if (n == myself && s.importingFrom(slot) != null) {
                    // moved by hand: a new config epoch, so the rest of the cluster takes this
                    // node's claim over the old owner's
                    if (s.bumpEpochWithoutConsensus()) Log.warning("configEpoch updated after importing slot " + slot);
                    s.setImporting(slot, null);
                    // after importing a slot, the other nodes learn it as soon as possible
                    m.broadcastPong();
                }
            } else {
                c.error("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
                return;
            }
            s.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
        }
        m.afterChange();
        c.out().ok();
    }

    /**
     * The node SETSLOT MIGRATING/IMPORTING names (argument 4), or null after replying why it
     * cannot be the other end of a migration (unknown, or a replica).
     */
    private static ClusterNode knownMaster(ClusterState s, Client c, RespRequest a) {
        ClusterNode n = s.lookup(a.string(4));
        if (n == null) {
            errorWithArg(c, "ERR I don't know about node ", a.bytes(4));
            return null;
        }
        if (n.isReplica()) {
            c.error("ERR Target node is not a master");
            return null;
        }
        return n;
    }

    /** An error ending with a client's argument, byte for byte (node names are not checked first). */
    private static void errorWithArg(Client c, String prefix, byte[] arg) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] m = new byte[p.length + arg.length];
        System.arraycopy(p, 0, m, 0, p.length);
        System.arraycopy(arg, 0, m, p.length, arg.length);
        c.error(m);
    }
}
