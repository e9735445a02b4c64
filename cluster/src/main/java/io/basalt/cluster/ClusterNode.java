package io.basalt.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of the cluster as this node knows it (Redis's {@code clusterNode}): its name, flags,
 * epoch, slots, role and addresses, and the timing of the bus traffic with it. Mutated only with
 * the {@link ClusterState} monitor held; the data path reads the few fields it needs (addresses,
 * flags) without it, so those are volatile.
 */
public final class ClusterNode {
    // Redis's CLUSTER_NODE_* flags, with their wire values (they travel in the bus header)
    public static final int MASTER = 1;
    public static final int SLAVE = 2;
    public static final int PFAIL = 4;
    public static final int FAIL = 8;
    public static final int MYSELF = 16;
    public static final int HANDSHAKE = 32;
    public static final int NOADDR = 64;
    public static final int MEET = 128;
    public static final int MIGRATE_TO = 256;
    public static final int NOFAILOVER = 512;

    /** The 40 hex characters naming the node (random at creation, renamed after a handshake). */
    public volatile String name;
    public volatile int flags;
    public long ctime;
    public long configEpoch;
    /** The slots this node claims, as Redis's bitmap (bit j of byte i is slot i*8+j). */
    public final byte[] slots = new byte[Slots.BYTES];
    public int numSlots;
    public final List<ClusterNode> replicas = new ArrayList<>();
    /** The master of a replica (may be null for a replica whose master is unknown). */
    public volatile ClusterNode master;
    public long lastInPingGossip;
    public long pingSent;
    public long pongReceived;
    public long dataReceived;
    public long failTime;
    public long votedTime;
    public long replOffsetTime;
    public long orphanedTime;
    public volatile long replOffset;
    public volatile String ip = "";
    /** The announced hostname, "" when none. */
    public volatile String hostname = "";
    /** The client port (TLS or plain), the plain port when the first is TLS, and the bus port. */
    public volatile int port;
    public volatile int pport;
    public volatile int cport;
    /** The outgoing link to this node and the one it opened to us (Object: the bus owns the type). */
    public Object link;
    public Object inboundLink;
    /** Who reported this node as failing and when (Redis's fail_reports). */
    public final Map<ClusterNode, Long> failReports = new LinkedHashMap<>();

    public ClusterNode(String name, int flags, long now) {
        this.name = name;
        this.flags = flags;
        this.ctime = now;
    }

    public boolean is(int flag) { return (flags & flag) != 0; }
    public boolean isMaster() { return is(MASTER); }
    public boolean isReplica() { return is(SLAVE); }
    public boolean isMyself() { return is(MYSELF); }
    public boolean inHandshake() { return is(HANDSHAKE); }
    public boolean hasAddr() { return !is(NOADDR); }
    public boolean timedOut() { return is(PFAIL); }
    public boolean failed() { return is(FAIL); }
    public boolean cantFailover() { return is(NOFAILOVER); }

    public boolean hasSlot(int slot) { return Slots.test(slots, slot); }

    /**
     * Where clients are sent for this node (Redis's getPreferredEndpoint): its ip, its hostname
     * ("?" when it has none) or "?" for unknown-endpoint.
     */
    public String endpoint(EndpointType type) {
        switch (type) {
            case HOSTNAME: return hostname.isEmpty() ? "?" : hostname;
            case UNKNOWN_ENDPOINT: return "?";
            default: return ip;
        }
    }

    /** Non-failing replicas (Redis's clusterCountNonFailingSlaves). */
    public int nonFailingReplicas() {
        int n = 0;
        for (ClusterNode r : replicas) if (!r.failed()) n++;
        return n;
    }

    @Override
    public String toString() { return name + " " + ip + ":" + port; }
}
