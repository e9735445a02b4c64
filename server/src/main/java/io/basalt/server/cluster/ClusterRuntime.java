package io.basalt.server.cluster;

import io.basalt.cluster.ClusterBus;
import io.basalt.cluster.ClusterEngine;
import io.basalt.cluster.ClusterOptions;
import io.basalt.cluster.ClusterState;
import io.basalt.cluster.EndpointType;
import io.basalt.cluster.NodesConf;
import io.basalt.cluster.ClusterHost;
import io.basalt.server.config.Config;
import io.basalt.server.util.Log;

import java.nio.file.Path;

/**
 * Cluster mode of one server (cluster-enabled yes): the options bound to the cluster-* directives,
 * the node and slot tables loaded from nodes.conf (or this node created), the engine and the bus
 * listening on cluster-port (port + 10000 by default), as Redis's clusterInit.
 */
public final class ClusterRuntime {
    private final ClusterOptions options = new ClusterOptions();
    private final ClusterState state = new ClusterState(options);
    private final ClusterEngine engine;
    private final ClusterBus bus;

    public ClusterRuntime(Config config, ClusterHost host) {
        bind(config, options);
        Path dir = Path.of(config.get("dir"));
        Path file = Path.of(config.get("cluster-config-file"));
        this.engine = new ClusterEngine(state, host, new NodesConf(file.isAbsolute() ? file : dir.resolve(file)));
        this.bus = new ClusterBus(engine);
        engine.onFatal(e -> {
            Log.warning("Fatal cluster error: " + e);
            Runtime.getRuntime().halt(1);
        });
    }

    /** Binds the cluster-* directives to the options (CONFIG SET applies them live). */
    static void bind(Config config, ClusterOptions o) {
        config.bind("cluster-node-timeout", v -> o.nodeTimeout = Long.parseLong(v));
        config.bind("cluster-require-full-coverage", v -> o.requireFullCoverage = v.equals("yes"));
        config.bind("cluster-allow-reads-when-down", v -> o.allowReadsWhenDown = v.equals("yes"));
        config.bind("cluster-allow-pubsubshard-when-down", v -> o.allowPubsubshardWhenDown = v.equals("yes"));
        config.bind("cluster-replica-validity-factor", v -> o.replicaValidityFactor = Integer.parseInt(v));
        config.bind("cluster-migration-barrier", v -> o.migrationBarrier = Integer.parseInt(v));
        config.bind("cluster-allow-replica-migration", v -> o.allowReplicaMigration = v.equals("yes"));
        config.bind("cluster-replica-no-failover", v -> o.replicaNoFailover = v.equals("yes"));
        config.bind("cluster-link-sendbuf-limit", v -> o.linkSendbufLimit = Long.parseLong(v));
        config.bind("cluster-preferred-endpoint-type", v -> o.preferredEndpointType = EndpointType.parse(v));
        config.bind("cluster-announce-ip", v -> o.announceIp = v);
        config.bind("cluster-announce-port", v -> o.announcePort = Integer.parseInt(v));
        config.bind("cluster-announce-tls-port", v -> o.announceTlsPort = Integer.parseInt(v));
        config.bind("cluster-announce-bus-port", v -> o.announceBusPort = Integer.parseInt(v));
        config.bind("cluster-announce-hostname", v -> o.announceHostname = v);
    }

    /**
     * Loads or creates the node configuration and starts the bus (before the data is loaded, as
     * Redis's initServer). Throws what makes the server refuse to start.
     */
    public void start(Config config, int port) {
        int cport = config.getInt("cluster-port");
        if (cport == 0) {
            if (port > 65535 - 10000) {
                throw fatal("Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.", null);
            }
            cport = port + 10000;
        }
        try {
            bus.start((b, p) -> io.basalt.server.util.Listeners.bindAll(b, config.get("bind"), p, "server TCP"), cport);
        } catch (Exception e) {
            Log.warning("Warning: " + e.getMessage());
            throw fatal("Failed listening on port " + cport + " (cluster), aborting.", e);
        }
        try {
            engine.init(System.currentTimeMillis());
        } catch (NodesConf.CorruptException e) {
            throw fatal("Unrecoverable error: corrupted cluster config file.", e);
        } catch (java.io.IOException e) {
            throw fatal(e.getMessage(), e);
        }
        config.bind("cluster-replica-no-failover", v -> {
            options.replicaNoFailover = v.equals("yes");
            engine.updateMyselfFlags();
        });
        config.bind("cluster-announce-ip", v -> {
            options.announceIp = v;
            engine.updateMyselfIp();
        });
        engine.saveConfigOrDie(true);
        started = true;
    }

    private volatile boolean started;

    /** Logs a start-up error once (the caller only stops the server) and returns it to throw. */
    private IllegalStateException fatal(String message, Exception cause) {
        Log.warning(message);
        bus.close();
        return new IllegalStateException(message, cause);
    }

    public ClusterEngine engine() { return engine; }

    public ClusterState state() { return state; }

    public ClusterOptions options() { return options; }

    /** At shutdown: nodes.conf saved, the bus closed, the file unlocked. */
    public void close() {
        if (!started) return;
        started = false;
        try {
            engine.saveConfig(true);
        } catch (Exception e) {
            Log.warning("Error saving the cluster node config at shutdown: " + e.getMessage());
        }
        bus.close();
        engine.closeConf();
    }
}
