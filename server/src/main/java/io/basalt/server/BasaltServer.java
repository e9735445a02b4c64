package io.basalt.server;

import io.basalt.data.EncodingLimits;
import io.basalt.data.Eviction;
import io.basalt.data.Keyspace;
import io.basalt.data.Shard;
import io.basalt.resp.RespRequest;
import io.basalt.server.admin.CommandCommands;
import io.basalt.server.admin.ConfigCommands;
import io.basalt.server.admin.HeapTrim;
import io.basalt.server.admin.InfoCommand;
import io.basalt.server.admin.InfoSections;
import io.basalt.server.admin.LatencyCommands;
import io.basalt.server.admin.Monitoring;
import io.basalt.server.admin.ServerCommands;
import io.basalt.server.admin.SlowlogCommands;
import io.basalt.server.client.Client;
import io.basalt.server.client.ClientKind;
import io.basalt.server.client.ClientPause;
import io.basalt.server.client.Clients;
import io.basalt.server.command.CommandSpec;
import io.basalt.server.command.CommandTable;
import io.basalt.server.commands.Commands;
import io.basalt.server.config.ClientOutputBufferLimit;
import io.basalt.server.config.Config;
import io.basalt.server.config.ConfigException;
import io.basalt.server.exec.Dispatcher;
import io.basalt.server.exec.EffectStream;
import io.basalt.server.exec.PersistenceGate;
import io.basalt.server.exec.Propagation;
import io.basalt.server.exec.TransactionCommands;
import io.basalt.server.exec.Watches;
import io.basalt.server.module.ServerModule;
import io.basalt.server.net.ClientCommands;
import io.basalt.server.net.ClientHandler;
import io.basalt.server.net.ConnectionCommands;
import io.basalt.server.net.ProtectedMode;
import io.basalt.server.persist.AofCommands;
import io.basalt.server.persist.AppendOnly;
import io.basalt.server.persist.Backup;
import io.basalt.server.persist.BackupCommand;
import io.basalt.server.persist.Persistence;
import io.basalt.server.persist.PersistenceCommands;
import io.basalt.server.pubsub.KeyspaceEvents;
import io.basalt.server.pubsub.Monitor;
import io.basalt.server.pubsub.PubSub;
import io.basalt.server.pubsub.PubSubCommands;
import io.basalt.server.stats.ServerStats;
import io.basalt.server.tracking.Tracking;
import io.basalt.server.tracking.TrackingCommands;
import io.basalt.server.util.Listeners;
import io.basalt.server.util.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Basalt server: configuration, keyspace, command table, connected clients and the Netty
 * transport. Everything a command handler needs is reachable from here through
 * {@link Client#server()}.
 */
public final class BasaltServer implements Clients {
    public static final String REDIS_VERSION = "7.0.15";
    public static final String BASALT_VERSION = "0.1.0";

    private static final int SHARDS = 64;

    private final Config config;
    private final Keyspace keyspace;
    private final CommandTable commands = new CommandTable();
    private final Dispatcher dispatcher;
    private final io.basalt.server.scripting.Scripting scripting;
    private final ServerStats stats = new ServerStats();
    private final Monitoring monitoring = new Monitoring(this);
    private final ClientPause pause = new ClientPause();
    private final Watches watches;
    private final PubSub pubSub = new PubSub();
    private final Monitor monitor = new Monitor();
    private final KeyspaceEvents events;
    /** ACL users and the permission checks (the default user carries requirepass). */
    private final io.basalt.server.acl.Acl acl = new io.basalt.server.acl.Acl(commands, () -> clients(), pubSub::subscriptionsOf);
    private final Tracking tracking = new Tracking(this);
    private final AppendOnly aof = new AppendOnly(this);
    /** What command execution asks of the RDB snapshots and the AOF (exec does not know them). */
    private final PersistenceGate persistenceGate = new PersistenceGate() {
        @Override
        public String writeDenied() {
            return persistence.writesDenied() ? Persistence.MISCONF : aof.writeDenied();
        }

        @Override
        public void beforeWrite(Shard s) { aof.beforeWrite(s); }

        @Override
        public boolean loading() { return aof.loading() || persistence.loading(); }
    };
    private final EffectStream effects;
    private final io.basalt.server.replication.ReplicationSource replication;
    /** The replica side: REPLICAOF and the link to this server's master. */
    private final io.basalt.server.replication.MasterLink masterLink;
    /** FAILOVER: a coordinated switch of roles with a replica. */
    private final io.basalt.server.replication.Failover failover;
    /** Cluster mode (cluster-enabled yes): slot table, router, CLUSTER commands; null standalone. */
    private final io.basalt.server.cluster.ClusterMode cluster;
    private final Propagation propagation;
    private final Backup backup = new Backup(this);
    /** The operations HTTP listener: /metrics and the health probes. */
    private final io.basalt.server.ops.OpsHttpServer ops;
    private final io.basalt.server.commands.MigrateSockets migrateSockets = new io.basalt.server.commands.MigrateSockets();
    private final io.basalt.server.net.ClientEviction clientEviction =
            new io.basalt.server.net.ClientEviction(this, io.basalt.server.admin.InfoSections.CLIENT_OVERHEAD);
    /** The RESP event loops' threads (their CPU time is a metric). */
    private final List<Thread> ioThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<Long, Client> clients = new ConcurrentHashMap<>();
    private final AtomicLong nextClientId = new AtomicLong(1);
    private final String runId;
    private final long startMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<Channel> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The tls-port's listeners (Redis's tlsfd), and the TLS contexts they and tls-replication use. */
    private final List<Channel> tlsListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final io.basalt.server.util.TlsContexts tls = new io.basalt.server.util.TlsContexts();
    /** The subsystems, in the order their cron work and their client-closed cleanup run. */
    private final ClusterNodeHost clusterHost;
    private final List<ServerModule> modules = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile ServerBootstrap bootstrap;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private ScheduledExecutorService cron;
    private volatile boolean shuttingDown;
    private volatile long lastSave = startMillis / 1000;
    private final AtomicLong peakMemory = new AtomicLong();

    // hot configuration values, pushed by Config.bind
    private volatile long protoMaxBulkLen;
    private volatile long queryBufferLimit;
    private volatile ClientOutputBufferLimit.Limit normalOutputLimit;
    private volatile ClientOutputBufferLimit.Limit pubsubOutputLimit;
    private volatile int maxClients;
    private volatile int hz = 10;
    private volatile long timeoutSeconds;

    public BasaltServer(Config config) {
        this.config = config;
        this.keyspace = new Keyspace(config.getInt("databases"), SHARDS);
        this.events = new KeyspaceEvents(pubSub, keyspace.databases());
        this.watches = new Watches(keyspace);
        this.effects = new EffectStream(keyspace);
        this.propagation = new Propagation(effects, persistenceGate);
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        this.runId = HexFormat.of().formatHex(id);
        // the RDB options are read when a sync starts (persistence is built below)
        this.replication = new io.basalt.server.replication.ReplicationSource(effects, keyspace, () -> persistence().options());
        this.masterLink = new io.basalt.server.replication.MasterLink(replicaHost(), replication, keyspace);
        this.failover = new io.basalt.server.replication.Failover(replication, masterLink, pause);
        this.clusterHost = new ClusterNodeHost(this);
        registerCommands(commands);
        acl.clientInfo(io.basalt.server.net.ClientCommands::infoString);
        this.dispatcher = new Dispatcher(this, persistenceGate, tracking);
        this.persistence = new Persistence(this);
        // key changes, in Redis's order: WATCH (touchWatchedKey), then client-side caches;
        // a created key readies the clients blocked on it
        events.listen(watches);
        events.listen(tracking);
        events.listen(dispatcher.blocking());
        // a closed connection leaves no state behind (Redis's freeClient order)
        addModule(dispatcher.blocking());
        addModule(watches);
        addModule(tracking);
        addModule(pubSub);
        addModule(monitor);
        addModule(events);
        addModule(monitoring);
        addModule(propagation);
        addModule(aof);
        addModule(replication);
        addModule(masterLink);
        addModule(failover);
        this.cluster = config.getBool("cluster-enabled") ? new io.basalt.server.cluster.ClusterMode(keyspace, dispatcher, commands, pubSub, clusterHost) : null;
        if (cluster != null) addModule(cluster);
        addModule(new io.basalt.server.admin.OomScoreAdj(masterLink::isReplica));
        dispatcher.replicaRole(masterLink);
        this.scripting = new io.basalt.server.scripting.Scripting(keyspace, dispatcher, propagation, stats,
                () -> new Client(this, events, new io.netty.channel.embedded.EmbeddedChannel(), -1, ClientKind.SCRIPT),
                REDIS_VERSION);
        scripting.register(commands);
        dispatcher.busy(scripting);
        addModule(scripting);
        addModule(ServerModule.cron(persistence::cron));
        addModule(ServerModule.cron(new HeapTrim(stats.commandsProcessed::sum, () -> HeapTrim.target(this))));
        addModule(ServerModule.cron(new io.basalt.server.net.ClientsCron(this)));
        addModule(migrateSockets);
        addModule(clientEviction);
        this.ops = new io.basalt.server.ops.OpsHttpServer(opsView(), config, keyspace, stats, commands, replication, masterLink);
        addModule(ops);
        ops.admin(new io.basalt.server.ops.AdminApi(new io.basalt.server.ops.AdminApi.Backend() {
            @Override
            public Client newClient() {
                // like a script's client: never registered (CLIENT LIST does not show it), id -1;
                // authenticated because the API checks the password itself; NO-TOUCH so browsing
                // keys leaves their LRU/LFU as it was
                Client c = new Client(BasaltServer.this, events, new io.netty.channel.embedded.EmbeddedChannel(), -1, ClientKind.NORMAL);
                c.authenticated(true);
                c.noTouch(true);
                // SLOWLOG and MONITOR show what the API ran under this name
                c.name("basalt-admin-api");
                return c;
            }

            @Override
            public void dispatch(Client c, io.basalt.resp.RespRequest req) { dispatcher.dispatch(c, req); }

            @Override
            public boolean requiresAuth() { return BasaltServer.this.requiresAuth(); }

            @Override
            public boolean checkPassword(byte[] password) { return BasaltServer.this.checkPassword(password); }
        }));
        // a key removed by lazy or active expiry: Redis's deleteExpiredKeyAndPropagate
        keyspace.expiryListener((db, entry) -> {
            byte[] key = io.basalt.data.Entries.key(entry);
            events.notify(KeyspaceEvents.EXPIRED, "expired", key, db);
            events.modified(db, key);
            propagation.expired(db, key);
        });
        config.bind("proto-max-bulk-len", v -> protoMaxBulkLen = Long.parseLong(v));
        config.bind("client-query-buffer-limit", v -> queryBufferLimit = Long.parseLong(v));
        config.bind("requirepass", v -> {
            acl.requirePass(v);
        });
        config.bind("acllog-max-len", v -> acl.logMaxLen(Long.parseLong(v)));
        config.bind("acl-pubsub-default", v -> acl.pubsubDefault(v.equals("allchannels")));
        config.bind("aclfile", acl::aclFile);
        config.userLines(() -> {
            // ACL names and rules are bytes (ISO-8859-1 strings); the config file is UTF-8 text
            java.util.List<String> lines = new java.util.ArrayList<>();
            for (String l : acl.configLines()) {
                lines.add(new String(l.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), java.nio.charset.StandardCharsets.UTF_8));
            }
            return lines;
        });
        // compact-encoding thresholds of the collection types: this server's keyspace's own
        EncodingLimits encodingLimits = keyspace.limits();
        config.bind("hash-max-listpack-entries", v -> encodingLimits.hashMaxListpackEntries = Long.parseLong(v));
        config.bind("hash-max-listpack-value", v -> encodingLimits.hashMaxListpackValue = Long.parseLong(v));
        config.bind("set-max-intset-entries", v -> encodingLimits.setMaxIntsetEntries = Long.parseLong(v));
        config.bind("zset-max-listpack-entries", v -> encodingLimits.zsetMaxListpackEntries = Long.parseLong(v));
        config.bind("zset-max-listpack-value", v -> encodingLimits.zsetMaxListpackValue = Long.parseLong(v));
        config.bind("list-max-listpack-size", v -> encodingLimits.listMaxListpackSize = Long.parseLong(v));
        config.bind("list-compress-depth", v -> encodingLimits.listCompressDepth = Long.parseLong(v));
        config.bind("hll-sparse-max-bytes", v -> encodingLimits.hllSparseMaxBytes = Long.parseLong(v));
        config.bind("stream-node-max-bytes", v -> encodingLimits.streamNodeMaxBytes = Long.parseLong(v));
        config.bind("stream-node-max-entries", v -> encodingLimits.streamNodeMaxEntries = Long.parseLong(v));
        // LZ4 compression of large string values (Basalt-only directives, see docs/configuration.md)
        for (String p : new String[] {"basalt-compression", "basalt-compression-min-size", "basalt-compression-min-saving"}) {
            config.bind(p, v -> keyspace.compression(config.get("basalt-compression").equals("lz4"),
                    (int) Math.min(Integer.MAX_VALUE, config.getLong("basalt-compression-min-size")),
                    config.getInt("basalt-compression-min-saving")));
        }
        config.bind("client-output-buffer-limit", v -> {
            Map<String, ClientOutputBufferLimit.Limit> limits = ClientOutputBufferLimit.parse(v);
            normalOutputLimit = limits.get("normal");
            pubsubOutputLimit = limits.get("pubsub");
        });
        config.bind("maxclients", v -> maxClients = Integer.parseInt(v));
        config.bind("hz", v -> hz = Math.max(1, Math.min(500, Integer.parseInt(v))));
        config.bind("timeout", v -> timeoutSeconds = Long.parseLong(v));
        config.bind("loglevel", v -> Log.level(v));
        config.bind("port", v -> rebind(config.get("bind"), Integer.parseInt(v), "Unable to listen on this port"));
        config.bind("bind", v -> {
            rebind(v, config.getInt("port"), "Failed to bind to specified addresses.");
            if (!tlsListeners.isEmpty()) rebindTls(v, config.getInt("tls-port"), "Failed to bind to specified addresses.");
            // the HTTP listener follows (a failure there rolls both back: Config.set re-applies the old value)
            ops.rebind(v);
        });
        // maxmemory and eviction (Eviction is Redis's evict.c); an evicted key is signalled and
        // notified as Redis's performEvictions does
        Eviction eviction = keyspace.eviction();
        eviction.usedMemory(() -> InfoSections.usedMemory(this));
        eviction.listener((db, key) -> {
            // under the key's shard lock: logged as Redis propagates an eviction
            propagation.evicted(db, key);
            events.modified(null, db, key);
            events.notify(KeyspaceEvents.EVICTED, "evicted", key, db);
        });
        config.bind("maxmemory-policy", eviction::policy);
        config.bind("maxmemory-samples", v -> eviction.samples(Integer.parseInt(v)));
        config.bind("maxmemory-eviction-tenacity", v -> eviction.tenacity(Integer.parseInt(v)));
        config.bind("lfu-log-factor", v -> eviction.lfuLogFactor(Integer.parseInt(v)));
        config.bind("lfu-decay-time", v -> eviction.lfuDecayTime(Integer.parseInt(v)));
        config.bind("maxmemory", v -> updateMaxmemory(Long.parseLong(v)));
        // an AOF base file written by Redis with aof-use-rdb-preamble starts with an RDB image
        aof.rdbLoader((in, name) -> {
            io.basalt.persistence.KeyspaceLoader sink = new io.basalt.persistence.KeyspaceLoader(keyspace, true);
            sink.functions = code -> scripting.functions().loadFromRdb(code, false);
            sink.lfuPolicy = config.get("maxmemory-policy").endsWith("-lfu");
            // the AOF's preamble keeps keys that expired (Redis: RDBFLAGS_AOF_PREAMBLE), the
            // commands after it may still refer to them
            sink.keepExpired = true;
            return io.basalt.persistence.RdbLoader.load(in, sink).bytes();
        });
        addModule(ServerModule.cron(this::evictionCron));
        bindTls();
    }

    // ---------------------------------------------------------------- TLS (Redis's tls.c)

    /** The tls-* directives that rebuild the TLS contexts when set (Redis's applyTlsCfg). */
    private static final String[] TLS_CONTEXT_PARAMS = {
        "tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file", "tls-client-key-file",
        "tls-client-key-file-pass", "tls-dh-params-file", "tls-ca-cert-file", "tls-ca-cert-dir", "tls-protocols",
        "tls-ciphers", "tls-ciphersuites", "tls-prefer-server-ciphers", "tls-session-caching",
        "tls-session-cache-size", "tls-session-cache-timeout", "tls-replication", "tls-cluster", "basalt-tls-provider"};

    /**
     * CONFIG SET of the tls-* directives, as Redis's: the contexts are rebuilt (even for the same
     * value: a certificate file changed on disk is reloaded so) when TLS is in use; tls-port
     * configures TLS if it was not yet, then moves the TLS listeners (applyTLSPort).
     * tls-auth-clients needs nothing: it is read as each connection is accepted.
     */
    private void bindTls() {
        // one apply for them all: several set at once rebuild the contexts once (Config.set)
        io.basalt.server.config.ConfigParam.Apply applyTlsCfg = v -> {
            if (tlsInUse()) configureTls("Unable to update TLS configuration. Check server logs.");
        };
        for (String name : TLS_CONTEXT_PARAMS) config.onChange(name, applyTlsCfg);
        config.onChange("tls-port", v -> {
            if (Integer.parseInt(v) == tlsPort() && tlsPort() != 0) return; // already there: Redis applies nothing
            if (!tls.configured()) configureTls("Unable to update TLS configuration. Check server logs.");
            rebindTls(config.get("bind"), Integer.parseInt(v), "Unable to listen on this port. Check server logs.");
        });
    }

    /** Whether TLS has a use: a TLS port, or TLS replication or cluster links. */
    private boolean tlsInUse() {
        return config.getInt("tls-port") != 0 || config.getBool("tls-replication") || config.getBool("tls-cluster");
    }

    private void configureTls(String error) throws ConfigException {
        try {
            tls.configure(tlsSettings());
        } catch (io.basalt.server.util.TlsContexts.TlsException e) {
            Log.warning(e.getMessage());
            throw new ConfigException(error);
        }
    }

    private io.basalt.server.util.TlsContexts.Settings tlsSettings() {
        return new io.basalt.server.util.TlsContexts.Settings(
                config.get("tls-cert-file"), config.get("tls-key-file"), config.get("tls-key-file-pass"),
                config.get("tls-client-cert-file"), config.get("tls-client-key-file"), config.get("tls-client-key-file-pass"),
                config.get("tls-dh-params-file"), config.get("tls-ca-cert-file"), config.get("tls-ca-cert-dir"),
                config.get("tls-protocols"), config.get("tls-ciphers"), config.get("tls-ciphersuites"),
                config.getBool("tls-prefer-server-ciphers"), config.getBool("tls-session-caching"),
                config.getInt("tls-session-cache-size"), config.getInt("tls-session-cache-timeout"),
                !config.get("tls-auth-clients").equals("no") || config.getBool("tls-replication") || config.getBool("tls-cluster"),
                config.get("basalt-tls-provider"));
    }

    /** The TLS contexts in force (none until TLS is in use). */
    public io.basalt.server.util.TlsContexts tls() { return tls; }

    /**
     * The handler a connection this server opens to {@code host:port} puts first with
     * tls-replication (Redis's connCreateTLS for the link to the master), or null.
     */
    public io.netty.handler.ssl.SslHandler replicationTls(Channel ch, String host, int port) {
        if (!config.getBool("tls-replication") || !tls.configured()) return null;
        return tls.clientHandler(ch.alloc(), host, port);
    }

    /** Moves the TLS listeners to {@code port} (0: none), binding the new ones first. */
    private synchronized void rebindTls(String bind, int port, String error) throws ConfigException {
        if (bootstrap == null || shuttingDown) return; // not started yet: start() binds
        List<Channel> fresh = List.of();
        if (port != 0) {
            try {
                fresh = Listeners.bindAll(tlsBootstrap(), bind, port, "server TLS");
            } catch (Exception e) {
                Log.warning(e.getMessage());
                throw new ConfigException(error);
            }
        }
        List<Channel> old = new ArrayList<>(tlsListeners);
        tlsListeners.clear();
        tlsListeners.addAll(fresh);
        // closed before the reply, so the old port refuses connections once CONFIG SET answers
        for (Channel ch : old) ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (port != 0) Log.notice("Listening on " + bind + " TLS port " + port);
    }

    /** The client bootstrap with the TLS handler in front of the same pipeline. */
    private ServerBootstrap tlsBootstrap() {
        return bootstrap.clone().childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                // the contexts and tls-auth-clients in force when the connection is accepted
                ch.pipeline().addLast("tls", tls.serverHandler(ch.alloc(), config.get("tls-auth-clients")));
                ch.pipeline().addLast(new ClientHandler(BasaltServer.this));
            }
        });
    }

    /** The TLS port bound, or 0 when there is none (tls-port 0: no TLS listener, as Redis). */
    public int tlsPort() {
        return tlsListeners.isEmpty() ? 0 : ((InetSocketAddress) tlsListeners.get(0).localAddress()).getPort();
    }

    /**
     * Every command family, in one place: each subsystem's own family and the data families.
     * The composition root does this (not a family), so no family depends on the others.
     */
    private void registerCommands(CommandTable t) {
        ConnectionCommands.register(t);
        ClientCommands.register(t);
        ServerCommands.register(t);
        PersistenceCommands.register(t);
        BackupCommand.register(t);
        ConfigCommands.register(t);
        InfoCommand.register(t);
        CommandCommands.register(t);
        SlowlogCommands.register(t);
        LatencyCommands.register(t);
        Commands.registerAll(t);
        AofCommands.register(t);
        TransactionCommands.register(t);
        PubSubCommands.register(t, pubSub, monitor);
        io.basalt.server.acl.AclCommands.register(t, acl);
        TrackingCommands.register(t, tracking, this);
        io.basalt.server.replication.ReplicationCommands.register(t, replication, masterLink, failover);
        io.basalt.server.cluster.ClusterCommands.register(t, () -> cluster == null ? null : cluster.engine(),
                new io.basalt.server.cluster.ClusterCommands.Node() {
                    @Override
                    public long replicationOffset() {
                        return masterLink.isReplica() ? masterLink.replicaOffset() : replication.offset();
                    }

                    @Override
                    public long keys(int db) { return keyspace.size(db); }

                    @Override
                    public void emptyData() { clusterHost.flushAll(); }
                });
        io.basalt.server.cluster.ClusterSlotCommands.register(t, this::cluster);
        io.basalt.server.cluster.ClusterConnectionCommands.register(t, this::cluster);
    }

    /**
     * Redis's updateMaxmemory: a lower limit is enforced at once, within the tenacity's time
     * limit (the cron goes on with the rest). Not from inside an EXEC, whose shard locks the
     * eviction must not take out of order: the cron does it then.
     */
    private void updateMaxmemory(long bytes) {
        Eviction eviction = keyspace.eviction();
        eviction.maxmemory(bytes);
        if (bytes == 0) return;
        // The data lives in the JVM heap, whose cap is fixed at start (bin/basalt-server derives
        // it from a maxmemory given in the configuration): a limit the heap cannot hold would
        // end in an OutOfMemoryError instead of evictions.
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap / 4 * 3) {
            Log.warning("WARNING: maxmemory (" + bytes + ") is more than 75% of the JVM heap limit (" + heap
                    + "). Give maxmemory in the configuration file or on the command line so that the launcher "
                    + "sizes the heap for it, or raise the heap with BASALT_JAVA_OPTS=-Xmx<size>.");
        }
        long used = InfoSections.usedMemory(this);
        if (bytes < used) {
            Log.warning("WARNING: the new maxmemory value set via CONFIG SET (" + bytes + ") is smaller than the current "
                    + "memory usage (" + used + "). This will result in key eviction and/or the inability to accept new "
                    + "write commands depending on the maxmemory-policy.");
        }
        for (int i = 0; i < keyspace.shardCount(); i++) {
            if (keyspace.shard(i).heldByCurrentThread()) {
                evictInCron = true;
                return;
            }
        }
        if (pause.type() == ClientPause.NONE) eviction.perform();
    }

    private volatile boolean evictInCron;

    /** Redis's evictionTimeProc: goes on with an eviction its time limit cut short. */
    private void evictionCron() {
        Eviction eviction = keyspace.eviction();
        if (!eviction.running() && !evictInCron) return;
        if (pause.type() != ClientPause.NONE) return;
        evictInCron = false;
        long deadline = System.nanoTime() + 1_000_000_000L / Math.max(1, hz) / 2;
        while (eviction.perform() == Eviction.RUNNING && System.nanoTime() < deadline) { }
    }

    // ---------------------------------------------------------------- accessors

    public Config config() { return config; }

    public Keyspace keyspace() { return keyspace; }

    private final Persistence persistence;

    /** RDB snapshots: SAVE/BGSAVE, the save schedule, loading. */
    public Persistence persistence() { return persistence; }

    public CommandTable commands() { return commands; }

    public Dispatcher dispatcher() { return dispatcher; }

    /** EVAL and SCRIPT (INFO reads the cache). */
    public io.basalt.server.scripting.Scripting scripting() { return scripting; }

    public ServerStats stats() { return stats; }

    public Monitoring monitoring() { return monitoring; }

    /** Unix time (seconds) of the last successful save; the start time while nothing was saved. */
    public long lastSave() { return lastSave; }

    public void lastSave(long unixSeconds) { this.lastSave = unixSeconds; }

    /** INFO memory's used_memory_peak: the highest used_memory seen by INFO or the cron. */
    public long peakMemory(long current) {
        return peakMemory.accumulateAndGet(current, Math::max);
    }
    /** CLIENT PAUSE state. */
    public ClientPause pause() { return pause; }

    /** WATCHed keys (MULTI/EXEC). */
    public Watches watches() { return watches; }

    /** Client-side caching: the keys tracking clients read, and their invalidation. */
    public Tracking tracking() { return tracking; }

    /** Where commands report the keys they change (WATCH, tracking, keyspace notifications). */
    public KeyspaceEvents events() { return events; }

    /** Pub/Sub channels, patterns and publishing. */
    public PubSub pubSub() { return pubSub; }

    /** The append-only file: loading, rewrite, the log as an effect sink. */
    public AppendOnly aof() { return aof; }

    /** Every write effect, in execution order: the AOF and (next) the replication backlog subscribe here. */
    public EffectStream effects() { return effects; }

    /** The master side of replication: the stream to replicas, the backlog, PSYNC. */
    public io.basalt.server.replication.ReplicationSource replication() { return replication; }

    /** Cluster mode, or null when cluster-enabled is no. */
    public io.basalt.server.cluster.ClusterMode cluster() { return cluster; }

    /** The replica side of replication: REPLICAOF, the link to the master, INFO's role lines. */
    public io.basalt.server.replication.MasterLink masterLink() { return masterLink; }

    private boolean keysOutsideDb0() {
        for (int db = 1; db < keyspace.databases(); db++) if (keyspace.size(db) > 0) return true;
        return false;
    }



    /** What the link to a master uses of this server (see ReplicaHost). */
    private io.basalt.server.replication.ReplicaHost replicaHost() {
        return new io.basalt.server.replication.ReplicaHost() {
            @Override
            public Client masterClient(Channel ch) {
                Client c = new Client(BasaltServer.this, events, ch, nextClientId.getAndIncrement(), ClientKind.MASTER);
                clients.put(c.id(), c);
                return c;
            }

            @Override
            public void closed(Client master) { clientClosed(master); }

            @Override
            public Dispatcher dispatcher() { return dispatcher; }

            @Override
            public EventLoopGroup eventLoops() { return workerGroup; }

            @Override
            public int port() {
                // Redis's syncWithMaster: the TLS port is the one to announce with tls-replication
                int tp = tlsPort();
                return config.getBool("tls-replication") && tp != 0 ? tp : BasaltServer.this.port();
            }

            @Override
            public io.netty.handler.ssl.SslHandler tls(Channel ch, String host, int port) {
                return replicationTls(ch, host, port);
            }

            @Override
            public void emptyData() {
                // Redis's emptyData: the function libraries go too (FLUSHALL keeps them)
                scripting.functions().clear();
                keyspace.lockAll();
                try {
                    events.flushing(null, -1);
                    for (int db = 0; db < keyspace.databases(); db++) {
                        for (int s = 0; s < keyspace.shardCount(); s++) keyspace.shard(s).clear(db);
                    }
                } finally {
                    keyspace.unlockAll();
                }
            }

            @Override
            public Map<String, byte[]> loadImage(java.io.InputStream in, long size) throws java.io.IOException {
                return persistence.loadFromMaster(in, size);
            }

            @Override
            public java.nio.file.Path rdbPath() { return persistence.rdbPath(); }

            @Override
            public boolean persistenceDisabled() {
                return config.get("save").isEmpty() && !config.getBool("appendonly");
            }

            @Override
            public void afterFullSync() {
                // the loaded image never went through the effect stream: the AOF starts over from it
                if (aof.enabled()) aof.rewrite();
            }
        };
    }

    /** What each write propagates to the effect stream. */
    public Propagation propagation() { return propagation; }

    /** The operations HTTP listener (/metrics, /health/live, /health/ready). */
    public io.basalt.server.ops.OpsHttpServer ops() { return ops; }

    /** INFO stats evicted_clients. */
    public long evictedClients() { return clientEviction.evictedClients(); }

    /** maxmemory-clients: evicts the largest user connections when all of them hold too much. */
    public io.basalt.server.net.ClientEviction clientEviction() { return clientEviction; }

    /** MIGRATE's cached connections to its targets. */
    public io.basalt.server.commands.MigrateSockets migrateSockets() { return migrateSockets; }

    /** What the operations endpoints read of this server: INFO's figures, without the locks writers take. */
    private io.basalt.server.ops.OpsView opsView() {
        return new io.basalt.server.ops.OpsView() {
            @Override
            public String clusterState() {
                io.basalt.server.cluster.ClusterMode m = cluster;
                return m == null ? null : m.state().ok() ? "ok" : "fail";
            }

            @Override
            public long evictedClients() { return clientEviction.evictedClients(); }

            @Override
            public String redisVersion() { return REDIS_VERSION; }

            @Override
            public String basaltVersion() { return BASALT_VERSION; }

            @Override
            public String os() { return InfoSections.osName(); }

            @Override
            public String runId() { return runId; }

            @Override
            public int tcpPort() { return listening() ? port() : config.getInt("port"); }

            @Override
            public long startMillis() { return startMillis; }

            @Override
            public long uptimeMillis() { return BasaltServer.this.uptimeMillis(); }

            @Override
            public int connectedClients() { return clients.size(); }

            @Override
            public int blockedClients() { return InfoSections.blockedClients(BasaltServer.this); }

            @Override
            public long usedMemory() { return InfoSections.usedMemory(BasaltServer.this); }

            @Override
            public long usedMemoryPeak(long used) { return peakMemory(used); }

            @Override
            public long rss() { return InfoSections.rss(); }

            @Override
            public long lastSave() { return lastSave; }

            @Override
            public boolean bgsaveInProgress() { return persistence.bgsaveInProgress(); }

            @Override
            public boolean lastBgsaveOk() { return persistence.lastBgsaveOk(); }

            @Override
            public boolean aofEnabled() { return aof.enabled(); }

            @Override
            public boolean aofRewriteInProgress() { return aof.rewriting(); }

            @Override
            public boolean loading() { return loadingData() || aof.loading(); }

            @Override
            public boolean shuttingDown() { return shuttingDown || shutdownInProgress; }

            @Override
            public long pubsubChannels() { return pubSub.channelCount(false); }

            @Override
            public long pubsubPatterns() { return pubSub.numpat(); }

            @Override
            public long[] cpuMicros() { return InfoSections.procCpuMicros(); }

            @Override
            public List<Thread> eventLoopThreads() { return ioThreads; }
        };
    }

    public Backup backup() { return backup; }

    /** The MONITOR clients. */
    public Monitor monitor() { return monitor; }

    public String runId() { return runId; }

    /** Whether the server has bound its listeners (INFO reports the bound port then). */
    public boolean listening() { return !listeners.isEmpty(); }

    public long startMillis() { return startMillis; }

    public long uptimeMillis() { return (System.nanoTime() - startNanos) / 1_000_000; }

    @Override
    public Collection<Client> clients() { return clients.values(); }

    @Override
    public Client client(long id) { return clients.get(id); }

    public long protoMaxBulkLen() { return protoMaxBulkLen; }

    public long queryBufferLimit() { return queryBufferLimit; }

    /** client-output-buffer-limit for the normal class (the replica class comes with replication). */
    public ClientOutputBufferLimit.Limit normalOutputLimit() { return normalOutputLimit; }

    /**
     * The client-output-buffer-limit of a client's class, as Redis's getClientType: pubsub while
     * subscribed to anything, else normal (a MONITOR is a normal client here, as in Redis).
     */
    public ClientOutputBufferLimit.Limit outputLimit(Client c) {
        return c.subscribed() ? pubsubOutputLimit : normalOutputLimit;
    }

    /** Whether the default user has a password (requirepass or ACL): protected mode does not apply then. */
    public boolean requiresAuth() { return !acl.defaultNopass(); }

    /** The admin HTTP API's password check: the default user's password (requirepass), in constant time. */
    public boolean checkPassword(byte[] password) { return acl.defaultAccepts(password); }

    /**
     * Redis's ACLLoadUsersAtStartup: the "user" directives (checked as Redis checks them while
     * reading the config) or the ACL file; an error stops the server before it listens.
     */
    private void loadAclUsers() {
        for (io.basalt.server.config.ConfigFile.Directive d : config.userDirectives()) {
            java.util.List<String> argv = new java.util.ArrayList<>();
            // the config file is read as UTF-8; ACL names and rules are bytes
            for (String arg : d.args()) argv.add(io.basalt.server.acl.Acl.latin1(arg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            String error = acl.addConfiguredUser(argv);
            if (error != null) {
                Log.warning(io.basalt.server.config.ConfigFile.error(d.source(), d.line(), d.text(), error).getMessage());
                throw new IllegalStateException(error);
            }
        }
        String error = acl.loadAtStartup();
        if (error != null) {
            Log.warning(error);
            throw new IllegalStateException(error);
        }
    }

    /** The ACL users and checks. */
    public io.basalt.server.acl.Acl acl() { return acl; }

    public int hz() { return hz; }

    public boolean shuttingDown() { return shuttingDown; }

    /** Adds a subsystem: its cron work (hz times a second, cron thread) and client cleanup. */
    public void addModule(ServerModule m) {
        m.bind(config);
        modules.add(m);
    }

    /** A connection closed: every subsystem forgets the client, then it leaves the client list. */
    public void clientClosed(Client c) {
        for (ServerModule m : modules) {
            try {
                m.clientClosed(c);
            } catch (RuntimeException e) {
                Log.warning("Cleaning up client " + c.id() + " failed: " + e);
            }
        }
        unregister(c);
    }

    // ---------------------------------------------------------------- hooks

    /** After every executed command: slowlog and latency monitoring (see {@link Monitoring}). */
    public void afterCommand(Client c, CommandSpec spec, RespRequest req, long micros) {
        monitoring.afterCommand(c, spec, req, micros);
        if (monitor.active()) monitor.feed(c, spec, req);
    }

    public Client register(Channel ch) {
        stats.connectionsReceived.increment();
        Client c = new Client(this, events, ch, nextClientId.getAndIncrement(), ClientKind.NORMAL);
        if (clients.size() >= maxClients) {
            stats.rejectedConnections.increment();
            ch.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("-ERR max number of clients reached\r\n",
                    java.nio.charset.StandardCharsets.US_ASCII)).addListener(f -> ch.close());
            return null;
        }
        String denied = ProtectedMode.check(this, ch);
        if (denied != null) {
            stats.rejectedConnections.increment();
            ch.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer(denied, java.nio.charset.StandardCharsets.US_ASCII))
                    .addListener(f -> ch.close());
            return null;
        }
        clients.put(c.id(), c);
        return c;
    }

    public void unregister(Client c) {
        clients.remove(c.id());
    }

    // ---------------------------------------------------------------- lifecycle

    /** Binds the configured addresses and starts serving. */
    public void start() throws InterruptedException {
        loadAclUsers();
        int threads = config.getInt("io-threads");
        IoHandlerFactory io = Listeners.ioFactory();
        Class<? extends io.netty.channel.ServerChannel> channelClass = Listeners.serverChannel();
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("basalt-accept", true), io);
        DefaultThreadFactory ioFactory = new DefaultThreadFactory("basalt-io", true) {
            @Override
            protected Thread newThread(Runnable r, String name) {
                // the scripting thread's deep stack: proven-short scripts run on the event loops,
                // and Lua recursion is Java recursion in LuaJ (reserved, committed as used)
                Thread t = new io.netty.util.concurrent.FastThreadLocalThread(null, r, name, 256L << 20);
                ioThreads.add(t);
                return t;
            }
        };
        // round robin, past the event loop a proven-short script holds beyond busy-reply-threshold
        // (see Scripting.stuckEventLoop): a new connection (redis-cli SCRIPT KILL) always gets in
        workerGroup = new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.ThreadPerTaskExecutor(ioFactory),
                executors -> new io.netty.util.concurrent.EventExecutorChooserFactory.EventExecutorChooser() {
                    private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

                    @Override
                    public io.netty.util.concurrent.EventExecutor next() {
                        io.netty.util.concurrent.EventExecutor e = executors[Math.floorMod(next.getAndIncrement(), executors.length)];
                        Thread stuck = executors.length > 1 ? scripting.stuckEventLoop() : null;
                        if (stuck != null && e.inEventLoop(stuck)) {
                            e = executors[Math.floorMod(next.getAndIncrement(), executors.length)];
                        }
                        return e;
                    }
                }, io);
        scripting.inlineAllowed(threads > 1);
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, config.getInt("tcp-backlog"))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, config.getLong("tcp-keepalive") > 0)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new io.netty.channel.WriteBufferWaterMark(1024 * 1024, 4 * 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ClientHandler(BasaltServer.this));
                    }
                });
        bootstrap = b;
        if (cluster != null) {
            try {
                cluster.load(config); // nodes.conf, before any client can ask about the cluster
            } catch (IllegalStateException e) {
                stop(); // already logged, once
                throw e;
            }
        }
        // TLS (Redis's initServer: tlsConfigure when TLS is in use), before any port is bound: loading
        // the engine and the certificates takes a while, and both ports open together after it
        if (tlsInUse()) {
            try {
                tls.configure(tlsSettings());
            } catch (io.basalt.server.util.TlsContexts.TlsException e) {
                Log.warning(e.getMessage());
                Log.warning("Failed to configure TLS. Check logs for more info.");
                stop();
                throw new IllegalStateException("Failed to configure TLS: " + e.getMessage(), e);
            }
            Log.notice("TLS configured (" + tls.providerName() + ")");
        }
        // As Redis, the listeners are bound before the data is loaded: clients connecting during
        // the load get -LOADING (Dispatcher) for all but the commands flagged "loading" (INFO,
        // SHUTDOWN, ...), instead of a refused connection.
        int port = config.getInt("port");
        try {
            listeners.addAll(bindAll(config.get("bind"), port));
        } catch (Exception e) {
            // Redis's order: the socket's error, then the abort
            Log.warning("Warning: " + e.getMessage());
            Log.warning("Failed listening on port " + port + " (TCP), aborting.");
            stop();
            throw new IllegalStateException(e.getMessage(), e);
        }
        int tlsPort = config.getInt("tls-port");
        if (tlsPort != 0) {
            try {
                tlsListeners.addAll(Listeners.bindAll(tlsBootstrap(), config.get("bind"), tlsPort, "server TLS"));
            } catch (Exception e) {
                Log.warning("Warning: " + e.getMessage());
                Log.warning("Failed listening on port " + tlsPort + " (TLS), aborting.");
                stop();
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        // the operations listener before the load too: its readiness probe reports the load
        try {
            ops.start(config.get("bind"));
        } catch (Exception e) {
            Log.warning(e.getMessage());
            Log.warning("Failed listening on port " + config.get("basalt-http-port") + " (http), aborting.");
            stop();
            throw new IllegalStateException(e.getMessage(), e);
        }
        if (cluster != null) {
            try {
                cluster.start(config, port());
            } catch (IllegalStateException e) {
                stop(); // already logged, once
                throw e;
            }
            pubSub.clusterBus(cluster.engine()::propagatePublish);
        }
        try {
            aof.startup();
        } catch (io.basalt.persistence.aof.AofException | java.io.IOException e) {
            Log.warning(e.getMessage());
            stop();
            throw new IllegalStateException(e.getMessage(), e);
        }
        loadDataFromDisk();
        boolean[] withKeys = cluster == null ? null : clusterHost.slotsWithKeys();
        if (cluster != null && !cluster.engine().verifyConfigWithData(slot -> withKeys[slot], keysOutsideDb0())) {
            Log.warning("You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.");
            stop();
            throw new IllegalStateException("keys in a database other than 0 in cluster mode");
        }
        dataLoaded = true;
        cron = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "basalt-cron");
            t.setDaemon(true);
            return t;
        });
        cron.scheduleAtFixedRate(this::cronTick, 0, 1000 / Math.max(1, hz), TimeUnit.MILLISECONDS);
        Log.notice("Server initialized (" + (Epoll.isAvailable() ? "epoll" : "nio") + ", " + threads + " io threads)");
        Log.notice("Ready to accept connections tcp");
    }

    /** Binds every address of a {@code bind} value on {@code port} (see {@link Listeners#bindAll}). */
    private List<Channel> bindAll(String bind, int port) throws Exception {
        return Listeners.bindAll(bootstrap, bind, port, "server TCP");
    }

    /**
     * CONFIG SET port / bind at runtime: binds the new listeners first and only then closes the
     * old ones, so a failure leaves the server listening where it was.
     */
    private synchronized void rebind(String bind, int port, String error) throws ConfigException {
        if (bootstrap == null || shuttingDown) return; // not started yet: start() binds
        List<Channel> fresh;
        try {
            fresh = bindAll(bind, port);
        } catch (Exception e) {
            Log.warning(e.getMessage());
            throw new ConfigException(error);
        }
        List<Channel> old = new ArrayList<>(listeners);
        listeners.clear();
        listeners.addAll(fresh);
        for (Channel ch : old) ch.close();
        Log.notice("Listening on " + bind + " port " + port);
    }

    /** The port actually bound (differs from the configured one when that was 0). */
    public int port() {
        return ((InetSocketAddress) listeners.get(0).localAddress()).getPort();
    }

    private long lastSecond;

    private void cronTick() {
        try {
            long periodNanos = 1_000_000_000L / Math.max(1, hz);
            int effort = config.getInt("active-expire-effort");
            // Redis's slow cycle: up to 25% of a cron period (more with active-expire-effort)
            // a CLIENT PAUSE (WRITE or ALL) also stops active expiry, as in Redis: a paused dataset
            // must not change under the clients that wait for it
            if (keyspace.activeExpireEnabled() && pause.type() == ClientPause.NONE) keyspace.activeExpireCycle(periodNanos * (25 + 2 * (effort - 1)) / 100);
            for (ServerModule m : modules) m.cron();
            long now = System.currentTimeMillis();
            if (now - lastSecond >= 100) {
                stats.opsMeter.sample(stats.commandsProcessed.sum());
                stats.inputMeter.sample(stats.netInputBytes.sum());
                stats.outputMeter.sample(stats.netOutputBytes.sum());
            }
            if (now - lastSecond >= 1000) {
                lastSecond = now;
                closeTimedOutClients(now);
            }
        } catch (Throwable t) {
            Log.warning("cron: " + t);
        }
    }

    private void closeTimedOutClients(long now) {
        long timeout = timeoutSeconds;
        if (timeout <= 0) return;
        for (Client c : clients.values()) {
            // replication links have timeouts of their own (repl-timeout), as in Redis
            if (c.kind() == ClientKind.MASTER || c.replica()) continue;
            if (now - c.lastInteraction() > timeout * 1000) {
                Log.verbose("Closing idle client");
                c.kill();
            }
        }
    }

    // ---------------------------------------------------------------- shutdown

    /** SHUTDOWN's flags, Redis's SHUTDOWN_* values (also the bits of shutdown-on-sigint/-sigterm). */
    public static final int SHUTDOWN_SAVE = 1;
    public static final int SHUTDOWN_NOSAVE = 2;
    public static final int SHUTDOWN_NOW = 4;
    public static final int SHUTDOWN_FORCE = 8;

    private final Object shutdownLock = new Object();
    private volatile boolean shutdownInProgress;
    private volatile Runnable exitProcess;
    private volatile java.nio.file.Path pidFile;
    /** The dataset is loaded: before that a shutdown must not save (it would write a partial or empty file). */
    private volatile boolean dataLoaded;

    /** Whether the data files are still being loaded at startup (clients get -LOADING). */
    public boolean loadingData() { return !dataLoaded || persistence.loading(); }

    /** The launcher: a successful shutdown ends the process with {@code exit} (an in-JVM server just stops). */
    public void exitProcessOnShutdown(Runnable exit) { this.exitProcess = exit; }

    /** The launcher wrote the pid file: a successful shutdown removes it, as Redis does. */
    public void pidFileWritten(java.nio.file.Path p) { this.pidFile = p; }

    /** Between the start of a shutdown and its end (a second SIGINT then exits at once, as Redis). */
    public boolean shutdownInProgress() { return shutdownInProgress; }

    /**
     * Redis's prepareForShutdown + finishShutdown, the one path of SHUTDOWN, SIGTERM and SIGINT:
     * a running BGSAVE or AOF rewrite is stopped, the AOF flushed and fsynced, the final RDB saved
     * when asked ({@link #SHUTDOWN_SAVE}) or when a save schedule is configured (unless
     * {@link #SHUTDOWN_NOSAVE}), the pid file removed and the listeners closed. With every shard
     * locked from the AOF flush on, as Redis runs it in its one thread: no write is executed after
     * the files were made final, so none is acknowledged and then lost. When the save fails (or
     * the AOF turned on at runtime has no base yet) and {@link #SHUTDOWN_FORCE} is not given it
     * logs why and returns false: the server keeps running. Otherwise the process exits (the
     * launcher) or the server stops (in-JVM), and it returns true.
     *
     * <p>Unless {@link #SHUTDOWN_NOW} is given or {@code shutdown-timeout} is 0, writes are paused
     * first and replicas that have not acknowledged the whole stream get up to shutdown-timeout
     * seconds to do so (Redis's isReadyToShutdown), so a clean shutdown loses no write a replica
     * could still take. The caller must not be an event loop ({@link #shutdownWaits}).
     */
    public boolean shutdown(int flags) {
        return shutdown(flags, true);
    }

    /** {@link #shutdown(int)}; {@code mayExit} false from the JVM's own shutdown hook, which must not call exit. */
    public boolean shutdown(int flags, boolean mayExit) {
        synchronized (shutdownLock) {
            if (shuttingDown) return true;
            shutdownInProgress = true;
            try {
                // no save while a dataset is half loaded: it would overwrite the file with part of it
                if (!dataLoaded || aof.loading() || persistence.loading()) flags = (flags & ~SHUTDOWN_SAVE) | SHUTDOWN_NOSAVE;
                Log.warning("User requested shutdown...");
                if (shutdownWaits(flags)) awaitReplicas();
                persistence.cancelBgsave();
                if (aof.enabled() && aof.writingInitialAof()) {
                    // the AOF turned on at runtime holds no base yet: without it the data is lost
                    if ((flags & SHUTDOWN_FORCE) != 0) {
                        Log.warning("Writing initial AOF. Exit anyway.");
                    } else {
                        Log.warning("Writing initial AOF, can't exit.");
                        return shutdownFailed();
                    }
                }
                aof.cancelRewrite();
                synchronized (persistence.saveLock()) {
                    keyspace.lockAll();
                    boolean done = false;
                    try {
                        done = finishShutdown(flags);
                        if (!done) return shutdownFailed();
                        // the files are final: replicas get nothing more (the RDB's offset is
                        // where they stop, so they continue from it after the restart)
                        replication.close();
                        if (mayExit && exitProcess != null) {
                            // the locks stay held: nothing runs between here and the exit
                            exitProcess.run();
                        }
                    } finally {
                        keyspace.unlockAll();
                    }
                }
            } finally {
                shutdownInProgress = false;
            }
        }
        // an in-JVM server: the rest (clients, event loops) from a thread of its own, as the
        // caller may be an event loop, which cannot wait for its own group to terminate
        Thread t = new Thread(this::stop, "basalt-shutdown");
        t.start();
        return true;
    }

    /** Whether a shutdown with {@code flags} waits for lagging replicas (so must not run on an event loop). */
    public boolean shutdownWaits(int flags) {
        return (flags & SHUTDOWN_NOW) == 0 && config.getInt("shutdown-timeout") > 0 && !replication.replicasCaughtUp();
    }

    /**
     * Pauses writes (until the exit, or until the shutdown fails) and waits up to
     * shutdown-timeout for every replica to acknowledge the whole stream.
     */
    private void awaitReplicas() {
        long deadline = System.currentTimeMillis() + config.getInt("shutdown-timeout") * 1000L;
        pause.pause(ClientPause.Purpose.SHUTDOWN, Long.MAX_VALUE, ClientPause.WRITE);
        Log.notice("Waiting for replicas before shutting down.");
        replication.requestAcksNow();
        while (!replication.replicasCaughtUp() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        replication.logLaggingReplicas();
    }

    /** finishShutdown's steps with every shard locked: false when the final save failed without FORCE. */
    private boolean finishShutdown(int flags) {
        if (aof.enabled()) {
            Log.notice("Calling fsync() on the AOF file.");
            aof.flush();
        }
        boolean saveParams = !config.get("save").isEmpty();
        if ((saveParams && (flags & SHUTDOWN_NOSAVE) == 0) || (flags & SHUTDOWN_SAVE) != 0) {
            Log.notice("Saving the final RDB snapshot before exiting.");
            if (!persistence.save()) {
                if ((flags & SHUTDOWN_FORCE) != 0) {
                    Log.warning("Error trying to save the DB. Exit anyway.");
                } else {
                    Log.warning("Error trying to save the DB, can't exit.");
                    return false;
                }
            }
        }
        java.nio.file.Path pid = pidFile;
        if (pid != null) {
            Log.notice("Removing the pid file.");
            try {
                java.nio.file.Files.deleteIfExists(pid);
            } catch (java.io.IOException e) {
                // as unlink in Redis: a failure is not reported
            }
        }
        // closing the listening sockets first allows a faster restart on the same port
        for (Channel ch : listeners) ch.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        listeners.clear();
        ops.stop();
        shuttingDown = true;
        aof.close();
        Log.warning("Basalt is now ready to exit, bye bye...");
        return true;
    }

    private boolean shutdownFailed() {
        Log.warning("Errors trying to shut down the server. Check the logs for more information.");
        pause.unpause(ClientPause.Purpose.SHUTDOWN);
        persistence.allowBgsave();
        aof.allowRewrite();
        return false;
    }

    /**
     * Redis's loadDataFromDisk: dbfilename in dir, if present, before accepting clients. A bad
     * file stops startup with the reason (Redis exits too), rather than serving an empty dataset.
     */
    private void loadDataFromDisk() {
        // with appendonly yes the AOF (loaded by aof.startup) is the dataset, and dump.rdb is not
        // read at all, even when there was no AOF yet: Redis 7.0's loadDataFromDisk
        if (config.getBool("appendonly")) return;
        try {
            if (persistence.load(false)) {
                // the replication history the file recorded: continued after the restart
                int db = replication.restoreFromRdb(persistence.loadedAux(), masterLink.isReplica());
                if (db >= 0 && masterLink.isReplica()) masterLink.restoredFromRdb(db);
            }
        } catch (java.io.IOException | RuntimeException e) {
            String why = e instanceof java.io.EOFException
                    ? "Short read or OOM loading DB. Unrecoverable error, aborting now."
                    : e.getMessage();
            Log.warning("Fatal error loading the DB " + persistence.rdbPath() + ": " + why + " Exiting.");
            stop();
            throw new IllegalStateException("Fatal error loading the DB " + persistence.rdbPath() + ": " + why, e);
        }
    }

    /** Stops listening, closes every client and releases the event loops. */
    public void stop() {
        shuttingDown = true;
        // every wait is bounded: a stuck event loop must not keep the process alive after SIGTERM
        for (Channel ch : listeners) ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        listeners.clear();
        for (Channel ch : tlsListeners) ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        tlsListeners.clear();
        ops.stop();
        if (cron != null) cron.shutdownNow();
        if (cluster != null) cluster.close();
        migrateSockets.closeAll();
        aof.close();
        for (Client c : clients.values()) c.kill();
        if (bossGroup != null) bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        stopped.countDown();
    }

    public void awaitStop() throws InterruptedException { stopped.await(); }
}
