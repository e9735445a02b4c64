package io.basalt.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The cluster's behaviour, as Redis 7.0's cluster.c has it: the handshake (MEET), PING/PONG with
 * gossip, failure detection (PFAIL by timeout, FAIL by a majority of masters' reports), slot
 * configuration by config epochs (UPDATE messages, epoch collisions), replica elections and
 * manual failover, replica migration, and the deferred work (save nodes.conf, re-evaluate the
 * state) done once per event as clusterBeforeSleep does. Every method runs with the state's
 * monitor held; the bus ({@link ClusterBus}) calls in from its single event loop, CLUSTER commands
 * from client threads.
 */
public final class ClusterEngine {
    static final int FAIL_REPORT_VALIDITY_MULT = 2;
    static final int FAIL_UNDO_TIME_MULT = 2;
    static final long MF_TIMEOUT = 5000;
    static final int MF_PAUSE_MULT = 2;
    static final long REPLICA_MIGRATION_DELAY = 5000;
    static final long BLACKLIST_TTL = 60_000;

    static final int CANT_FAILOVER_NONE = 0;
    static final int CANT_FAILOVER_DATA_AGE = 1;
    static final int CANT_FAILOVER_WAITING_DELAY = 2;
    static final int CANT_FAILOVER_EXPIRED = 3;
    static final int CANT_FAILOVER_WAITING_VOTES = 4;
    static final long CANT_FAILOVER_RELOG_PERIOD = 300_000;

    final ClusterState cs;
    final ClusterOptions options;
    final ClusterHost host;
    final NodesConf conf;
    /** The bus transport; null in unit tests that drive the engine without sockets. */
    ClusterBus bus;

    final long[] sent = new long[ClusterMsg.TYPE_COUNT];
    final long[] received = new long[ClusterMsg.TYPE_COUNT];
    long statsPfailNodes;
    long linksBufferLimitExceeded;

    // elections (a replica's view)
    long failoverAuthTime;
    int failoverAuthCount;
    boolean failoverAuthSent;
    int failoverAuthRank;
    long failoverAuthEpoch;
    int cantFailoverReason = CANT_FAILOVER_NONE;
    private long cantFailoverLogTime;

    // manual failover
    long mfEnd;
    ClusterNode mfReplica;
    long mfMasterOffset = -1;
    boolean mfCanStart;

    /** Slots whose owner stopped claiming them in its pings (Redis's owner_not_claiming_slot). */
    final byte[] ownerNotClaimingSlot = new byte[Slots.BYTES];

    private long pingsSent;
    private long iteration;
    /** A debug filter: packets of this type are dropped (DEBUG DROP-CLUSTER-PACKET-FILTER). */
    volatile int dropPacketFilter = -1;

    /**
     * Whether the node ports are TLS ports (tls-cluster; Redis uses server.tls_cluster so): then a
     * client that is not on TLS is shown a node's plaintext port (pport) where it has one.
     */
    public boolean tlsCluster() { return host.tlsPort() != 0; }

    /** The port to show {@code tlsClient} for node {@code n} (Redis's use_pport). */
    public int portFor(ClusterNode n, boolean tlsClient) {
        return tlsCluster() && !tlsClient && n.pport != 0 ? n.pport : n.port;
    }

    public ClusterEngine(ClusterState cs, ClusterHost host, NodesConf conf) {
        this.cs = cs;
        this.options = cs.options;
        this.host = host;
        this.conf = conf;
        cs.log(m -> host.log("warning", m));
    }

    public ClusterState state() { return cs; }

    // ---------------------------------------------------------------- start-up

    /**
     * Redis's clusterInit after the state is allocated: loads nodes.conf, or makes this node a
     * new master with a random name and saves it. Throws for a locked or corrupt file (the
     * server refuses to start, as Redis exits).
     */
    public void init(long now) throws IOException, NodesConf.CorruptException {
        if (!conf.lock()) {
            throw new IOException("Sorry, the cluster configuration file " + conf.path().getFileName()
                    + " is already used by a different Redis Cluster node. Please make sure that different nodes use different cluster configuration files.");
        }
        synchronized (cs) {
            if (!conf.load(cs, now)) {
                ClusterNode me = new ClusterNode(ClusterState.randomName(), ClusterNode.MYSELF | ClusterNode.MASTER, now);
                cs.setMyself(me);
                host.log("notice", "No cluster configuration found, I'm " + me.name);
                saveConfigOrDie(true);
            } else {
                host.log("notice", "Node configuration loaded, I'm " + cs.myself.name);
            }
            updateAnnouncedPortsLocked();
            resetManualFailover();
            updateMyselfFlags();
            updateMyselfIp();
            updateMyselfHostname();
            cs.changed();
        }
    }

    /**
     * Redis's verifyClusterConfigWithData, after the data is loaded: a master takes the
     * unassigned slots it has keys for and marks as importing the ones another node owns (so
     * redis-cli --cluster fix sees them). False when a database other than 0 holds keys: the
     * server refuses to start.
     */
    public boolean verifyConfigWithData(java.util.function.IntPredicate slotHasKeys, boolean otherDatabasesHaveKeys) {
        synchronized (cs) {
            ClusterNode myself = cs.myself;
            if (myself.isReplica()) return true;
            if (otherDatabasesHaveKeys) return false;
            boolean update = false;
            for (int j = 0; j < Slots.COUNT; j++) {
                if (!slotHasKeys.test(j)) continue;
                if (cs.slots[j] == myself || cs.importingFrom[j] != null) continue;
                update = true;
                if (cs.slots[j] == null) {
                    host.log("notice", "I have keys for unassigned slot " + j + ". Taking responsibility for it.");
                    cs.addSlot(myself, j);
                } else {
                    host.log("notice", "I have keys for slot " + j + ", but the slot is assigned to another node. Setting it to importing state.");
                    cs.setImporting(j, cs.slots[j]);
                }
            }
            if (update) saveConfigOrDie(true);
            return true;
        }
    }

    /** Releases nodes.conf (at shutdown). */
    public void closeConf() { conf.unlock(); }

    /** Redis's deriveAnnouncedPorts into myself (at start, and when an announce directive changes). */
    public void updateMyselfAnnouncedPorts() {
        synchronized (cs) {
            updateAnnouncedPortsLocked();
        }
    }

    private void updateAnnouncedPortsLocked() {
        ClusterNode me = cs.myself;
        int[] p = announcedPorts();
        me.port = p[0];
        me.pport = p[1];
        me.cport = p[2];
    }

    /** {port, pport, cport} as announced: cluster-announce-* when set, else the real ones. */
    int[] announcedPorts() {
        int tls = host.tlsPort();
        int port = tls != 0 ? tls : host.port();
        int pport = tls != 0 ? host.port() : 0;
        int cport = bus != null ? bus.port() : cs.myself.cport;
        if (tls != 0 && options.announceTlsPort != 0) port = options.announceTlsPort;
        else if (tls == 0 && options.announcePort != 0) port = options.announcePort;
        if (tls != 0 && options.announcePort != 0) pport = options.announcePort;
        if (options.announceBusPort != 0) cport = options.announceBusPort;
        return new int[] {port, pport, cport};
    }

    /** Redis's clusterUpdateMyselfFlags: nofailover follows cluster-replica-no-failover. */
    public void updateMyselfFlags() {
        synchronized (cs) {
            ClusterNode me = cs.myself;
            int old = me.flags;
            if (options.replicaNoFailover) me.flags |= ClusterNode.NOFAILOVER;
            else me.flags &= ~ClusterNode.NOFAILOVER;
            if (old != me.flags) cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
        }
    }

    /** Redis's clusterUpdateMyselfIp: cluster-announce-ip when set. */
    public void updateMyselfIp() {
        synchronized (cs) {
            String ip = options.announceIp;
            if (!ip.isEmpty()) {
                if (!ip.equals(cs.myself.ip)) {
                    cs.myself.ip = ip;
                    cs.todo(ClusterState.TODO_SAVE_CONFIG);
                }
            } else if (lastAnnouncedIp != null && !lastAnnouncedIp.isEmpty()) {
                // the announced ip was removed: learn ours again from the next MEET
                cs.myself.ip = "";
                cs.todo(ClusterState.TODO_SAVE_CONFIG);
            }
            lastAnnouncedIp = ip;
        }
    }

    private String lastAnnouncedIp;

    /** Redis's clusterUpdateMyselfHostname. */
    public void updateMyselfHostname() {
        synchronized (cs) {
            String h = options.announceHostname;
            if (!h.equals(cs.myself.hostname)) {
                cs.myself.hostname = h;
                cs.todo(ClusterState.TODO_SAVE_CONFIG);
            }
        }
    }

    // ---------------------------------------------------------------- deferred work

    /** Redis's clusterBeforeSleep: the work the last event asked for. */
    public void beforeSleep() {
        int flags;
        synchronized (cs) {
            flags = cs.todo;
            cs.todo = 0;
            if ((flags & ClusterState.TODO_HANDLE_MANUALFAILOVER) != 0) {
                if (cs.myself.isReplica()) {
                    handleManualFailover();
                    handleReplicaFailover();
                }
            } else if ((flags & ClusterState.TODO_HANDLE_FAILOVER) != 0) {
                handleReplicaFailover();
            }
            if ((flags & ClusterState.TODO_UPDATE_STATE) != 0) updateState();
        }
        // the file is written after the monitor is released (NodesConf snapshots the tables under
        // it and orders the writes): an fsync must not stall the bus and every client that needs
        // the tables meanwhile. The caller still returns only once the file is written.
        if ((flags & ClusterState.TODO_SAVE_CONFIG) != 0) {
            saveConfigOrDie((flags & ClusterState.TODO_FSYNC_CONFIG) != 0);
        }
    }

    /** Saves nodes.conf; a node that cannot record its configuration stops, as Redis does. */
    public void saveConfigOrDie(boolean fsync) {
        try {
            saveConfig(fsync);
        } catch (IOException e) {
            host.log("warning", "Fatal: can't update cluster config file.");
            fatal.accept(e);
        }
    }

    /** nodes.conf now; false (logged by the caller) when it cannot be written. */
    public void saveConfig(boolean fsync) throws IOException {
        synchronized (cs) {
            cs.todo &= ~(ClusterState.TODO_SAVE_CONFIG | (fsync ? ClusterState.TODO_FSYNC_CONFIG : 0));
        }
        conf.save(cs, fsync);
    }

    /** What a fatal error does (the server exits, as Redis's exit(1)). */
    java.util.function.Consumer<Throwable> fatal = e -> {
        throw new IllegalStateException(e);
    };

    public void onFatal(java.util.function.Consumer<Throwable> f) { this.fatal = f; }

    // ---------------------------------------------------------------- state

    /** Redis's clusterUpdateState (see {@link ClusterState#updateState}). */
    public void updateState() {
        cs.updateState(System.currentTimeMillis());
    }

    // ---------------------------------------------------------------- failure reports

    static boolean addFailureReport(ClusterNode failing, ClusterNode sender, long now) {
        return failing.failReports.put(sender, now) == null;
    }

    void cleanupFailureReports(ClusterNode node, long now) {
        long maxtime = options.nodeTimeout * FAIL_REPORT_VALIDITY_MULT;
        node.failReports.values().removeIf(t -> now - t > maxtime);
    }

    boolean delFailureReport(ClusterNode node, ClusterNode sender, long now) {
        if (node.failReports.remove(sender) == null) return false;
        cleanupFailureReports(node, now);
        return true;
    }

    public int failureReportsCount(ClusterNode node) {
        synchronized (cs) {
            cleanupFailureReports(node, System.currentTimeMillis());
            return node.failReports.size();
        }
    }

    /** Redis's markNodeAsFailingIfNeeded: PFAIL becomes FAIL once a majority of masters agree. */
    void markNodeAsFailingIfNeeded(ClusterNode node, long now) {
        int quorum = cs.size / 2 + 1;
        if (!node.timedOut() || node.failed()) return;
        int failures = failureReportsCount(node);
        if (cs.myself.isMaster()) failures++;
        if (failures < quorum) return;
        host.log("notice", "Marking node " + node.name + " as failing (quorum reached).");
        node.flags &= ~ClusterNode.PFAIL;
        node.flags |= ClusterNode.FAIL;
        node.failTime = now;
        sendFail(node.name);
        cs.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
        cs.changed();
    }

    /** Redis's clearNodeFailureIfNeeded. */
    void clearNodeFailureIfNeeded(ClusterNode node, long now) {
        if (node.isReplica() || node.numSlots == 0) {
            host.log("notice", "Clear FAIL state for node " + node.name + ": "
                    + (node.isReplica() ? "replica" : "master without slots") + " is reachable again.");
            node.flags &= ~ClusterNode.FAIL;
            cs.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
        }
        if (node.isMaster() && node.numSlots > 0 && now - node.failTime > options.nodeTimeout * FAIL_UNDO_TIME_MULT) {
            host.log("notice", "Clear FAIL state for node " + node.name
                    + ": is reachable again and nobody is serving its slots after some time.");
            node.flags &= ~ClusterNode.FAIL;
            cs.todo(ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_SAVE_CONFIG);
        }
        cs.changed();
    }

    // ---------------------------------------------------------------- blacklist (FORGET)

    void blacklistCleanup(long now) {
        cs.blacklist.values().removeIf(expire -> expire < now);
    }

    public void blacklistAdd(ClusterNode node, long now) {
        synchronized (cs) {
            blacklistCleanup(now);
            cs.blacklist.put(node.name, now + BLACKLIST_TTL);
        }
    }

    boolean blacklistExists(String name, long now) {
        blacklistCleanup(now);
        return cs.blacklist.containsKey(name);
    }

    // ---------------------------------------------------------------- handshake

    private boolean handshakeInProgress(String ip, int port, int cport) {
        for (ClusterNode n : cs.nodes.values()) {
            if (n.inHandshake() && n.ip.equalsIgnoreCase(ip) && n.port == port && n.cport == cport) return true;
        }
        return false;
    }

    /**
     * Redis's clusterStartHandshake (CLUSTER MEET): null when started, else "EINVAL" (bad address
     * or port) or "EAGAIN" (a handshake with that address is in progress).
     */
    public String startHandshake(String ip, int port, int cport, long now) {
        synchronized (cs) {
            String norm = normalizeIp(ip);
            if (norm == null || port <= 0 || port > 65535 || cport <= 0 || cport > 65535) return "EINVAL";
            if (handshakeInProgress(norm, port, cport)) return "EAGAIN";
            ClusterNode n = new ClusterNode(ClusterState.randomName(), ClusterNode.HANDSHAKE | ClusterNode.MEET, now);
            n.ip = norm;
            n.port = port;
            n.cport = cport;
            cs.addNode(n);
            return null;
        }
    }

    /** An IPv4 or IPv6 literal in its canonical text form (inet_pton + inet_ntop), else null. */
    static String normalizeIp(String ip) {
        if (ip.isEmpty()) return null;
        boolean v4 = ip.matches("[0-9.]+");
        boolean v6 = !v4 && ip.matches("[0-9a-fA-F:.]+") && ip.contains(":");
        if (!v4 && !v6) return null;
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(ip);
            if (v4) {
                String[] parts = ip.split("\\.", -1);
                if (parts.length != 4) return null;
                for (String p : parts) {
                    if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) return null;
                }
                return a.getHostAddress();
            }
            if (a instanceof java.net.Inet4Address) return a.getHostAddress();
            return compressIpv6((java.net.Inet6Address) a);
        } catch (Exception e) {
            return null;
        }
    }

    /** inet_ntop's IPv6 form: lower-case, the longest run of zero groups (two or more) as "::". */
    static String compressIpv6(java.net.Inet6Address a) {
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8;) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) j++;
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) bestStart = -1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- packets in

    /** A link closed (I/O error, peer gone): forget it; the cron reconnects. */
    void linkClosed(BusLink link) {
        synchronized (cs) {
            freeLink(link);
        }
    }

    /** Redis's freeClusterLink. */
    void freeLink(BusLink link) {
        if (link.closed) return;
        link.closed = true;
        io.netty.channel.Channel ch = link.channel;
        if (ch != null) ch.close();
        ClusterNode n = link.node;
        if (n != null) {
            if (n.link == link) n.link = null;
            else if (n.inboundLink == link) n.inboundLink = null;
        }
    }

    /** Redis's setClusterNodeToInboundClusterLink. */
    private void setInboundLink(ClusterNode node, BusLink link) {
        if (node.inboundLink != null && node.inboundLink != link) freeLink((BusLink) node.inboundLink);
        node.inboundLink = link;
        link.node = node;
    }

    private ClusterNode senderOf(BusLink link, ClusterMsg hdr) {
        if (link.node != null && !link.node.inHandshake()) return link.node;
        ClusterNode sender = cs.lookup(hdr.sender);
        if (sender != null && link.node == null) setInboundLink(sender, link);
        return sender;
    }

    /**
     * Redis's clusterProcessPacket for a decoded message; false when the link was freed.
     * {@code localIp}/{@code peerIp} are the socket's addresses (for MEET address discovery).
     */
    boolean process(BusLink link, ClusterMsg hdr, String localIp, String peerIp) {
        boolean valid;
        synchronized (cs) {
            valid = processLocked(link, hdr, localIp, peerIp);
        }
        emptyLostSlots();
        return valid;
    }

    /** Slots taken from this master that still had keys, emptied once the monitor is released. */
    private final List<Integer> lostSlotsWithKeys = new ArrayList<>();

    /**
     * Redis's delKeysInSlot for the slots an UPDATE or PING took away, done outside the state's
     * monitor: deleting takes shard locks, and a thread holding shard locks (an EXEC) may be
     * waiting for the monitor. The slots belong to another node by now, so no client of this
     * node writes to them meanwhile (they are redirected).
     */
    private void emptyLostSlots() {
        List<Integer> slots;
        synchronized (cs) {
            if (lostSlotsWithKeys.isEmpty()) return;
            slots = new ArrayList<>(lostSlotsWithKeys);
            lostSlotsWithKeys.clear();
        }
        for (int j : slots) host.delKeysInSlot(j);
    }

    private boolean processLocked(BusLink link, ClusterMsg hdr, String localIp, String peerIp) {
        long now = System.currentTimeMillis();
        int type = hdr.type;
        if (type < ClusterMsg.TYPE_COUNT) received[type]++;
        if (type == dropPacketFilter) {
            host.log("warning", "Dropping packet that matches debug drop filter");
            return true;
        }
        if (hdr.unknownExtensions > 0) host.log("warning", "Received unknown extension type");
        int flags = hdr.flags;
        long senderCurrentEpoch = 0, senderConfigEpoch = 0;
        ClusterNode sender = senderOf(link, hdr);
        ClusterNode myself = cs.myself;
        if (sender != null) sender.dataReceived = now;
        if (sender != null && !sender.inHandshake()) {
            senderCurrentEpoch = hdr.currentEpoch;
            senderConfigEpoch = hdr.configEpoch;
            if (Long.compareUnsigned(senderCurrentEpoch, cs.currentEpoch) > 0) cs.currentEpoch = senderCurrentEpoch;
            if (Long.compareUnsigned(senderConfigEpoch, sender.configEpoch) > 0) {
                sender.configEpoch = senderConfigEpoch;
                cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_FSYNC_CONFIG);
            }
            sender.replOffset = hdr.offset;
            sender.replOffsetTime = now;
            if (mfEnd != 0 && myself.isReplica() && myself.master == sender
                    && (hdr.mflags0 & ClusterMsg.FLAG0_PAUSED) != 0 && mfMasterOffset == -1) {
                mfMasterOffset = sender.replOffset;
                cs.todo(ClusterState.TODO_HANDLE_MANUALFAILOVER);
                host.log("warning", "Received replication offset for paused master manual failover: " + mfMasterOffset);
            }
        }

        if (type == ClusterMsg.PING || type == ClusterMsg.MEET) {
            // a MEET comes from a node that reached us at our real address: learn it from the socket
            if ((type == ClusterMsg.MEET || myself.ip.isEmpty()) && options.announceIp.isEmpty()) {
                if (localIp != null && !localIp.equals(myself.ip)) {
                    myself.ip = localIp;
                    host.log("warning", "IP address for this node updated to " + myself.ip);
                    cs.todo(ClusterState.TODO_SAVE_CONFIG);
                }
            }
            if (sender == null && type == ClusterMsg.MEET) {
                ClusterNode node = new ClusterNode(ClusterState.randomName(), ClusterNode.HANDSHAKE, now);
                node.ip = !hdr.myip.isEmpty() ? hdr.myip : peerIp;
                node.port = hdr.port;
                node.pport = hdr.pport;
                node.cport = hdr.cport;
                cs.addNode(node);
                cs.todo(ClusterState.TODO_SAVE_CONFIG);
            }
            if (sender == null && type == ClusterMsg.MEET) processGossip(hdr, link, now);
            sendPing(link, ClusterMsg.PONG);
        }

        if (type == ClusterMsg.PING || type == ClusterMsg.PONG || type == ClusterMsg.MEET) {
            if (!link.inbound) {
                if (link.node.inHandshake()) {
                    if (sender != null) {
                        // we know this node already (under its real name): update its address,
                        // drop the handshake node and its link
                        if (updateAddressIfNeeded(sender, link, hdr, peerIp)) {
                            cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
                        }
                        delNode(link.node);
                        return false;
                    }
                    cs.rename(link.node, hdr.sender);
                    link.node.flags &= ~ClusterNode.HANDSHAKE;
                    link.node.flags |= flags & (ClusterNode.MASTER | ClusterNode.SLAVE);
                    cs.todo(ClusterState.TODO_SAVE_CONFIG);
                } else if (!link.node.name.equals(hdr.sender)) {
                    // another node answers at this address: forget the address, reconnect later
                    ClusterNode n = link.node;
                    n.flags |= ClusterNode.NOADDR;
                    n.ip = "";
                    n.port = 0;
                    n.pport = 0;
                    n.cport = 0;
                    freeLink(link);
                    cs.todo(ClusterState.TODO_SAVE_CONFIG);
                    return false;
                }
            }
            if (sender != null) {
                int nofailover = flags & ClusterNode.NOFAILOVER;
                sender.flags = (sender.flags & ~ClusterNode.NOFAILOVER) | nofailover;
            }
            if (sender != null && type == ClusterMsg.PING && !sender.inHandshake()
                    && updateAddressIfNeeded(sender, link, hdr, peerIp)) {
                cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
            }
            if (!link.inbound && type == ClusterMsg.PONG) {
                link.node.pongReceived = now;
                link.node.pingSent = 0;
                if (link.node.timedOut()) {
                    link.node.flags &= ~ClusterNode.PFAIL;
                    cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
                } else if (link.node.failed()) {
                    clearNodeFailureIfNeeded(link.node, now);
                }
            }
            // role switches
            if (sender != null) {
                if (hdr.slaveof.isEmpty()) {
                    setNodeAsMaster(sender);
                } else {
                    ClusterNode master = cs.lookup(hdr.slaveof);
                    if (sender.isMaster()) {
                        cs.delNodeSlots(sender);
                        sender.flags &= ~(ClusterNode.MASTER | ClusterNode.MIGRATE_TO);
                        sender.flags |= ClusterNode.SLAVE;
                        cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
                    }
                    if (master != null && sender.master != master) {
                        if (sender.master != null) ClusterState.removeReplica(sender.master, sender);
                        ClusterState.addReplica(master, sender);
                        sender.master = master;
                        cs.todo(ClusterState.TODO_SAVE_CONFIG);
                    }
                }
            }
            ClusterNode senderMaster = null;
            boolean dirtySlots = false;
            if (sender != null) {
                senderMaster = sender.isMaster() ? sender : sender.master;
                if (senderMaster != null) dirtySlots = !java.util.Arrays.equals(senderMaster.slots, hdr.myslots);
            }
            if (sender != null && sender.isMaster() && dirtySlots) updateSlotsConfigWith(sender, senderConfigEpoch, hdr.myslots);
            if (sender != null && dirtySlots) {
                for (int j = 0; j < Slots.COUNT; j++) {
                    if (!Slots.test(hdr.myslots, j)) continue;
                    if (cs.slots[j] == sender || isSlotUnclaimed(j)) continue;
                    if (Long.compareUnsigned(cs.slots[j].configEpoch, senderConfigEpoch) > 0) {
                        host.log("verbose", "Node " + sender.name + " has old slots configuration, sending an UPDATE message about "
                                + cs.slots[j].name);
                        sendUpdate((BusLink) sender.link, cs.slots[j]);
                        break;
                    }
                }
            }
            if (sender != null && myself.isMaster() && sender.isMaster() && senderConfigEpoch == myself.configEpoch) {
                handleConfigEpochCollision(sender);
            }
            if (sender != null) {
                processGossip(hdr, link, now);
                updateAnnouncedHostname(sender, hdr.hostname);
            }
        } else if (type == ClusterMsg.FAIL) {
            if (sender != null) {
                ClusterNode failing = cs.lookup(hdr.about);
                if (failing != null && (failing.flags & (ClusterNode.FAIL | ClusterNode.MYSELF)) == 0) {
                    host.log("notice", "FAIL message received from " + hdr.sender + " about " + hdr.about);
                    failing.flags |= ClusterNode.FAIL;
                    failing.failTime = now;
                    failing.flags &= ~ClusterNode.PFAIL;
                    cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
                }
            } else {
                host.log("notice", "Ignoring FAIL message from unknown node " + hdr.sender + " about " + hdr.about);
            }
        } else if (type == ClusterMsg.PUBLISH || type == ClusterMsg.PUBLISHSHARD) {
            if (sender == null) return true;
            host.publish(hdr.channel, hdr.message, type == ClusterMsg.PUBLISHSHARD);
        } else if (type == ClusterMsg.FAILOVER_AUTH_REQUEST) {
            if (sender == null) return true;
            sendFailoverAuthIfNeeded(sender, hdr, now);
        } else if (type == ClusterMsg.FAILOVER_AUTH_ACK) {
            if (sender == null) return true;
            // a vote counts from a master serving slots, for this election's epoch or later
            if (sender.isMaster() && sender.numSlots > 0 && Long.compareUnsigned(senderCurrentEpoch, failoverAuthEpoch) >= 0) {
                failoverAuthCount++;
                cs.todo(ClusterState.TODO_HANDLE_FAILOVER);
            }
        } else if (type == ClusterMsg.MFSTART) {
            if (sender == null || sender.master != myself) return true;
            resetManualFailover();
            mfEnd = now + MF_TIMEOUT;
            mfReplica = sender;
            host.pauseWrites(now + MF_TIMEOUT * MF_PAUSE_MULT);
            host.log("warning", "Manual failover requested by replica " + sender.name + ".");
            // our next ping carries the offset at which we paused
            sendPing(link, ClusterMsg.PING);
        } else if (type == ClusterMsg.UPDATE) {
            if (sender == null) return true;
            ClusterNode n = cs.lookup(hdr.about);
            if (n == null) return true;
            if (Long.compareUnsigned(n.configEpoch, hdr.updateConfigEpoch) >= 0) return true;
            if (n.isReplica()) setNodeAsMaster(n);
            n.configEpoch = hdr.updateConfigEpoch;
            cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_FSYNC_CONFIG);
            updateSlotsConfigWith(n, hdr.updateConfigEpoch, hdr.updateSlots);
        } else if (type == ClusterMsg.MODULE) {
            // no modules: nothing receives these
        } else {
            host.log("warning", "Received unknown packet type: " + type);
        }
        return true;
    }

    private static void updateAnnouncedHostname(ClusterNode node, String hostname) {
        node.hostname = hostname == null ? "" : hostname;
    }

    /** Redis's nodeUpdateAddressIfNeeded. */
    private boolean updateAddressIfNeeded(ClusterNode node, BusLink link, ClusterMsg hdr, String peerIp) {
        if (link == node.link) return false;
        String ip = !hdr.myip.isEmpty() ? hdr.myip : peerIp;
        if (ip == null) return false;
        if (node.port == hdr.port && node.cport == hdr.cport && node.pport == hdr.pport && ip.equals(node.ip)) return false;
        node.ip = ip;
        node.port = hdr.port;
        node.pport = hdr.pport;
        node.cport = hdr.cport;
        if (node.link != null) freeLink((BusLink) node.link);
        node.flags &= ~ClusterNode.NOADDR;
        host.log("warning", "Address updated for node " + node.name + ", now " + node.ip + ":" + node.port);
        if (cs.myself.isReplica() && cs.myself.master == node) host.replicate(node.ip, node.port);
        return true;
    }

    /** Redis's clusterProcessGossipSection. */
    private void processGossip(ClusterMsg hdr, BusLink link, long now) {
        ClusterNode sender = link.node != null ? link.node : cs.lookup(hdr.sender);
        for (ClusterMsg.Gossip g : hdr.gossip) {
            int flags = g.flags;
            ClusterNode node = cs.lookup(g.name);
            if (node != null) {
                if (sender != null && sender.isMaster() && node != cs.myself) {
                    if ((flags & (ClusterNode.FAIL | ClusterNode.PFAIL)) != 0) {
                        if (addFailureReport(node, sender, now)) {
                            host.log("verbose", "Node " + sender.name + " reported node " + node.name + " as not reachable.");
                        }
                        markNodeAsFailingIfNeeded(node, now);
                    } else if (delFailureReport(node, sender, now)) {
                        host.log("verbose", "Node " + sender.name + " reported node " + node.name + " is back online.");
                    }
                }
                if ((flags & (ClusterNode.FAIL | ClusterNode.PFAIL)) == 0 && node.pingSent == 0 && failureReportsCount(node) == 0) {
                    long pongtime = g.pongReceived * 1000;
                    if (pongtime <= now + 500 && pongtime > node.pongReceived) node.pongReceived = pongtime;
                }
                if ((node.flags & (ClusterNode.FAIL | ClusterNode.PFAIL)) != 0 && (flags & ClusterNode.NOADDR) == 0
                        && (flags & (ClusterNode.FAIL | ClusterNode.PFAIL)) == 0
                        && (!node.ip.equalsIgnoreCase(g.ip) || node.port != g.port || node.cport != g.cport)) {
                    if (node.link != null) freeLink((BusLink) node.link);
                    node.ip = g.ip;
                    node.port = g.port;
                    node.pport = g.pport;
                    node.cport = g.cport;
                    node.flags &= ~ClusterNode.NOADDR;
                }
            } else if (sender != null && (flags & ClusterNode.NOADDR) == 0 && !blacklistExists(g.name, now)
                    && ClusterState.validName(g.name)) {
                // a node we don't know, vouched for by a node we do: add it as gossiped
                ClusterNode n = new ClusterNode(g.name, flags, now);
                n.ip = g.ip;
                n.port = g.port;
                n.pport = g.pport;
                n.cport = g.cport;
                cs.addNode(n);
            }
        }
    }

    /** Redis's clusterSetNodeAsMaster. */
    void setNodeAsMaster(ClusterNode n) {
        if (n.isMaster()) return;
        if (n.master != null) {
            ClusterState.removeReplica(n.master, n);
            if (n != cs.myself) n.flags |= ClusterNode.MIGRATE_TO;
        }
        n.flags &= ~ClusterNode.SLAVE;
        n.flags |= ClusterNode.MASTER;
        n.master = null;
        cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE);
        cs.changed();
    }

    private boolean isSlotUnclaimed(int slot) {
        return cs.slots[slot] == null || Slots.test(ownerNotClaimingSlot, slot);
    }

    /** Redis's clusterUpdateSlotsConfigWith. */
    void updateSlotsConfigWith(ClusterNode sender, long senderConfigEpoch, byte[] slots) {
        ClusterNode myself = cs.myself;
        ClusterNode curmaster = myself.isMaster() ? myself : myself.master;
        ClusterNode newmaster = null;
        List<Integer> dirty = new ArrayList<>();
        int senderSlots = 0, migratedOurSlots = 0;
        if (sender == myself) {
            host.log("warning", "Discarding UPDATE message about myself.");
            return;
        }
        for (int j = 0; j < Slots.COUNT; j++) {
            if (Slots.test(slots, j)) {
                senderSlots++;
                if (cs.slots[j] == sender) {
                    Slots.clear(ownerNotClaimingSlot, j);
                    continue;
                }
                // an importing slot changes only by hand (redis-cli closes it)
                if (cs.importingFrom[j] != null) continue;
                if (isSlotUnclaimed(j) || Long.compareUnsigned(cs.slots[j].configEpoch, senderConfigEpoch) < 0) {
                    if (cs.slots[j] == myself && host.countKeysInSlot(j) > 0) dirty.add(j);
                    if (cs.slots[j] == curmaster) {
                        newmaster = sender;
                        migratedOurSlots++;
                    }
                    cs.delSlot(j);
                    cs.addSlot(sender, j);
                    Slots.clear(ownerNotClaimingSlot, j);
                    cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_FSYNC_CONFIG);
                }
            } else if (cs.slots[j] == sender) {
                // keep it bound to its old owner until someone claims it: a few redirects rather
                // than a cluster down
                Slots.set(ownerNotClaimingSlot, j);
            }
        }
        if (newmaster != null && curmaster.numSlots == 0
                && (options.allowReplicaMigration || senderSlots == migratedOurSlots)) {
            host.log("warning", "Configuration change detected. Reconfiguring myself as a replica of " + sender.name);
            setMaster(sender);
            cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_FSYNC_CONFIG);
        } else if (myself.master != null && myself.master.master != null && myself.master.master != myself) {
            host.log("warning", "I'm a sub-replica! Reconfiguring myself as a replica of grandmaster " + myself.master.master.name);
            setMaster(myself.master.master);
            cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_FSYNC_CONFIG);
        } else if (!dirty.isEmpty()) {
            // still a master with some slots: drop the keys of the slots taken from us (once
            // the monitor is released, see emptyLostSlots)
            lostSlotsWithKeys.addAll(dirty);
        }
    }

    /** Redis's clusterHandleConfigEpochCollision: the node with the greater name moves on. */
    private void handleConfigEpochCollision(ClusterNode sender) {
        ClusterNode myself = cs.myself;
        if (sender.configEpoch != myself.configEpoch || !sender.isMaster() || !myself.isMaster()) return;
        if (sender.name.compareTo(myself.name) <= 0) return;
        cs.currentEpoch++;
        myself.configEpoch = cs.currentEpoch;
        saveConfigOrDie(true);
        host.log("verbose", "WARNING: configEpoch collision with node " + sender.name + ". configEpoch set to "
                + Long.toUnsignedString(myself.configEpoch));
    }

    /** Redis's clusterDelNode, also closing the node's links. */
    public void delNode(ClusterNode n) {
        synchronized (cs) {
            if (n.link != null) freeLink((BusLink) n.link);
            if (n.inboundLink != null) freeLink((BusLink) n.inboundLink);
            if (mfReplica == n) mfReplica = null;
            cs.delNode(n);
        }
    }

    /** Redis's clusterSetMaster: this node (without slots) becomes a replica of {@code n}. */
    public void setMaster(ClusterNode n) {
        synchronized (cs) {
            cs.setMaster(n);
            host.replicate(n.ip, n.port);
            resetManualFailover();
        }
    }

    // ---------------------------------------------------------------- packets out

    private ClusterMsg header(int type) {
        ClusterNode myself = cs.myself;
        ClusterNode master = myself.isReplica() && myself.master != null ? myself.master : myself;
        ClusterMsg m = new ClusterMsg();
        m.type = type;
        m.sender = myself.name;
        m.myip = options.announceIp;
        int[] ports = announcedPorts();
        System.arraycopy(master.slots, 0, m.myslots, 0, Slots.BYTES);
        m.slaveof = myself.master != null ? myself.master.name : "";
        m.port = ports[0];
        m.pport = ports[1];
        m.cport = ports[2];
        m.flags = myself.flags & 0xffff;
        m.state = cs.state;
        m.currentEpoch = cs.currentEpoch;
        m.configEpoch = master.configEpoch;
        m.offset = host.replicationOffset();
        if (myself.isMaster() && mfEnd != 0) m.mflags0 |= ClusterMsg.FLAG0_PAUSED;
        return m;
    }

    private static ClusterMsg.Gossip gossipEntry(ClusterNode n) {
        ClusterMsg.Gossip g = new ClusterMsg.Gossip();
        g.name = n.name;
        g.pingSent = (n.pingSent / 1000) & 0xffffffffL;
        g.pongReceived = (n.pongReceived / 1000) & 0xffffffffL;
        g.ip = n.ip;
        g.port = n.port;
        g.cport = n.cport;
        g.flags = n.flags & 0xffff;
        g.pport = n.pport;
        return g;
    }

    /** Redis's clusterSendPing: a PING, PONG or MEET with gossip about a tenth of the nodes. */
    void sendPing(BusLink link, int type) {
        if (link == null) return;
        pingsSent++;
        List<ClusterNode> all = new ArrayList<>(cs.nodes.values());
        int freshnodes = all.size() - 2;
        int wanted = Math.max(3, all.size() / 10);
        if (wanted > freshnodes) wanted = freshnodes;
        long pfailWanted = statsPfailNodes;
        if (!link.inbound && type == ClusterMsg.PING) link.node.pingSent = System.currentTimeMillis();
        ClusterMsg hdr = header(type);
        int maxIterations = wanted * 3;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int count = 0;
        while (freshnodes > 0 && count < wanted && maxIterations-- > 0) {
            ClusterNode n = all.get(rnd.nextInt(all.size()));
            if (n == cs.myself) continue;
            if (n.timedOut()) continue;
            if ((n.flags & (ClusterNode.HANDSHAKE | ClusterNode.NOADDR)) != 0 || (n.link == null && n.numSlots == 0)) {
                freshnodes--;
                continue;
            }
            if (n.lastInPingGossip == pingsSent) continue;
            hdr.gossip.add(gossipEntry(n));
            n.lastInPingGossip = pingsSent;
            freshnodes--;
            count++;
        }
        if (pfailWanted > 0) {
            for (ClusterNode n : all) {
                if (pfailWanted <= 0) break;
                if (n.inHandshake() || !n.hasAddr() || !n.timedOut()) continue;
                hdr.gossip.add(gossipEntry(n));
                pfailWanted--;
            }
        }
        hdr.hostname = cs.myself.hostname;
        link.send(hdr, this);
    }

    /** clusterBroadcastPong(CLUSTER_BROADCAST_ALL): every node learns this node's state at once. */
    public void broadcastPongAll() {
        synchronized (cs) {
            broadcastPong(BROADCAST_ALL);
        }
    }

    static final int BROADCAST_ALL = 0;
    static final int BROADCAST_LOCAL_REPLICAS = 1;

    /** Redis's clusterBroadcastPong. */
    void broadcastPong(int target) {
        ClusterNode myself = cs.myself;
        for (ClusterNode n : new ArrayList<>(cs.nodes.values())) {
            if (n.link == null || n == myself || n.inHandshake()) continue;
            if (target == BROADCAST_LOCAL_REPLICAS) {
                boolean local = n.isReplica() && n.master != null && (n.master == myself || n.master == myself.master);
                if (!local) continue;
            }
            sendPing((BusLink) n.link, ClusterMsg.PONG);
        }
    }

    private void broadcast(ClusterMsg m) {
        for (ClusterNode n : new ArrayList<>(cs.nodes.values())) {
            if ((n.flags & (ClusterNode.MYSELF | ClusterNode.HANDSHAKE)) != 0) continue;
            if (n.link != null) ((BusLink) n.link).send(m, this);
        }
    }

    void sendFail(String nodename) {
        ClusterMsg m = header(ClusterMsg.FAIL);
        m.about = nodename;
        broadcast(m);
    }

    void sendUpdate(BusLink link, ClusterNode node) {
        if (link == null) return;
        ClusterMsg m = header(ClusterMsg.UPDATE);
        m.about = node.name;
        m.updateConfigEpoch = node.configEpoch;
        m.updateSlots = node.slots.clone();
        for (int i = 0; i < Slots.BYTES; i++) m.updateSlots[i] &= (byte) ~ownerNotClaimingSlot[i];
        link.send(m, this);
    }

    /**
     * Redis's clusterPropagatePublish: PUBLISH goes to every node, SPUBLISH to the nodes of this
     * node's shard.
     */
    public void propagatePublish(byte[] channel, byte[] message, boolean sharded) {
        synchronized (cs) {
            ClusterMsg m = header(sharded ? ClusterMsg.PUBLISHSHARD : ClusterMsg.PUBLISH);
            m.channel = channel;
            m.message = message;
            if (!sharded) {
                broadcast(m);
                return;
            }
            ClusterNode myself = cs.myself;
            ClusterNode primary = myself.isMaster() ? myself : myself.master;
            if (primary == null) return;
            List<ClusterNode> shard = new ArrayList<>();
            shard.add(primary);
            shard.addAll(primary.replicas);
            for (ClusterNode n : shard) {
                if ((n.flags & (ClusterNode.MYSELF | ClusterNode.HANDSHAKE)) != 0) continue;
                if (n.link != null) ((BusLink) n.link).send(m, this);
            }
        }
    }

    // ---------------------------------------------------------------- elections

    private void requestFailoverAuth() {
        ClusterMsg m = header(ClusterMsg.FAILOVER_AUTH_REQUEST);
        if (mfEnd != 0) m.mflags0 |= ClusterMsg.FLAG0_FORCEACK;
        broadcast(m);
    }

    private void sendFailoverAuth(ClusterNode node) {
        if (node.link == null) return;
        ((BusLink) node.link).send(header(ClusterMsg.FAILOVER_AUTH_ACK), this);
    }

    void sendMfStart(ClusterNode node) {
        if (node.link == null) return;
        ((BusLink) node.link).send(header(ClusterMsg.MFSTART), this);
    }

    /** Redis's clusterSendFailoverAuthIfNeeded: this master's vote. */
    private void sendFailoverAuthIfNeeded(ClusterNode node, ClusterMsg request, long now) {
        ClusterNode myself = cs.myself;
        ClusterNode master = node.master;
        long requestCurrentEpoch = request.currentEpoch;
        long requestConfigEpoch = request.configEpoch;
        boolean forceAck = (request.mflags0 & ClusterMsg.FLAG0_FORCEACK) != 0;
        if (myself.isReplica() || myself.numSlots == 0) return;
        if (Long.compareUnsigned(requestCurrentEpoch, cs.currentEpoch) < 0) {
            host.log("warning", "Failover auth denied to " + node.name + ": reqEpoch (" + Long.toUnsignedString(requestCurrentEpoch)
                    + ") < curEpoch(" + Long.toUnsignedString(cs.currentEpoch) + ")");
            return;
        }
        if (cs.lastVoteEpoch == cs.currentEpoch) {
            host.log("warning", "Failover auth denied to " + node.name + ": already voted for epoch "
                    + Long.toUnsignedString(cs.currentEpoch));
            return;
        }
        if (node.isMaster() || master == null || (!master.failed() && !forceAck)) {
            if (node.isMaster()) host.log("warning", "Failover auth denied to " + node.name + ": it is a master node");
            else if (master == null) host.log("warning", "Failover auth denied to " + node.name + ": I don't know its master");
            else host.log("warning", "Failover auth denied to " + node.name + ": its master is up");
            return;
        }
        if (now - master.votedTime < options.nodeTimeout * 2) {
            host.log("warning", "Failover auth denied to " + node.name + ": can't vote about this master before "
                    + (options.nodeTimeout * 2 - (now - master.votedTime)) + " milliseconds");
            return;
        }
        for (int j = 0; j < Slots.COUNT; j++) {
            if (!Slots.test(request.myslots, j)) continue;
            if (isSlotUnclaimed(j) || Long.compareUnsigned(cs.slots[j].configEpoch, requestConfigEpoch) <= 0) continue;
            host.log("warning", "Failover auth denied to " + node.name + ": slot " + j + " epoch ("
                    + Long.toUnsignedString(cs.slots[j].configEpoch) + ") > reqEpoch (" + Long.toUnsignedString(requestConfigEpoch) + ")");
            return;
        }
        cs.lastVoteEpoch = cs.currentEpoch;
        master.votedTime = now;
        cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_FSYNC_CONFIG);
        sendFailoverAuth(node);
        host.log("warning", "Failover auth granted to " + node.name + " for epoch " + Long.toUnsignedString(cs.currentEpoch));
    }

    /** Redis's clusterGetSlaveRank: replicas of our master with a greater offset. */
    private int replicaRank() {
        ClusterNode master = cs.myself.master;
        if (master == null) return 0;
        long myoffset = host.replicationOffset();
        int rank = 0;
        for (ClusterNode r : master.replicas) {
            if (r != cs.myself && !r.cantFailover() && r.replOffset > myoffset) rank++;
        }
        return rank;
    }

    private void logCantFailover(int reason, long now) {
        long nologFailTime = options.nodeTimeout + 5000;
        if (reason == cantFailoverReason && now - cantFailoverLogTime < CANT_FAILOVER_RELOG_PERIOD) return;
        cantFailoverReason = reason;
        ClusterNode master = cs.myself.master;
        // the master just failed: the election has not had a chance yet, don't log
        if (master != null && master.failed() && now - master.failTime < nologFailTime) return;
        String msg;
        switch (reason) {
            case CANT_FAILOVER_DATA_AGE:
                msg = "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option.";
                break;
            case CANT_FAILOVER_WAITING_DELAY: msg = "Waiting the delay before I can start a new failover."; break;
            case CANT_FAILOVER_EXPIRED: msg = "Failover attempt expired."; break;
            case CANT_FAILOVER_WAITING_VOTES: msg = "Waiting for votes, but majority still not reached."; break;
            default: msg = "Unknown reason code.";
        }
        cantFailoverLogTime = now;
        host.log("warning", "Currently unable to failover: " + msg);
    }

    /** Redis's clusterFailoverReplaceYourMaster: this replica takes its master's slots. */
    void failoverReplaceYourMaster() {
        ClusterNode myself = cs.myself;
        ClusterNode old = myself.master;
        if (myself.isMaster() || old == null) return;
        setNodeAsMaster(myself);
        host.stopReplicating();
        for (int j = 0; j < Slots.COUNT; j++) {
            if (old.hasSlot(j)) {
                cs.delSlot(j);
                cs.addSlot(myself, j);
            }
        }
        updateState();
        saveConfigOrDie(true);
        broadcastPong(BROADCAST_ALL);
        resetManualFailover();
    }

    /** Redis's clusterHandleSlaveFailover. */
    void handleReplicaFailover() {
        long now = System.currentTimeMillis();
        ClusterNode myself = cs.myself;
        long authAge = now - failoverAuthTime;
        int quorum = cs.size / 2 + 1;
        boolean manual = mfEnd != 0 && mfCanStart;
        cs.todo &= ~ClusterState.TODO_HANDLE_FAILOVER;
        long authTimeout = Math.max(2000, options.nodeTimeout * 2);
        long authRetryTime = authTimeout * 2;
        if (myself.isMaster() || myself.master == null || (!myself.master.failed() && !manual)
                || (options.replicaNoFailover && !manual) || myself.master.numSlots == 0) {
            cantFailoverReason = CANT_FAILOVER_NONE;
            return;
        }
        long dataAge = host.replicaDataAge(now);
        if (dataAge > options.nodeTimeout) dataAge -= options.nodeTimeout;
        if (options.replicaValidityFactor != 0
                && dataAge > host.replPingReplicaPeriod() * 1000L + options.nodeTimeout * options.replicaValidityFactor) {
            if (!manual) {
                logCantFailover(CANT_FAILOVER_DATA_AGE, now);
                return;
            }
        }
        if (authAge > authRetryTime) {
            failoverAuthTime = now + 500 + ThreadLocalRandom.current().nextInt(500);
            failoverAuthCount = 0;
            failoverAuthSent = false;
            failoverAuthRank = replicaRank();
            failoverAuthTime += failoverAuthRank * 1000L;
            if (mfEnd != 0) {
                failoverAuthTime = now;
                failoverAuthRank = 0;
                cs.todo(ClusterState.TODO_HANDLE_FAILOVER);
            }
            host.log("warning", "Start of election delayed for " + (failoverAuthTime - now) + " milliseconds (rank #"
                    + failoverAuthRank + ", offset " + host.replicationOffset() + ").");
            broadcastPong(BROADCAST_LOCAL_REPLICAS);
            return;
        }
        if (!failoverAuthSent && mfEnd == 0) {
            int newrank = replicaRank();
            if (newrank > failoverAuthRank) {
                long added = (newrank - failoverAuthRank) * 1000L;
                failoverAuthTime += added;
                failoverAuthRank = newrank;
                host.log("warning", "Replica rank updated to #" + newrank + ", added " + added + " milliseconds of delay.");
            }
        }
        if (now < failoverAuthTime) {
            logCantFailover(CANT_FAILOVER_WAITING_DELAY, now);
            return;
        }
        if (authAge > authTimeout) {
            logCantFailover(CANT_FAILOVER_EXPIRED, now);
            return;
        }
        if (!failoverAuthSent) {
            cs.currentEpoch++;
            failoverAuthEpoch = cs.currentEpoch;
            host.log("warning", "Starting a failover election for epoch " + Long.toUnsignedString(cs.currentEpoch) + ".");
            requestFailoverAuth();
            failoverAuthSent = true;
            cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_FSYNC_CONFIG);
            return;
        }
        if (failoverAuthCount >= quorum) {
            host.log("warning", "Failover election won: I'm the new master.");
            if (Long.compareUnsigned(myself.configEpoch, failoverAuthEpoch) < 0) {
                myself.configEpoch = failoverAuthEpoch;
                host.log("warning", "configEpoch set to " + Long.toUnsignedString(myself.configEpoch) + " after successful failover");
            }
            failoverReplaceYourMaster();
        } else {
            logCantFailover(CANT_FAILOVER_WAITING_VOTES, now);
        }
    }

    /** Redis's clusterHandleSlaveMigration: a replica moves to an orphaned master. */
    private void handleReplicaMigration(int maxReplicas, long now) {
        ClusterNode myself = cs.myself;
        ClusterNode mymaster = myself.master;
        if (cs.state != ClusterState.OK || mymaster == null) return;
        int okReplicas = 0;
        for (ClusterNode r : mymaster.replicas) if (!r.failed() && !r.timedOut()) okReplicas++;
        if (okReplicas <= options.migrationBarrier) return;
        ClusterNode candidate = myself, target = null;
        for (ClusterNode node : cs.nodes.values()) {
            int ok = 0;
            boolean orphaned = true;
            if (node.isReplica() || node.failed()) orphaned = false;
            if (!node.is(ClusterNode.MIGRATE_TO)) orphaned = false;
            if (node.isMaster()) ok = node.nonFailingReplicas();
            if (ok > 0) orphaned = false;
            if (orphaned) {
                if (target == null && node.numSlots > 0) target = node;
                if (node.orphanedTime == 0) node.orphanedTime = now;
            } else {
                node.orphanedTime = 0;
            }
            // the replica with the smallest name among the most-replicated masters' replicas moves
            if (ok == maxReplicas) {
                for (ClusterNode r : node.replicas) if (r.name.compareTo(candidate.name) < 0) candidate = r;
            }
        }
        if (target != null && candidate == myself && now - target.orphanedTime > REPLICA_MIGRATION_DELAY) {
            host.log("warning", "Migrating to orphaned master " + target.name);
            setMaster(target);
        }
    }

    // ---------------------------------------------------------------- manual failover

    /** Redis's resetManualFailover. */
    public void resetManualFailover() {
        synchronized (cs) {
            if (mfReplica != null) host.unpauseWrites();
            mfEnd = 0;
            mfCanStart = false;
            mfReplica = null;
            mfMasterOffset = -1;
        }
    }

    private void manualFailoverCheckTimeout(long now) {
        if (mfEnd != 0 && mfEnd < now) {
            host.log("warning", "Manual failover timed out.");
            resetManualFailover();
        }
    }

    /** Redis's clusterHandleManualFailover: start once this replica has its master's final offset. */
    private void handleManualFailover() {
        if (mfEnd == 0 || mfCanStart || mfMasterOffset == -1) return;
        if (mfMasterOffset == host.replicationOffset()) {
            mfCanStart = true;
            host.log("warning", "All master replication stream processed, manual failover can start.");
            cs.todo(ClusterState.TODO_HANDLE_FAILOVER);
            return;
        }
        cs.todo(ClusterState.TODO_HANDLE_MANUALFAILOVER);
    }

    /**
     * CLUSTER FAILOVER [FORCE|TAKEOVER] on this replica: TAKEOVER takes the slots at once with a
     * new epoch; FORCE elects without waiting for the master; the default asks the master to
     * pause and elects once caught up.
     */
    public void manualFailover(boolean force, boolean takeover, long now) {
        synchronized (cs) {
            resetManualFailover();
            mfEnd = now + MF_TIMEOUT;
            if (takeover) {
                host.log("warning", "Taking over the master (user request).");
                cs.bumpEpochWithoutConsensus();
                failoverReplaceYourMaster();
            } else if (force) {
                host.log("warning", "Forced failover user request accepted.");
                mfCanStart = true;
                cs.todo(ClusterState.TODO_HANDLE_FAILOVER);
            } else {
                host.log("warning", "Manual failover user request accepted.");
                sendMfStart(cs.myself.master);
            }
            cs.changed();
        }
    }

    // ---------------------------------------------------------------- cron

    /** Redis's clusterCron, every 100 ms. */
    public void cron() {
        synchronized (cs) {
            // (no blanket version bump: the data path caches what it derives from the tables
            // until a table changes, and every change of one bumps it itself)
            cronLocked();
        }
        beforeSleep();
    }

    private void cronLocked() {
        long now = System.currentTimeMillis();
        iteration++;
        updateMyselfHostname();
        long handshakeTimeout = Math.max(1000, options.nodeTimeout);
        statsPfailNodes = 0;
        long sendbufLimit = options.linkSendbufLimit;
        for (ClusterNode node : new ArrayList<>(cs.nodes.values())) {
            if (sendbufLimit > 0) {
                freeLinkOnBufferLimit((BusLink) node.link, sendbufLimit);
                freeLinkOnBufferLimit((BusLink) node.inboundLink, sendbufLimit);
            }
            if ((node.flags & (ClusterNode.MYSELF | ClusterNode.NOADDR)) != 0) continue;
            if (node.timedOut()) statsPfailNodes++;
            if (node.inHandshake() && now - node.ctime > handshakeTimeout) {
                delNode(node);
                continue;
            }
            if (node.link == null && bus != null) bus.connect(node, now);
        }
        List<ClusterNode> all = new ArrayList<>(cs.nodes.values());
        if (iteration % 10 == 0 && !all.isEmpty()) {
            // once a second, ping the node we heard from longest ago among five random ones
            ClusterNode minPongNode = null;
            long minPong = 0;
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            for (int j = 0; j < 5; j++) {
                ClusterNode n = all.get(rnd.nextInt(all.size()));
                if (n.link == null || n.pingSent != 0) continue;
                if ((n.flags & (ClusterNode.MYSELF | ClusterNode.HANDSHAKE)) != 0) continue;
                if (minPongNode == null || minPong > n.pongReceived) {
                    minPongNode = n;
                    minPong = n.pongReceived;
                }
            }
            if (minPongNode != null) sendPing((BusLink) minPongNode.link, ClusterMsg.PING);
        }
        int orphanedMasters = 0, maxReplicas = 0, thisReplicas = 0;
        boolean updateState = false;
        ClusterNode myself = cs.myself;
        for (ClusterNode node : all) {
            now = System.currentTimeMillis();
            if ((node.flags & (ClusterNode.MYSELF | ClusterNode.NOADDR | ClusterNode.HANDSHAKE)) != 0) continue;
            if (!cs.nodes.containsKey(node.name)) continue;
            if (myself.isReplica() && node.isMaster() && !node.failed()) {
                int ok = node.nonFailingReplicas();
                if (ok == 0 && node.numSlots > 0 && node.is(ClusterNode.MIGRATE_TO)) orphanedMasters++;
                if (ok > maxReplicas) maxReplicas = ok;
                if (myself.master == node) thisReplicas = ok;
            }
            long pingDelay = now - node.pingSent;
            long dataDelay = now - node.dataReceived;
            BusLink link = (BusLink) node.link;
            // a link that answers nothing for half the timeout is reconnected before the node is
            // suspected (the peer may have dropped it)
            if (link != null && now - link.ctime > options.nodeTimeout && node.pingSent != 0
                    && pingDelay > options.nodeTimeout / 2 && dataDelay > options.nodeTimeout / 2) {
                freeLink(link);
            }
            link = (BusLink) node.link;
            if (link != null && node.pingSent == 0 && now - node.pongReceived > options.nodeTimeout / 2) {
                sendPing(link, ClusterMsg.PING);
                continue;
            }
            if (mfEnd != 0 && myself.isMaster() && mfReplica == node && link != null) {
                sendPing(link, ClusterMsg.PING);
                continue;
            }
            if (node.pingSent == 0) continue;
            long nodeDelay = Math.min(pingDelay, dataDelay);
            if (nodeDelay > options.nodeTimeout && (node.flags & (ClusterNode.PFAIL | ClusterNode.FAIL)) == 0) {
                host.log("debug", "*** NODE " + node.name + " possibly failing");
                node.flags |= ClusterNode.PFAIL;
                updateState = true;
            }
        }
        // a replica whose replication is not running (restarted, or REPLICAOF NO ONE by hand)
        if (myself.isReplica() && myself.master != null && myself.master.hasAddr()
                && !host.replicatingFrom(myself.master.ip, myself.master.port)) {
            host.replicate(myself.master.ip, myself.master.port);
        }
        manualFailoverCheckTimeout(now);
        if (myself.isReplica()) {
            handleManualFailover();
            handleReplicaFailover();
            if (orphanedMasters > 0 && maxReplicas >= 2 && thisReplicas == maxReplicas && options.allowReplicaMigration) {
                handleReplicaMigration(maxReplicas, now);
            }
        }
        if (updateState || cs.state == ClusterState.FAIL) updateState();
    }

    private void freeLinkOnBufferLimit(BusLink link, long limit) {
        if (link == null) return;
        long used = link.sendBufferBytes();
        if (used > limit) {
            host.log("warning", "Freeing cluster link(" + (link.inbound ? "from" : "to") + " node "
                    + (link.node != null ? link.node.name : "") + ", used memory: " + used + ") due to exceeding send buffer memory limit.");
            freeLink(link);
            linksBufferLimitExceeded++;
        }
    }

    /** A new outbound link is up (Redis's clusterLinkConnectHandler): MEET or PING at once. */
    void linkConnected(BusLink link) {
        synchronized (cs) {
            ClusterNode node = link.node;
            long oldPingSent = node.pingSent;
            sendPing(link, node.is(ClusterNode.MEET) ? ClusterMsg.MEET : ClusterMsg.PING);
            if (oldPingSent != 0) node.pingSent = oldPingSent;
            node.flags &= ~ClusterNode.MEET;
        }
    }

    // ---------------------------------------------------------------- admin operations

    /**
     * Redis's clusterReset (CLUSTER RESET SOFT|HARD), with the state locked; true when this node
     * was a replica, whose data the caller must then empty (Redis's emptyData) once the monitor is
     * released (emptying takes every shard lock).
     */
    public boolean reset(boolean hard) {
        synchronized (cs) {
            ClusterNode myself = cs.myself;
            boolean wasReplica = myself.isReplica();
            if (wasReplica) {
                setNodeAsMaster(myself);
                host.stopReplicating();
            }
            cs.closeAllSlots();
            resetManualFailover();
            for (int j = 0; j < Slots.COUNT; j++) cs.delSlot(j);
            for (ClusterNode n : new ArrayList<>(cs.nodes.values())) {
                if (n != myself) delNode(n);
            }
            if (hard) {
                cs.currentEpoch = 0;
                cs.lastVoteEpoch = 0;
                myself.configEpoch = 0;
                host.log("warning", "configEpoch set to 0 via CLUSTER RESET HARD");
                cs.rename(myself, ClusterState.randomName());
                host.log("notice", "Node hard reset, now I'm " + myself.name);
            }
            cs.todo(ClusterState.TODO_SAVE_CONFIG | ClusterState.TODO_UPDATE_STATE | ClusterState.TODO_FSYNC_CONFIG);
            cs.changed();
            return wasReplica;
        }
    }

    public long[] messagesSent() { return sent.clone(); }

    public long[] messagesReceived() { return received.clone(); }

    public long linksBufferLimitExceeded() { return linksBufferLimitExceeded; }

    public void dropPacketFilter(int type) { this.dropPacketFilter = type; }

    /** DEBUG CLUSTERLINK KILL: closes the links to ("to"), from ("from") or both ("all") a node. */
    public boolean killLinks(ClusterNode n, String direction) {
        synchronized (cs) {
            boolean to = direction.equals("to") || direction.equals("all");
            boolean from = direction.equals("from") || direction.equals("all");
            if (!to && !from) return false;
            if (to && n.link != null) freeLink((BusLink) n.link);
            if (from && n.inboundLink != null) freeLink((BusLink) n.inboundLink);
            return true;
        }
    }

    /** The open links (outbound and inbound), for CLUSTER LINKS. */
    public List<BusLink> links() {
        synchronized (cs) {
            List<BusLink> out = new ArrayList<>();
            for (ClusterNode n : cs.nodes.values()) {
                if (n.link != null) out.add((BusLink) n.link);
                if (n.inboundLink != null) out.add((BusLink) n.inboundLink);
            }
            return out;
        }
    }

    /** CLUSTER NODES: the node table as text. */
    public String nodesDescription(boolean usePport) {
        synchronized (cs) {
            return NodesDescription.describe(cs, 0, usePport);
        }
    }

    /** One node's CLUSTER NODES line (CLUSTER REPLICAS). */
    public String nodeDescription(ClusterNode n, boolean usePport) {
        synchronized (cs) {
            return NodesDescription.describe(cs, n, usePport);
        }
    }
}
