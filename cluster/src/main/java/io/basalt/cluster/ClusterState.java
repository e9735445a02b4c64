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
    volatile int state = FAIL;
    int size;
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

    /** Marks a change of the tables visible to the data path. */
    void changed() { version++; }
}
