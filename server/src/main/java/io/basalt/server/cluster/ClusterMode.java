package io.basalt.server.cluster;

import io.basalt.cluster.ClusterBus;
import io.basalt.cluster.ClusterEngine;
import io.basalt.cluster.ClusterHost;
import io.basalt.cluster.ClusterNode;
import io.basalt.cluster.ClusterOptions;
import io.basalt.cluster.ClusterState;
import io.basalt.cluster.EndpointType;
import io.basalt.cluster.NodesConf;
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
 * into {@link ClusterOptions}, this node's {@link ClusterState} loaded from nodes.conf, the
 * {@link ClusterEngine} and its {@link ClusterBus} (the cluster.c of the cluster module), the
 * {@link ClusterRouter} installed in the dispatcher, the keyspace's per-slot key lists, and the
 * cron work that follows the state (blocked clients whose slot went away). BasaltServer creates it
 * only in cluster mode; standalone mode has none, and every command of cluster mode then answers
 * {@link #DISABLED} (see {@link #require}).
 */
public final class ClusterMode implements ServerModule {
    /** What every cluster command replies without cluster mode (Redis's clusterCommand). */
    public static final String DISABLED = "ERR This instance has cluster support disabled";

    private final ClusterOptions options = new ClusterOptions();
    private final ClusterState state = new ClusterState(options);
    private final Keyspace keyspace;
    private final Dispatcher dispatcher;
    private final ClusterRouter router;
    /** The server as the engine sees it (replication, keys per slot, pub/sub, pauses). */
    private final ClusterHost host;
    /** Made by {@link #load} (nodes.conf is named by the configuration); null before. */
    private volatile ClusterEngine engine;
    private ClusterBus bus;
    private volatile boolean started;
    /** The state version the blocked clients were last checked against. */
    private long checkedVersion = -1;

    public ClusterMode(Keyspace keyspace, Dispatcher dispatcher, CommandTable commands, io.basalt.server.pubsub.PubSub pubSub,
                       ClusterHost host) {
        this.keyspace = keyspace;
        this.dispatcher = dispatcher;
        this.host = host;
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

    /** The engine (null until {@link #load}). */
    public ClusterEngine engine() { return engine; }

    /**
     * Redis's clusterInit, before the client port is bound: nodes.conf locked and loaded, or this
     * node made a new master with a random name and saved. Logs and throws what makes the server
     * refuse to start (a file another node holds, a corrupt file).
     */
    public void load(Config config) {
        java.nio.file.Path file = java.nio.file.Path.of(options.configFile);
        if (!file.isAbsolute()) file = java.nio.file.Path.of(config.get("dir")).resolve(file);
        ClusterEngine e = new ClusterEngine(state, host, new NodesConf(file));
        e.onFatal(t -> {
            // Redis's clusterSaveConfigOrDie: a node that cannot record its configuration stops
            Log.warning("Fatal: " + t);
            Runtime.getRuntime().halt(1);
        });
        try {
            e.init(System.currentTimeMillis());
        } catch (NodesConf.CorruptException ex) {
            throw fatal("Unrecoverable error: corrupted cluster config file.", ex);
        } catch (java.io.IOException ex) {
            throw fatal(ex.getMessage(), ex);
        }
        this.engine = e;
        router.tlsCluster(e::tlsCluster);
        this.bus = new ClusterBus(e);
    }

    /**
     * After the client port is bound: the bus listens on cluster-port (port + 10000 by default)
     * on the bind addresses, this node's announced ports are updated and saved.
     */
    public void start(Config config, int port) {
        int cport = options.port;
        if (cport == 0) {
            if (port > 65535 - 10000) {
                throw fatal("Redis port number too high. Cluster communication port is 10,000 port numbers higher than "
                        + "your Redis port. Your Redis port number must be 55535 or less.", null);
            }
            cport = port + 10000;
        }
        try {
            bus.start((b, p) -> io.basalt.server.util.Listeners.bindAll(b, config.get("bind"), p, "server TCP"), cport);
        } catch (Exception ex) {
            Log.warning("Warning: " + ex.getMessage());
            throw fatal("Failed listening on port " + cport + " (cluster), aborting.", ex);
        }
        engine.updateMyselfAnnouncedPorts();
        // the directives whose change the engine must see at once
        config.bind("cluster-replica-no-failover", v -> {
            options.replicaNoFailover = v.equals("yes");
            engine.updateMyselfFlags();
        });
        config.bind("cluster-announce-ip", v -> {
            options.announceIp = v;
            engine.updateMyselfIp();
        });
        for (String p : new String[] {"cluster-announce-port", "cluster-announce-tls-port", "cluster-announce-bus-port"}) {
            config.bind(p, v -> {
                bindAnnouncedPort(p, Integer.parseInt(v));
                engine.updateMyselfAnnouncedPorts();
            });
        }
        engine.saveConfigOrDie(true);
        started = true;
    }

    private void bindAnnouncedPort(String name, int v) {
        switch (name) {
            case "cluster-announce-port": options.announcePort = v; break;
            case "cluster-announce-tls-port": options.announceTlsPort = v; break;
            default: options.announceBusPort = v;
        }
    }

    /** Logs a start-up error once (the caller only stops the server) and returns it to throw. */
    private IllegalStateException fatal(String message, Exception cause) {
        Log.warning(message);
        if (bus != null) bus.close();
        if (engine != null) engine.closeConf();
        return new IllegalStateException(message, cause);
    }

    /** At shutdown: nodes.conf saved, the bus closed, the file unlocked. */
    public void close() {
        if (!started) return;
        started = false;
        try {
            engine.saveConfig(true);
        } catch (Exception ex) {
            Log.warning("Error saving the cluster node config at shutdown: " + ex.getMessage());
        }
        bus.close();
        engine.closeConf();
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
    }

    /**
     * The server cron's part: the clients blocked on keys whose slot is no longer served here are
     * redirected, when the tables changed (the engine's own cron runs on the bus thread).
     */
    @Override
    public void cron() {
        redirectBlockedClients();
    }

    /**
     * What Redis's clusterBeforeSleep does after a command that asked for it (CLUSTER ADDSLOTS,
     * SETSLOT ...): nodes.conf saved and the state re-evaluated before the client's next command
     * is read, so that command already sees it.
     */
    void afterChange() {
        ClusterEngine e = engine;
        if (e != null) e.beforeSleep();
    }

    /** After SETSLOT NODE closed an import here: every node is told at once (clusterBroadcastPong). */
    void broadcastPong() {
        ClusterEngine e = engine;
        if (e != null) e.broadcastPongAll();
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
        host.replicate(n.ip, n.port);
        ClusterEngine e = engine;
        if (e != null) e.resetManualFailover();
    }
}
