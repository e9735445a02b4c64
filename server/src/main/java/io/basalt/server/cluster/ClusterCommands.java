package io.basalt.server.cluster;

import io.basalt.cluster.BusLink;
import io.basalt.cluster.ClusterEngine;
import io.basalt.cluster.ClusterMsg;
import io.basalt.cluster.ClusterNode;
import io.basalt.cluster.ClusterState;
import io.basalt.cluster.EndpointType;
import io.basalt.cluster.Slots;
import io.basalt.resp.RespRequest;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandHelp;
import io.basalt.server.command.CommandTable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The CLUSTER subcommands about nodes, topology and epochs (Redis's clusterCommand): INFO, MYID,
 * NODES, SLOTS, SHARDS, MEET, FORGET, REPLICATE, REPLICAS/SLAVES, COUNT-FAILURE-REPORTS, FAILOVER,
 * RESET, SAVECONFIG, SET-CONFIG-EPOCH, BUMPEPOCH, LINKS and HELP, with Redis's replies and errors.
 * The slot subcommands are {@link ClusterSlotCommands}'. Each runs with the cluster state locked
 * and ends with the engine's deferred work (nodes.conf saved, state re-evaluated) before its
 * reply, as Redis's beforeSleep runs before the next command is read.
 */
public final class ClusterCommands {
    private ClusterCommands() {}

    static final String DISABLED = "ERR This instance has cluster support disabled";

    /** What the commands need from the server besides the engine. */
    public interface Node {
        /** This node's replication offset (master_repl_offset, or processed as a replica). */
        long replicationOffset();

        /** Keys in database {@code db}. */
        long keys(int db);

        /** Empties every database (CLUSTER RESET of a replica). */
        void emptyData();
    }

    public static void register(CommandTable t, Supplier<ClusterEngine> engine, Node node) {
        t.register("cluster|help", (c, a) -> {
            if (engine.get() == null) {
                c.error(DISABLED);
                return;
            }
            help(c);
        });
        reg(t, "cluster|info", engine, (e, c, a) -> info(e, c));
        reg(t, "cluster|myid", engine, (e, c, a) -> c.out().bulk(e.state().myself().name));
        reg(t, "cluster|nodes", engine, (e, c, a) -> c.out().verbatim("txt", e.nodesDescription(e.tlsCluster() && !c.tls()).getBytes(StandardCharsets.ISO_8859_1)));
        reg(t, "cluster|slots", engine, (e, c, a) -> slots(e, node, c));
        reg(t, "cluster|shards", engine, (e, c, a) -> shards(e, node, c));
        reg(t, "cluster|meet", engine, (e, c, a) -> meet(e, c, a));
        reg(t, "cluster|forget", engine, (e, c, a) -> forget(e, c, a));
        reg(t, "cluster|replicate", engine, (e, c, a) -> replicate(e, node, c, a));
        reg(t, "cluster|replicas", engine, (e, c, a) -> replicas(e, c, a));
        reg(t, "cluster|slaves", engine, (e, c, a) -> replicas(e, c, a));
        reg(t, "cluster|count-failure-reports", engine, (e, c, a) -> {
            ClusterNode n = e.state().lookup(a.string(2));
            if (n == null) c.error("ERR Unknown node " + a.string(2));
            else c.out().integer(e.failureReportsCount(n));
        });
        reg(t, "cluster|failover", engine, (e, c, a) -> failover(e, c, a));
        t.register("cluster|reset", (c, a) -> {
            ClusterEngine e = engine.get();
            if (e == null) {
                c.error(DISABLED);
                return;
            }
            boolean wasReplica;
            synchronized (e.state()) {
                wasReplica = reset(e, node, c, a);
            }
            // a replica's data goes (Redis's emptyData), with every shard locked: never under
            // the cluster monitor (a thread holding shards may be waiting for it)
            if (wasReplica) node.emptyData();
            e.beforeSleep();
        });
        reg(t, "cluster|saveconfig", engine, (e, c, a) -> {
            try {
                e.saveConfig(true);
                c.out().ok();
            } catch (java.io.IOException ex) {
                c.error("ERR error saving the cluster node config: " + ex.getMessage());
            }
        });
        reg(t, "cluster|set-config-epoch", engine, (e, c, a) -> setConfigEpoch(e, c, a));
        reg(t, "cluster|bumpepoch", engine, (e, c, a) -> {
            boolean bumped = e.state().bumpEpochWithoutConsensus();
            c.out().simple((bumped ? "BUMPED " : "STILL ") + Long.toUnsignedString(e.state().myself().configEpoch));
        });
        reg(t, "cluster|links", engine, (e, c, a) -> links(e, c));
    }

    interface Sub {
        void run(ClusterEngine e, Client c, RespRequest a);
    }

    /** Registers a subcommand that runs with the state locked, then the deferred work. */
    private static void reg(CommandTable t, String name, Supplier<ClusterEngine> engine, Sub sub) {
        t.register(name, (c, a) -> {
            ClusterEngine e = engine.get();
            if (e == null) {
                c.error(DISABLED);
                return;
            }
            synchronized (e.state()) {
                sub.run(e, c, a);
            }
            e.beforeSleep();
        });
    }

    private static void help(Client c) {
        CommandHelp.reply(c, "CLUSTER",
                "ADDSLOTS <slot> [<slot> ...]",
                "    Assign slots to current node.",
                "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
                "    Assign slots which are between <start-slot> and <end-slot> to current node.",
                "BUMPEPOCH",
                "    Advance the cluster config epoch.",
                "COUNT-FAILURE-REPORTS <node-id>",
                "    Return number of failure reports for <node-id>.",
                "COUNTKEYSINSLOT <slot>",
                "    Return the number of keys in <slot>.",
                "DELSLOTS <slot> [<slot> ...]",
                "    Delete slots information from current node.",
                "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
                "    Delete slots information which are between <start-slot> and <end-slot> from current node.",
                "FAILOVER [FORCE|TAKEOVER]",
                "    Promote current replica node to being a master.",
                "FORGET <node-id>",
                "    Remove a node from the cluster.",
                "GETKEYSINSLOT <slot> <count>",
                "    Return key names stored by current node in a slot.",
                "FLUSHSLOTS",
                "    Delete current node own slots information.",
                "INFO",
                "    Return information about the cluster.",
                "KEYSLOT <key>",
                "    Return the hash slot for <key>.",
                "MEET <ip> <port> [<bus-port>]",
                "    Connect nodes into a working cluster.",
                "MYID",
                "    Return the node id.",
                "NODES",
                "    Return cluster configuration seen by node. Output format:",
                "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
                "REPLICATE <node-id>",
                "    Configure current node as replica to <node-id>.",
                "RESET [HARD|SOFT]",
                "    Reset current node (default: soft).",
                "SET-CONFIG-EPOCH <epoch>",
                "    Set config epoch of current node.",
                "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
                "    Set slot state.",
                "REPLICAS <node-id>",
                "    Return <node-id> replicas.",
                "SAVECONFIG",
                "    Force saving cluster configuration on disk.",
                "SLOTS",
                "    Return information about slots range mappings. Each range is made of:",
                "    start, end, master and replicas IP addresses, ports and ids",
                "SHARDS",
                "    Return information about slot range mappings and the nodes associated with them.",
                "LINKS",
                "    Return information about all network links between this node and its peers.",
                "    Output format is an array where each array element is a map containing attributes of a link");
    }

    private static void info(ClusterEngine e, Client c) {
        ClusterState cs = e.state();
        int assigned = 0, ok = 0, pfail = 0, fail = 0;
        for (int j = 0; j < Slots.COUNT; j++) {
            ClusterNode n = cs.slotOwner(j);
            if (n == null) continue;
            assigned++;
            if (n.failed()) fail++;
            else if (n.timedOut()) pfail++;
            else ok++;
        }
        ClusterNode me = cs.myself();
        long myEpoch = me.isReplica() && me.master != null ? me.master.configEpoch : me.configEpoch;
        StringBuilder sb = new StringBuilder(512);
        sb.append("cluster_state:").append(cs.ok() ? "ok" : "fail").append("\r\n")
                .append("cluster_slots_assigned:").append(assigned).append("\r\n")
                .append("cluster_slots_ok:").append(ok).append("\r\n")
                .append("cluster_slots_pfail:").append(pfail).append("\r\n")
                .append("cluster_slots_fail:").append(fail).append("\r\n")
                .append("cluster_known_nodes:").append(cs.nodes().size()).append("\r\n")
                .append("cluster_size:").append(cs.size()).append("\r\n")
                .append("cluster_current_epoch:").append(Long.toUnsignedString(cs.currentEpoch())).append("\r\n")
                .append("cluster_my_epoch:").append(Long.toUnsignedString(myEpoch)).append("\r\n");
        long[] sent = e.messagesSent();
        long[] received = e.messagesReceived();
        long total = 0;
        for (int i = 0; i < sent.length; i++) {
            if (sent[i] == 0) continue;
            total += sent[i];
            sb.append("cluster_stats_messages_").append(ClusterMsg.typeName(i)).append("_sent:").append(sent[i]).append("\r\n");
        }
        sb.append("cluster_stats_messages_sent:").append(total).append("\r\n");
        total = 0;
        for (int i = 0; i < received.length; i++) {
            if (received[i] == 0) continue;
            total += received[i];
            sb.append("cluster_stats_messages_").append(ClusterMsg.typeName(i)).append("_received:").append(received[i]).append("\r\n");
        }
        sb.append("cluster_stats_messages_received:").append(total).append("\r\n");
        sb.append("total_cluster_links_buffer_limit_exceeded:").append(e.linksBufferLimitExceeded()).append("\r\n");
        c.out().verbatim("txt", sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Redis's isReplicaAvailable: CLUSTER SLOTS leaves out failed replicas and those with no data yet. */
    private static boolean replicaAvailable(ClusterNode n, Node node) {
        if (n.failed()) return false;
        long off = n.isMyself() ? node.replicationOffset() : n.replOffset;
        return off != 0;
    }

    private static void nodeEntry(ClusterEngine e, Client c, ClusterNode n) {
        RespWriter w = c.out();
        EndpointType type = e.state().options().preferredEndpointType;
        w.array(4);
        if (type == EndpointType.IP) w.bulk(n.ip);
        else if (type == EndpointType.HOSTNAME) w.bulk(n.hostname.isEmpty() ? "?" : n.hostname);
        else w.nullBulk();
        w.integer(e.portFor(n, c.tls()));
        w.bulk(n.name);
        int length = 0;
        if (type != EndpointType.IP) length++;
        if (type != EndpointType.HOSTNAME && !n.hostname.isEmpty()) length++;
        w.map(length);
        if (type != EndpointType.IP) {
            w.bulk("ip");
            w.bulk(n.ip);
        }
        if (type != EndpointType.HOSTNAME && !n.hostname.isEmpty()) {
            w.bulk("hostname");
            w.bulk(n.hostname);
        }
    }

    /** CLUSTER SLOTS: one entry per maximal range of one master, with its available replicas. */
    private static void slots(ClusterEngine e, Node node, Client c) {
        ClusterState cs = e.state();
        List<int[]> ranges = new ArrayList<>();
        List<ClusterNode> owners = new ArrayList<>();
        ClusterNode cur = null;
        int start = -1;
        for (int i = 0; i <= Slots.COUNT; i++) {
            ClusterNode n = i < Slots.COUNT ? cs.slotOwner(i) : null;
            if (n == cur) continue;
            if (cur != null) {
                ranges.add(new int[] {start, i - 1});
                owners.add(cur);
            }
            cur = n;
            start = i;
        }
        c.out().array(ranges.size());
        for (int k = 0; k < ranges.size(); k++) {
            ClusterNode m = owners.get(k);
            List<ClusterNode> replicas = new ArrayList<>();
            for (ClusterNode r : m.replicas) if (replicaAvailable(r, node)) replicas.add(r);
            c.out().array(3 + replicas.size());
            c.out().integer(ranges.get(k)[0]);
            c.out().integer(ranges.get(k)[1]);
            nodeEntry(e, c, m);
            for (ClusterNode r : replicas) nodeEntry(e, c, r);
        }
    }

    /** CLUSTER SHARDS: per master, its slot ranges and the details of it and its replicas. */
    private static void shards(ClusterEngine e, Node node, Client c) {
        ClusterState cs = e.state();
        java.util.Map<ClusterNode, List<int[]>> ranges = new java.util.IdentityHashMap<>();
        ClusterNode cur = null;
        int start = -1;
        for (int i = 0; i <= Slots.COUNT; i++) {
            ClusterNode n = i < Slots.COUNT ? cs.slotOwner(i) : null;
            if (n == cur) continue;
            if (cur != null) ranges.computeIfAbsent(cur, k -> new ArrayList<>()).add(new int[] {start, i - 1});
            cur = n;
            start = i;
        }
        List<ClusterNode> masters = new ArrayList<>();
        for (ClusterNode n : cs.nodes()) if (n.isMaster()) masters.add(n);
        RespWriter w = c.out();
        w.array(masters.size());
        for (ClusterNode m : masters) {
            w.map(2);
            w.bulk("slots");
            List<int[]> rs = ranges.getOrDefault(m, List.of());
            w.array(rs.size() * 2);
            for (int[] r : rs) {
                w.integer(r[0]);
                w.integer(r[1]);
            }
            w.bulk("nodes");
            List<ClusterNode> shard = new ArrayList<>();
            shard.add(m);
            shard.addAll(m.replicas);
            w.array(shard.size());
            for (ClusterNode n : shard) shardNode(e, node, c, n);
        }
    }

    private static void shardNode(ClusterEngine e, Node node, Client c, ClusterNode n) {
        RespWriter w = c.out();
        long offset = n.isMyself() ? node.replicationOffset() : n.replOffset;
        boolean host = !n.hostname.isEmpty();
        // with tls-cluster a node's port is its TLS port, its plaintext one is pport (Redis 7.0)
        int plaintextPort = e.tlsCluster() ? n.pport : n.port;
        int tlsPort = e.tlsCluster() ? n.port : 0;
        w.map(6 + (host ? 1 : 0) + (plaintextPort != 0 ? 1 : 0) + (tlsPort != 0 ? 1 : 0));
        w.bulk("id");
        w.bulk(n.name);
        if (plaintextPort != 0) {
            w.bulk("port");
            w.integer(plaintextPort);
        }
        if (tlsPort != 0) {
            w.bulk("tls-port");
            w.integer(tlsPort);
        }
        w.bulk("ip");
        w.bulk(n.ip);
        w.bulk("endpoint");
        EndpointType type = e.state().options().preferredEndpointType;
        w.bulk(type == EndpointType.UNKNOWN_ENDPOINT ? "" : n.endpoint(type));
        if (host) {
            w.bulk("hostname");
            w.bulk(n.hostname);
        }
        w.bulk("role");
        w.bulk(n.isReplica() ? "replica" : "master");
        w.bulk("replication-offset");
        w.integer(offset);
        w.bulk("health");
        w.bulk(n.failed() ? "fail" : n.isReplica() && offset == 0 ? "loading" : "online");
    }

    /** CLUSTER MEET ip port [bus-port]. */
    private static void meet(ClusterEngine e, Client c, RespRequest a) {
        Long port = strictLong(a.string(3));
        if (port == null) {
            c.error("ERR Invalid TCP base port specified: " + a.string(3));
            return;
        }
        long cport;
        if (a.argc() == 5) {
            Long cp = strictLong(a.string(4));
            if (cp == null) {
                c.error("ERR Invalid TCP bus port specified: " + a.string(4));
                return;
            }
            cport = cp;
        } else {
            cport = port + 10000;
        }
        String err = (port > 65535 || cport > 65535) ? "EINVAL"
                : e.startHandshake(a.string(2), (int) (long) port, (int) cport, System.currentTimeMillis());
        if ("EINVAL".equals(err)) c.error("ERR Invalid node address specified: " + a.string(2) + ":" + a.string(3));
        else c.out().ok();
    }

    /** Redis's string2ll: an optional '-', digits, no leading zeros or spaces, fits a long. */
    static Long strictLong(String s) {
        if (s.isEmpty() || s.length() > 20) return null;
        if (s.length() > 1 && (s.charAt(0) == '0' || (s.charAt(0) == '-' && s.charAt(1) == '0'))) return null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!(Character.isDigit(ch) || (i == 0 && ch == '-' && s.length() > 1))) return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    private static void forget(ClusterEngine e, Client c, RespRequest a) {
        ClusterState cs = e.state();
        ClusterNode n = cs.lookup(a.string(2));
        ClusterNode me = cs.myself();
        if (n == null) {
            c.error("ERR Unknown node " + a.string(2));
        } else if (n == me) {
            c.error("ERR I tried hard but I can't forget myself...");
        } else if (me.isReplica() && me.master == n) {
            c.error("ERR Can't forget my master!");
        } else {
            e.blacklistAdd(n, System.currentTimeMillis());
            e.delNode(n);
            cs.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
            c.out().ok();
        }
    }

    private static void replicate(ClusterEngine e, Node node, Client c, RespRequest a) {
        ClusterState cs = e.state();
        ClusterNode n = cs.lookup(a.string(2));
        ClusterNode me = cs.myself();
        if (n == null) {
            c.error("ERR Unknown node " + a.string(2));
        } else if (n == me) {
            c.error("ERR Can't replicate myself");
        } else if (n.isReplica()) {
            c.error("ERR I can only replicate a master, not a replica.");
        } else if (me.isMaster() && (me.numSlots != 0 || node.keys(0) != 0)) {
            c.error("ERR To set a master the node must be empty and without assigned slots.");
        } else {
            e.setMaster(n);
            cs.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
            c.out().ok();
        }
    }

    private static void replicas(ClusterEngine e, Client c, RespRequest a) {
        ClusterNode n = e.state().lookup(a.string(2));
        if (n == null) {
            c.error("ERR Unknown node " + a.string(2));
            return;
        }
        if (n.isReplica()) {
            c.error("ERR The specified node is not a master");
            return;
        }
        c.out().array(n.replicas.size());
        for (ClusterNode r : n.replicas) c.out().bulk(e.nodeDescription(r, e.tlsCluster() && !c.tls()));
    }

    private static void failover(ClusterEngine e, Client c, RespRequest a) {
        if (a.argc() > 3) {
            CommandHelp.syntaxError(c, a);
            return;
        }
        boolean force = false, takeover = false;
        if (a.argc() == 3) {
            if (a.is(2, "force")) {
                force = true;
            } else if (a.is(2, "takeover")) {
                takeover = true;
                force = true;
            } else {
                c.error("ERR syntax error");
                return;
            }
        }
        ClusterNode me = e.state().myself();
        if (me.isMaster()) {
            c.error("ERR You should send CLUSTER FAILOVER to a replica");
        } else if (me.master == null) {
            c.error("ERR I'm a replica but my master is unknown to me");
        } else if (!force && (me.master.failed() || me.master.link == null)) {
            c.error("ERR Master is down or failed, please use CLUSTER FAILOVER FORCE");
        } else {
            e.manualFailover(force, takeover, System.currentTimeMillis());
            c.out().ok();
        }
    }

    /** CLUSTER RESET with the state locked: whether this node was a replica (its data must go). */
    private static boolean reset(ClusterEngine e, Node node, Client c, RespRequest a) {
        if (a.argc() > 3) {
            CommandHelp.syntaxError(c, a);
            return false;
        }
        boolean hard = false;
        if (a.argc() == 3) {
            if (a.is(2, "hard")) hard = true;
            else if (!a.is(2, "soft")) {
                c.error("ERR syntax error");
                return false;
            }
        }
        if (e.state().myself().isMaster() && node.keys(c.db()) != 0) {
            c.error("ERR CLUSTER RESET can't be called with master nodes containing keys");
            return false;
        }
        boolean wasReplica = e.reset(hard);
        c.out().ok();
        return wasReplica;
    }

    private static void setConfigEpoch(ClusterEngine e, Client c, RespRequest a) {
        Long epoch = strictLong(a.string(2));
        if (epoch == null) {
            c.error("ERR value is not an integer or out of range");
            return;
        }
        ClusterState cs = e.state();
        ClusterNode me = cs.myself();
        if (epoch < 0) {
            c.error("ERR Invalid config epoch specified: " + epoch);
        } else if (cs.nodes().size() > 1) {
            c.error("ERR The user can assign a config epoch only when the node does not know any other node.");
        } else if (me.configEpoch != 0) {
            c.error("ERR Node config epoch is already non-zero");
        } else {
            cs.setConfigEpoch(epoch);
            cs.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
            c.out().ok();
        }
    }

    private static void links(ClusterEngine e, Client c) {
        List<BusLink> links = e.links();
        RespWriter w = c.out();
        w.array(links.size());
        for (BusLink l : links) {
            w.map(6);
            w.bulk("direction");
            w.bulk(l.inbound() ? "from" : "to");
            w.bulk("node");
            w.bulk(l.node().name);
            w.bulk("create-time");
            w.integer(l.ctime());
            w.bulk("events");
            w.bulk(l.sendBufferBytes() > 0 ? "rw" : "r");
            long used = l.sendBufferBytes();
            w.bulk("send-buffer-allocated");
            w.integer(used);
            w.bulk("send-buffer-used");
            w.integer(used);
        }
    }
}
