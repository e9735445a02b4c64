package io.basalt.server.cluster;

import io.basalt.cluster.ClusterNode;
import io.basalt.cluster.ClusterOptions;
import io.basalt.cluster.ClusterState;
import io.basalt.cluster.EndpointType;
import io.basalt.data.Keyspace;
import io.basalt.server.blocking.Blocking;
import io.basalt.server.client.Client;
import io.basalt.server.command.CommandTable;
import io.basalt.server.config.Config;
import io.basalt.server.exec.Dispatcher;
import io.basalt.server.module.ServerModule;
import io.basalt.server.util.Log;

import java.util.function.Supplier;

/**
 * Cluster mode ({@code cluster-enabled yes}) on the server's side: the cluster-* directives bound
 * into {@link ClusterOptions}, this node's {@link ClusterState}, the {@link ClusterRouter}
 * installed in the dispatcher, the keyspace's per-slot key lists, and the cron work that follows
 * the state (cluster_state re-evaluation, blocked clients whose slot went away). BasaltServer
 * creates it only in cluster mode; standalone mode has none, and every command of cluster mode
 * then answers {@link #DISABLED} (see {@link #require}).
 */
public final class ClusterMode implements ServerModule {
    /** What every cluster command replies without cluster mode (Redis's clusterCommand). */
    public static final String DISABLED = "ERR This instance has cluster support disabled";

    private final ClusterOptions options = new ClusterOptions();
    private final ClusterState state = new ClusterState(options);
    private final Keyspace keyspace;
    private final Dispatcher dispatcher;
    private final ClusterRouter router;
    /** The client port this node serves on (myself's port), read when myself is made. */
    private final java.util.function.IntSupplier port;
    /** Points replication at a new master (SETSLOT NODE taking this master's last slot). */
    private final java.util.function.BiConsumer<String, Integer> replicaOf;
    /** The state version the blocked clients were last checked against. */
    private long checkedVersion = -1;

    public ClusterMode(Keyspace keyspace, Dispatcher dispatcher, CommandTable commands, io.basalt.server.pubsub.PubSub pubSub,
                       java.util.function.IntSupplier port, java.util.function.BiConsumer<String, Integer> replicaOf) {
        this.keyspace = keyspace;
        this.dispatcher = dispatcher;
        this.port = port;
        this.replicaOf = replicaOf;
        // the per-slot key lists (COUNTKEYSINSLOT, GETKEYSINSLOT, SETSLOT NODE's check) are kept
        // from before the data is loaded
        keyspace.enableSlotIndex();
        state.log(Log::warning);
        // a slot this node (or its master) served is unassigned: its shard channels' subscribers go
        state.slotListener(pubSub::unsubscribeShardSlot);
        this.router = new ClusterRouter(state, keyspace, commands);
        dispatcher.router(router);
    }

    public ClusterState state() { return state; }

    public ClusterOptions options() { return options; }

    public Keyspace keyspace() { return keyspace; }

    ClusterRouter router() { return router; }

    /**
     * The cluster mode of a command's server, or null after replying {@link #DISABLED} to
     * {@code c} (standalone mode): how every CLUSTER subcommand, ASKING, READONLY and READWRITE
     * start.
     */
    public static ClusterMode require(Client c, Supplier<ClusterMode> cluster) {
        ClusterMode m = cluster.get();
        if (m == null) c.error(DISABLED);
        return m;
    }

    /**
     * This node as the table's {@code myself}: a master with a fresh random name, no slots, epoch
     * 0, as Redis's clusterInit makes it when there is no nodes.conf. (The cluster engine replaces
     * this with loading nodes.conf.)
     */
    void createMyself() {
        ClusterNode me = new ClusterNode(ClusterState.randomName(), ClusterNode.MASTER, System.currentTimeMillis());
        me.port = options.announcePort != 0 ? options.announcePort : port.getAsInt();
        me.cport = options.announceBusPort != 0 ? options.announceBusPort
                : options.port != 0 ? options.port : port.getAsInt() + 10000;
        me.hostname = options.announceHostname;
        state.setMyself(me);
    }

    @Override
    public void bind(Config config) {
        config.bind("cluster-config-file", v -> options.configFile = v);
        config.bind("cluster-port", v -> options.port = Integer.parseInt(v));
        config.bind("cluster-node-timeout", v -> options.nodeTimeout = Long.parseLong(v));
        config.bind("cluster-require-full-coverage", v -> options.requireFullCoverage = v.equals("yes"));
        config.bind("cluster-allow-reads-when-down", v -> options.allowReadsWhenDown = v.equals("yes"));
        config.bind("cluster-allow-pubsubshard-when-down", v -> options.allowPubsubshardWhenDown = v.equals("yes"));
        config.bind("cluster-replica-validity-factor", v -> options.replicaValidityFactor = Integer.parseInt(v));
        config.bind("cluster-migration-barrier", v -> options.migrationBarrier = Integer.parseInt(v));
        config.bind("cluster-allow-replica-migration", v -> options.allowReplicaMigration = v.equals("yes"));
        config.bind("cluster-replica-no-failover", v -> options.replicaNoFailover = v.equals("yes"));
        config.bind("cluster-link-sendbuf-limit", v -> options.linkSendbufLimit = Long.parseLong(v));
        config.bind("cluster-preferred-endpoint-type", v -> options.preferredEndpointType = EndpointType.parse(v));
        config.bind("cluster-announce-ip", v -> options.announceIp = v);
        config.bind("cluster-announce-port", v -> options.announcePort = Integer.parseInt(v));
        config.bind("cluster-announce-tls-port", v -> options.announceTlsPort = Integer.parseInt(v));
        config.bind("cluster-announce-bus-port", v -> options.announceBusPort = Integer.parseInt(v));
        config.bind("cluster-announce-hostname", v -> options.announceHostname = v);
        if (state.myself() == null) createMyself();
    }

    /**
     * The deferred work this side does until the cluster engine's beforeSleep does it: cluster_state
     * re-evaluated when asked (TODO_UPDATE_STATE) and, as Redis's clusterCron, every tick while it
     * is FAIL (so a master turns OK once CLUSTER_WRITABLE_DELAY has passed); then the clients
     * blocked on keys whose slot is no longer served here are redirected, when the tables changed.
     */
    @Override
    public void cron() {
        if ((state.todo() & ClusterState.TODO_UPDATE_STATE) != 0 || !state.ok()) {
            state.updateState(System.currentTimeMillis());
        }
        redirectBlockedClients();
    }

    /**
     * What Redis's clusterBeforeSleep does after a command that asked for it (CLUSTER ADDSLOTS,
     * SETSLOT ...): the state re-evaluated before the client's next command is read, so that
     * command already sees it. Called by the commands that change the tables (the cluster engine
     * takes this over with its own beforeSleep).
     */
    void afterChange() {
        if ((state.todo() & ClusterState.TODO_UPDATE_STATE) != 0) state.updateState(System.currentTimeMillis());
    }

    /**
     * Redis's clusterRedirectBlockedClientIfNeeded, run for every blocked client when the node,
     * slot or migration tables (or cluster_state) changed since the last run.
     */
    void redirectBlockedClients() {
        long v = state.version();
        if (v == checkedVersion) return;
        checkedVersion = v;
        Blocking blocking = dispatcher.blocking();
        if (!blocking.active()) return;
        blocking.redirect(router::blockedRedirect);
    }

    /**
     * The replication side of Redis's clusterSetMaster, after {@link ClusterState#setMaster}:
     * this node replicates {@code n}.
     */
    void replicate(ClusterNode n) {
        replicaOf.accept(n.ip, n.port);
    }
}
