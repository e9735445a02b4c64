package io.basalt.cluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This node's view of the cluster (Redis's {@code clusterState}): the node table, the slot table,
 * the slots being migrated or imported, epochs, and the election state. Every change happens with
 * this object's monitor held (bus threads, cron, CLUSTER commands); the data path reads the slot
 * table without it, after reading {@link #version} (written last by every change), so it sees a
 * table at least as new as that version.
 */
public final class ClusterState {
    public static final int OK = 0;
    public static final int FAIL = 1;

    final ClusterOptions options;
    ClusterNode myself;
    long currentEpoch;
    /** The epoch of the last vote this master granted (persisted in nodes.conf). */
    long lastVoteEpoch;
    volatile int state = FAIL;
    /** Masters serving slots; 1 until the first evaluation, as clusterInit sets it. */
    int size = 1;
    final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
    /** Nodes FORGOTten, not to be re-added from gossip until the time (ms) stored. */
    final Map<String, Long> blacklist = new LinkedHashMap<>();
    final ClusterNode[] slots = new ClusterNode[Slots.COUNT];
    final ClusterNode[] migratingTo = new ClusterNode[Slots.COUNT];
    final ClusterNode[] importingFrom = new ClusterNode[Slots.COUNT];
    /** Bumped (last) by every change to the tables above; the data path reads it first. */
    volatile long version;

    public ClusterState(ClusterOptions options) {
        this.options = options;
    }

    public ClusterOptions options() { return options; }

    public ClusterNode myself() { return myself; }

    /** The master serving {@code slot}, or null when no node does. */
    public ClusterNode slotOwner(int slot) {
        long v = version; // happens-before the table read (see the class comment)
        return slots[slot];
    }

    /** The node a slot of this node is being migrated to (SETSLOT MIGRATING), or null. */
    public ClusterNode migratingTo(int slot) {
        long v = version;
        return migratingTo[slot];
    }

    /** The node a slot is being imported from (SETSLOT IMPORTING), or null. */
    public ClusterNode importingFrom(int slot) {
        long v = version;
        return importingFrom[slot];
    }

    /** cluster_state:ok. */
    public boolean ok() { return state == OK; }

    /** CLUSTER_OK or CLUSTER_FAIL (cluster_state). */
    public int state() { return state; }

    /**
     * A number that changes (grows) with every change of the node, slot, migrating and importing
     * tables: who caches something derived from them compares it.
     */
    public long version() { return version; }

    /** Marks a change of the tables visible to the data path. */
    void changed() { version++; }

    public long currentEpoch() { return currentEpoch; }

    /** Cluster size: masters serving at least one slot (as of the last state update). */
    public int size() { return size; }

    /** The node named {@code name} (40 lower-case hex/alnum characters), or null. */
    public synchronized ClusterNode lookup(String name) {
        return validName(name) ? nodes.get(name) : null;
    }

    /** A snapshot of the node table, in insertion order. */
    public synchronized java.util.List<ClusterNode> nodes() {
        return new java.util.ArrayList<>(nodes.values());
    }

    /** Redis's verifyClusterNodeId: 40 characters of [a-z0-9]. */
    public static boolean validName(String name) {
        if (name == null || name.length() != 40) return false;
        for (int i = 0; i < 40; i++) {
            char ch = name.charAt(i);
            if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) return false;
        }
        return true;
    }

    /** A fresh random node name (Redis's getRandomHexChars). */
    public static String randomName() {
        byte[] b = new byte[20];
        RANDOM.nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Makes {@code node} this node (clusterInit's myself): flagged MYSELF and added. */
    public synchronized void setMyself(ClusterNode node) {
        node.flags |= ClusterNode.MYSELF;
        myself = node;
        addNode(node);
    }

    public synchronized void addNode(ClusterNode node) {
        nodes.put(node.name, node);
        changed();
    }

    /** Redis's clusterDelNode: its slots unassigned, its failure reports dropped, unlinked. */
    public synchronized void delNode(ClusterNode del) {
        for (int j = 0; j < Slots.COUNT; j++) {
            if (importingFrom[j] == del) importingFrom[j] = null;
            if (migratingTo[j] == del) migratingTo[j] = null;
            if (slots[j] == del) delSlot(j);
        }
        for (ClusterNode n : nodes.values()) n.failReports.remove(del);
        // freeClusterNode: out of its master's replica list, its replicas orphaned
        if (del.isReplica() && del.master != null) removeReplica(del.master, del);
        for (ClusterNode r : del.replicas) r.master = null;
        nodes.remove(del.name);
        changed();
    }

    /** Redis's clusterRenameNode: a node met by address gets its real name from its PONG. */
    public synchronized void rename(ClusterNode node, String newName) {
        nodes.remove(node.name);
        node.name = newName;
        nodes.put(newName, node);
        changed();
    }

    static boolean removeReplica(ClusterNode master, ClusterNode replica) {
        boolean removed = master.replicas.remove(replica);
        if (removed && master.replicas.isEmpty()) master.flags &= ~ClusterNode.MIGRATE_TO;
        return removed;
    }

    static boolean addReplica(ClusterNode master, ClusterNode replica) {
        if (master.replicas.contains(replica)) return false;
        master.replicas.add(replica);
        master.flags |= ClusterNode.MIGRATE_TO;
        return true;
    }

    /**
     * The state part of Redis's clusterSetMaster (SETSLOT NODE taking this master's last slot,
     * REPLICATE): this node becomes a replica of {@code n}, its open slots closed if it was a
     * master. The caller points replication at {@code n} and resets a manual failover.
     */
    public synchronized void setMaster(ClusterNode n) {
        if (n == myself) throw new IllegalArgumentException("a node cannot replicate itself");
        if (myself.numSlots != 0) throw new IllegalStateException("a master with slots cannot become a replica");
        if (myself.isMaster()) {
            myself.flags = (myself.flags & ~(ClusterNode.MASTER | ClusterNode.MIGRATE_TO)) | ClusterNode.SLAVE;
            java.util.Arrays.fill(migratingTo, null);
            java.util.Arrays.fill(importingFrom, null);
        } else if (myself.master != null) {
            removeReplica(myself.master, myself);
        }
        myself.master = n;
        addReplica(n, myself);
        changed();
    }

    /** Redis's clusterMastersHaveSlaves. */
    boolean mastersHaveReplicas() {
        for (ClusterNode n : nodes.values()) {
            if (!n.isReplica() && !n.replicas.isEmpty()) return true;
        }
        return false;
    }

    /** Redis's clusterNodeSetSlotBit: the old bit. */
    boolean setSlotBit(ClusterNode n, int slot) {
        boolean old = Slots.test(n.slots, slot);
        if (!old) {
            Slots.set(n.slots, slot);
            n.numSlots++;
            // a master's first slot makes it a replica-migration target, if any master has replicas
            if (n.numSlots == 1 && mastersHaveReplicas()) n.flags |= ClusterNode.MIGRATE_TO;
        }
        return old;
    }

    boolean clearSlotBit(ClusterNode n, int slot) {
        boolean old = Slots.test(n.slots, slot);
        if (old) {
            Slots.clear(n.slots, slot);
            n.numSlots--;
        }
        return old;
    }

    /** Redis's clusterAddSlot: false when the slot is already assigned. */
    public synchronized boolean addSlot(ClusterNode n, int slot) {
        if (slots[slot] != null) return false;
        setSlotBit(n, slot);
        slots[slot] = n;
        changed();
        return true;
    }

    /** Redis's clusterDelSlot: false when the slot was unassigned. */
    public synchronized boolean delSlot(int slot) {
        ClusterNode n = slots[slot];
        if (n == null) return false;
        if (slotListener != null) {
            ClusterNode primary = n.isMaster() ? n : n.master;
            if (primary == myself || (myself != null && myself.master == primary)) slotListener.slotDeleted(slot);
        }
        clearSlotBit(n, slot);
        slots[slot] = null;
        changed();
        return true;
    }

    /** Redis's clusterDelNodeSlots: how many were deleted. */
    public synchronized int delNodeSlots(ClusterNode node) {
        int deleted = 0;
        for (int j = 0; j < Slots.COUNT; j++) {
            if (Slots.test(node.slots, j)) {
                delSlot(j);
                deleted++;
            }
        }
        return deleted;
    }

    /** SETSLOT MIGRATING (node) or its end (null). */
    public synchronized void setMigrating(int slot, ClusterNode to) {
        migratingTo[slot] = to;
        changed();
    }

    /** SETSLOT IMPORTING (node) or its end (null). */
    public synchronized void setImporting(int slot, ClusterNode from) {
        importingFrom[slot] = from;
        changed();
    }

    /** Redis's clusterCloseAllSlots. */
    public synchronized void closeAllSlots() {
        java.util.Arrays.fill(migratingTo, null);
        java.util.Arrays.fill(importingFrom, null);
        changed();
    }

    /** What the server does when a slot this node (or its master) served is unassigned. */
    public interface SlotListener {
        /** Redis's removeChannelsInSlot: shard channels of the slot are unsubscribed. */
        void slotDeleted(int slot);
    }

    private SlotListener slotListener;

    // Redis's CLUSTER_TODO_* flags: work deferred to the end of the current event (the engine's
    // beforeSleep), so a burst of changes saves nodes.conf and re-evaluates the state once
    public static final int TODO_HANDLE_FAILOVER = 1;
    public static final int TODO_UPDATE_STATE = 1 << 1;
    public static final int TODO_SAVE_CONFIG = 1 << 2;
    public static final int TODO_FSYNC_CONFIG = 1 << 3;
    public static final int TODO_HANDLE_MANUALFAILOVER = 1 << 4;

    int todo;

    /** Redis's clusterDoBeforeSleep: asks the engine to do {@code flags} once this change is done. */
    public synchronized void todo(int flags) { todo |= flags; }

    /** The deferred work asked for and not done yet (TODO_* flags). */
    public synchronized int todo() { return todo; }

    /** Marks deferred work {@code flags} as done. */
    public synchronized void done(int flags) { todo &= ~flags; }

    // ---------------------------------------------------------------- cluster_state

    /** Redis's CLUSTER_MAX_REJOIN_DELAY, CLUSTER_MIN_REJOIN_DELAY and CLUSTER_WRITABLE_DELAY (ms). */
    static final long MAX_REJOIN_DELAY = 5000;
    static final long MIN_REJOIN_DELAY = 500;
    static final long WRITABLE_DELAY = 2000;

    /** clusterUpdateState's statics: its first call, and when it last found us in a minority. */
    private long firstUpdateTime;
    private long amongMinorityTime;

    /**
     * Redis 7.0's clusterUpdateState, called with the current time (ms) where Redis calls it
     * (beforeSleep when TODO_UPDATE_STATE is asked, the cluster cron): cluster_state turns FAIL
     * when a slot is unassigned or its master failed (with cluster-require-full-coverage) or when
     * fewer than a majority of the masters serving slots are reachable; the size is recounted. A
     * master waits CLUSTER_WRITABLE_DELAY after the first call before it turns OK (it may have
     * rebooted with a stale table), and, back from a minority partition, a rejoin delay
     * (cluster-node-timeout within 500..5000 ms) before it accepts queries again.
     */
    public synchronized void updateState(long now) {
        todo &= ~TODO_UPDATE_STATE;
        if (firstUpdateTime == 0) firstUpdateTime = now;
        if (myself.isMaster() && state == FAIL && now - firstUpdateTime < WRITABLE_DELAY) return;
        int newState = OK;
        if (options.requireFullCoverage) {
            for (int j = 0; j < Slots.COUNT; j++) {
                if (slots[j] == null || slots[j].is(ClusterNode.FAIL)) {
                    newState = FAIL;
                    break;
                }
            }
        }
        int reachableMasters = 0;
        size = 0;
        for (ClusterNode node : nodes.values()) {
            if (node.isMaster() && node.numSlots != 0) {
                size++;
                if ((node.flags & (ClusterNode.FAIL | ClusterNode.PFAIL)) == 0) reachableMasters++;
            }
        }
        int neededQuorum = size / 2 + 1;
        if (reachableMasters < neededQuorum) {
            newState = FAIL;
            amongMinorityTime = now;
        }
        if (newState != state) {
            long rejoinDelay = Math.max(MIN_REJOIN_DELAY, Math.min(MAX_REJOIN_DELAY, options.nodeTimeout));
            if (newState == OK && myself.isMaster() && now - amongMinorityTime < rejoinDelay) return;
            log.accept("Cluster state changed: " + (newState == OK ? "ok" : "fail"));
            state = newState;
            changed();
        }
    }

    /** Redis's clusterGetMaxEpoch: the greatest config epoch known, or the current epoch. */
    public synchronized long maxEpoch() {
        long max = 0;
        for (ClusterNode n : nodes.values()) max = Math.max(max, n.configEpoch);
        return Math.max(max, currentEpoch);
    }

    /**
     * Redis's clusterBumpConfigEpochWithoutConsensus (SETSLOT NODE after an import, forced
     * failovers): a new config epoch for this node unless it already has the greatest.
     */
    public synchronized boolean bumpEpochWithoutConsensus() {
        long max = maxEpoch();
        if (myself.configEpoch == 0 || myself.configEpoch != max) {
            currentEpoch++;
            myself.configEpoch = currentEpoch;
            todo(TODO_SAVE_CONFIG | TODO_FSYNC_CONFIG);
            log.accept("New configEpoch set to " + myself.configEpoch);
            return true;
        }
        return false;
    }

    /** CLUSTER SET-CONFIG-EPOCH on a node alone: its config epoch, and the current epoch at least that. */
    public synchronized void setConfigEpoch(long epoch) {
        myself.configEpoch = epoch;
        log.accept("configEpoch set to " + Long.toUnsignedString(epoch) + " via CLUSTER SET-CONFIG-EPOCH");
        if (Long.compareUnsigned(currentEpoch, epoch) < 0) currentEpoch = epoch;
        changed();
    }

    /** Where the engine's log lines go (the server's log at WARNING, as Redis logs these). */
    java.util.function.Consumer<String> log = m -> {};

    public synchronized void log(java.util.function.Consumer<String> sink) { this.log = sink; }

    public synchronized void slotListener(SlotListener l) { this.slotListener = l; }
}
