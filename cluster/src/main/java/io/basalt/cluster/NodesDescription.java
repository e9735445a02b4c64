package io.basalt.cluster;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text form of the node table (Redis's clusterGenNodesDescription): one line per node,
 * {@code <id> <ip>:<port>@<cport>[,<hostname>] <flags> <master|-> <ping-sent> <pong-recv>
 * <config-epoch> <link-state> <slots...>}, the reply of CLUSTER NODES and the body of
 * nodes.conf. Called with the state's monitor held.
 */
final class NodesDescription {
    private NodesDescription() {}

    private static final int[] FLAG_BITS = {ClusterNode.MYSELF, ClusterNode.MASTER, ClusterNode.SLAVE,
        ClusterNode.PFAIL, ClusterNode.FAIL, ClusterNode.HANDSHAKE, ClusterNode.NOADDR, ClusterNode.NOFAILOVER};
    private static final String[] FLAG_NAMES = {"myself", "master", "slave", "fail?", "fail", "handshake",
        "noaddr", "nofailover"};

    /** Redis's representClusterNodeFlags ("noflags" when none is set). */
    static String flags(int flags) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < FLAG_BITS.length; i++) {
            if ((flags & FLAG_BITS[i]) != 0) sb.append(FLAG_NAMES[i]).append(',');
        }
        if (sb.length() == 0) return "noflags";
        sb.setLength(sb.length() - 1);
        return sb.toString();
    }

    /** All nodes but those with a flag in {@code filter}, each line ending in '\n'. */
    static String describe(ClusterState cs, int filter, boolean usePport) {
        Map<ClusterNode, List<int[]>> ranges = slotRanges(cs);
        StringBuilder sb = new StringBuilder(256 * cs.nodes.size());
        for (ClusterNode n : cs.nodes.values()) {
            if ((n.flags & filter) == 0) {
                describe(cs, n, usePport, ranges.get(n), sb);
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** One node's line, without the '\n'. */
    static String describe(ClusterState cs, ClusterNode n, boolean usePport) {
        StringBuilder sb = new StringBuilder(256);
        describe(cs, n, usePport, slotRanges(cs).get(n), sb);
        return sb.toString();
    }

    /** The maximal ranges of the slot table, per owner (Redis's clusterGenNodesSlotsInfo). */
    static Map<ClusterNode, List<int[]>> slotRanges(ClusterState cs) {
        Map<ClusterNode, List<int[]>> out = new IdentityHashMap<>();
        ClusterNode cur = null;
        int start = -1;
        for (int s = 0; s <= Slots.COUNT; s++) {
            ClusterNode n = s < Slots.COUNT ? cs.slots[s] : null;
            if (n == cur) continue;
            if (cur != null) out.computeIfAbsent(cur, k -> new ArrayList<>()).add(new int[] {start, s - 1});
            cur = n;
            start = s;
        }
        return out;
    }

    private static void describe(ClusterState cs, ClusterNode node, boolean usePport, List<int[]> rs, StringBuilder ci) {
        int port = usePport && node.pport != 0 ? node.pport : node.port;
        ci.append(node.name).append(' ').append(node.ip).append(':').append(port).append('@').append(node.cport);
        if (!node.hostname.isEmpty()) ci.append(',').append(node.hostname);
        ci.append(' ').append(flags(node.flags)).append(' ');
        ClusterNode master = node.master;
        ci.append(master != null ? master.name : "-");
        long epoch = node.isReplica() && master != null ? master.configEpoch : node.configEpoch;
        ci.append(' ').append(node.pingSent).append(' ').append(node.pongReceived).append(' ')
                .append(Long.toUnsignedString(epoch)).append(' ')
                .append(node.link != null || node.isMyself() ? "connected" : "disconnected");
        if (rs != null) {
            for (int[] r : rs) appendRange(ci, r[0], r[1]);
        } else if (node.numSlots > 0) {
            // slots in the node's bitmap that the table gives to no one else (as Redis's fallback)
            int start = -1;
            for (int j = 0; j <= Slots.COUNT; j++) {
                boolean bit = j < Slots.COUNT && node.hasSlot(j);
                if (bit && start == -1) start = j;
                if (!bit && start != -1) {
                    appendRange(ci, start, j - 1);
                    start = -1;
                }
            }
        }
        if (node.isMyself()) {
            for (int j = 0; j < Slots.COUNT; j++) {
                if (cs.migratingTo[j] != null) {
                    ci.append(" [").append(j).append("->-").append(cs.migratingTo[j].name).append(']');
                } else if (cs.importingFrom[j] != null) {
                    ci.append(" [").append(j).append("-<-").append(cs.importingFrom[j].name).append(']');
                }
            }
        }
    }

    private static void appendRange(StringBuilder ci, int start, int end) {
        ci.append(' ').append(start);
        if (start != end) ci.append('-').append(end);
    }
}
