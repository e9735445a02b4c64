package io.basalt.server.replication;

import io.basalt.data.Keyspace;
import io.basalt.resp.RespParser;
import io.basalt.resp.RespWriter;
import io.basalt.server.client.Client;
import io.basalt.server.config.Config;
import io.basalt.server.exec.ExecState;
import io.basalt.server.exec.ReplicaRole;
import io.basalt.server.module.ServerModule;
import io.basalt.server.util.Log;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The replica side of Redis 7.0's replication: REPLICAOF's state (Redis's masterhost,
 * repl_state, server.master and the cached master) and the link to the master, which speaks the
 * same protocol a redis-server replica does: the handshake (PING, AUTH, REPLCONF listening-port,
 * ip-address, capa eof psync2), PSYNC with this server's replication id and offset (+CONTINUE:
 * the stream goes on; +FULLRESYNC: an image first, by disk or straight from the socket as
 * repl-diskless-load says, then the stream), and then the stream itself, applied through a
 * client of kind MASTER: every command as the master ran it, the offset counted in bytes after
 * each one (after the EXEC for a transaction), the same bytes proxied to this server's own
 * replicas and backlog ({@link ReplicationSource#proxy}), REPLCONF ACK every second and on
 * GETACK.
 *
 * <p>The link's connection runs on one of the server's event loops; the state it shares with
 * commands (REPLICAOF, INFO, ROLE) and the cron is volatile or under this object's lock.
 */
public final class MasterLink implements ServerModule, ReplicaRole {
    /** Redis's repl_state, as ROLE names it ("handshake" for every handshake step). */
    enum State {
        NONE("none"), CONNECT("connect"), CONNECTING("connecting"), HANDSHAKE("handshake"), TRANSFER("sync"), CONNECTED("connected");

        final String role;

        State(String role) { this.role = role; }
    }

    /** The link's own steps, finer than {@link State}. */
    private enum Phase { PING_REPLY, AUTH_REPLY, PORT_REPLY, IP_REPLY, CAPA_REPLY, PSYNC_REPLY, BULK_HEADER, BULK, LOADING, STREAM }

    private static final int MARK_SIZE = 40; // CONFIG_RUN_ID_SIZE: the $EOF: mark

    private final ReplicaHost host;
    private final ReplicationSource source;
    private final Keyspace keyspace;

    private volatile String masterHost; // null: this server is a master
    private volatile int masterPort;
    private volatile State state = State.NONE;
    private volatile Link link;
    /** When the link went down (Redis's repl_down_since, ms); 0 while up or never. */
    private volatile long downSince;
    /**
     * Whether this server's replication id and offset are a history the master may continue
     * (Redis's cached master): after a sync, across a lost link, and when a master becomes a
     * replica. A full sync's start discards it (PSYNC ? -1 until the next one succeeds).
     */
    private volatile boolean cachedMaster;
    /** The master client's database, kept across a lost link (a continued stream selects no other). */
    private volatile int masterDb;
    private long lastCron;
    /** FAILOVER's state: its PSYNC carries FAILOVER, REPLICAOF waits for it. */
    private volatile Failover failover;

    // configuration
    private volatile String masterAuth = "";
    private volatile String masterUser = "";
    private volatile boolean readOnly = true;
    private volatile boolean serveStale = true;
    private volatile boolean announced = true;
    private volatile boolean ignoreMaxmemory = true;
    private volatile boolean delSyncFiles;
    private volatile int priority = 100;
    private volatile int announcePort;
    private volatile String announceIp = "";
    private volatile String disklessLoad = "disabled";
    private volatile int replTimeout = 60;

    public MasterLink(ReplicaHost host, ReplicationSource source, Keyspace keyspace) {
        this.host = host;
        this.source = source;
        this.keyspace = keyspace;
    }

    private Config config;

    @Override
    public void bind(Config config) {
        this.config = config;
        config.bind("masterauth", v -> masterAuth = v);
        config.bind("masteruser", v -> masterUser = v);
        config.bind("replica-read-only", v -> readOnly = v.equals("yes"));
        config.bind("replica-serve-stale-data", v -> serveStale = v.equals("yes"));
        config.bind("replica-announced", v -> announced = v.equals("yes"));
        config.bind("replica-priority", v -> priority = Integer.parseInt(v));
        config.bind("replica-announce-port", v -> announcePort = Integer.parseInt(v));
        config.bind("replica-announce-ip", v -> announceIp = v);
        config.bind("repl-diskless-load", v -> disklessLoad = v);
        config.bind("repl-timeout", v -> replTimeout = Integer.parseInt(v));
        config.bind("rdb-del-sync-files", v -> delSyncFiles = v.equals("yes"));
        config.bind("replica-ignore-maxmemory", v -> {
            ignoreMaxmemory = v.equals("yes");
            if (masterHost != null) keyspace.eviction().suspended(ignoreMaxmemory);
        });
        // the replicaof directive (startup only): the cron connects once the server runs
        config.bind("replicaof", v -> {
            if (v.isEmpty()) return;
            String[] hp = v.split(" ");
            synchronized (this) {
                becomeReplica(hp[0], Integer.parseInt(hp[1]));
            }
        });
    }

    void failover(Failover f) { this.failover = f; }

    /** Whether FAILOVER is under way (REPLICAOF is refused meanwhile). */
    public boolean failingOver() {
        Failover f = failover;
        return f != null && f.active();
    }

    // ---------------------------------------------------------------- REPLICAOF

    /** Whether this server is a replica (REPLICAOF host port in effect). */
    public boolean isReplica() { return masterHost != null; }

    /** Whether REPLICAOF host port names the master already set. */
    public boolean isReplicaOf(String h, int p) {
        String m = masterHost;
        return m != null && m.equalsIgnoreCase(h) && masterPort == p;
    }

    /** REPLICAOF host port (Redis's replicationSetMaster): drops any link and connects to the new master. */
    public synchronized void replicaOf(String h, int p) {
        Link old = link;
        link = null;
        if (old != null) old.close();
        becomeReplica(h, p);
        // CONFIG GET / REWRITE replicaof report the master set by the command, as Redis
        if (config != null) config.record("replicaof", h + " " + p);
        Log.notice("Connecting to MASTER " + h + ":" + p);
        connect();
    }

    private void becomeReplica(String h, int p) {
        boolean wasMaster = masterHost == null;
        masterHost = h;
        masterPort = p;
        state = State.CONNECT;
        if (wasMaster) {
            // Redis's replicationCacheMasterUsingMyself: this server's own history is what it
            // asks the new master to continue (it may be a replica of ours, just promoted)
            Log.notice("Before turning into a replica, using my own master parameters to synthesize a cached master: "
                    + "I may be able to synchronize with the new master with just a partial transfer.");
            cachedMaster = true;
            masterDb = 0;
            source.follow(source.replId(), source.offset(), this::currentMasterDb, false);
            keyspace.replicaExpiry(true);
            keyspace.eviction().suspended(ignoreMaxmemory);
        }
    }

    /**
     * Started as a replica with an RDB that recorded its master's history: that history (now
     * this server's id and offset) is what it asks the master to continue, from database
     * {@code db} (Redis's replicationCacheMasterUsingMyself after loadDataFromDisk).
     */
    public void restoredFromRdb(int db) {
        cachedMaster = true;
        masterDb = db;
    }

    /** REPLICAOF NO ONE (Redis's replicationUnsetMaster): the link goes, a new history starts. */
    public synchronized void noOne() {
        if (masterHost == null) return;
        masterHost = null;
        Link old = link;
        link = null;
        if (old != null) old.close();
        cachedMaster = false;
        state = State.NONE;
        downSince = 0;
        keyspace.replicaExpiry(false);
        keyspace.eviction().suspended(false);
        if (config != null) config.record("replicaof", "");
        source.promote();
    }

    private int currentMasterDb() {
        Link l = link;
        Client m = l == null ? null : l.master;
        return m != null ? m.db() : masterDb;
    }

    /** The replication source this link feeds (and that serves this server's own replicas). */
    ReplicationSource source() { return source; }

    // ---------------------------------------------------------------- ReplicaRole

    @Override
    public boolean notEnoughReplicas() { return masterHost == null && !source.enoughGoodReplicas(); }

    @Override
    public boolean readOnly() { return readOnly && masterHost != null; }

    @Override
    public boolean staleDenied() { return !serveStale && masterHost != null && state != State.CONNECTED; }

    // ---------------------------------------------------------------- the cron

    /** Once a second (Redis's replicationCron): connect, time out, acknowledge. */
    @Override
    public void cron() {
        long now = System.currentTimeMillis();
        if (now - lastCron < 1000) return;
        lastCron = now;
        Link l;
        synchronized (this) {
            if (masterHost == null) return;
            if (state == State.CONNECT) {
                Log.notice("Connecting to MASTER " + masterHost + ":" + masterPort);
                connect();
                return;
            }
            l = link;
        }
        if (l == null) return;
        long idle = now - l.lastIo;
        long timeout = replTimeout * 1000L;
        switch (state) {
            case CONNECTING, HANDSHAKE -> {
                if (idle > timeout) {
                    Log.warning("Timeout connecting to the MASTER...");
                    l.close();
                }
            }
            case TRANSFER -> {
                if (idle > timeout && l.phase != Phase.LOADING) {
                    Log.warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the "
                            + "'repl-timeout' parameter in redis.conf to a larger value.");
                    l.close();
                }
            }
            case CONNECTED -> {
                if (idle > timeout) {
                    Log.warning("MASTER timeout: no data nor PING received...");
                    l.close();
                } else {
                    l.sendAck();
                }
            }
            default -> { }
        }
    }

    /** Whether the link to the master is up and in sync (Redis's REPL_STATE_CONNECTED). */
    public boolean connected() { return state == State.CONNECTED; }

    /** INFO's master_sync_in_progress: a full sync's image is being received or loaded. */
    public boolean syncInProgress() { return state == State.TRANSFER; }

    /** The master's host while this server is a replica, else null. */
    public String masterHost() { return masterHost; }

    public int masterPort() { return masterPort; }

    /** INFO's slave_repl_offset: the offset applied so far (1 before any sync, as Redis). */
    public long replicaOffset() {
        Link l = link;
        boolean up = l != null && l.master != null;
        return up || cachedMaster ? source.offset() : 1;
    }

    /** REPLCONF GETACK from the master: an ACK with the offset applied so far. */
    public void getAck(Client c) {
        Link l = link;
        if (l != null && l.master == c) l.sendAck();
    }

    /** Starts a connection attempt (this object's lock held). */
    private void connect() {
        Link l = new Link();
        link = l;
        state = State.CONNECTING;
        Log.notice("MASTER <-> REPLICA sync started");
        Bootstrap b = new Bootstrap()
                .group(host.eventLoops())
                .channel(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, replTimeout * 1000L))
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // tls-replication: the same link behind a TLS client handshake (Redis's
                        // connCreateTLS); its writes wait in the handler until the handshake is done
                        io.netty.handler.ssl.SslHandler tls = host.tls(ch, masterHost, masterPort);
                        if (tls != null) ch.pipeline().addLast("tls", tls);
                        ch.pipeline().addLast(l);
                    }
                });
        b.connect(masterHost, masterPort).addListener(f -> {
            if (!f.isSuccess()) {
                Log.warning("Error condition on socket for SYNC: " + messageOf(f.cause()));
                linkFailed(l);
            }
        });
    }

    /** A connection attempt or a link ended: the next attempt is the cron's, or at once after a live link. */
    private void linkFailed(Link l) {
        synchronized (this) {
            if (link != l) return; // replaced by REPLICAOF meanwhile
            link = null;
            if (masterHost == null) return;
            boolean wasUp = state == State.CONNECTED;
            state = State.CONNECT;
            if (wasUp) {
                downSince = System.currentTimeMillis();
                // Redis's replicationHandleMasterDisconnection: reconnect at once, so the backlog
                // the master keeps for us is not recycled while we wait a second
                Log.notice("Reconnecting to MASTER " + masterHost + ":" + masterPort);
                connect();
            }
        }
    }

    private static String messageOf(Throwable t) {
        return t == null ? "unknown error" : t.getMessage() != null ? t.getMessage() : t.toString();
    }

    // ---------------------------------------------------------------- INFO, ROLE

    /**
     * Milliseconds since this replica last heard from its master, or since the link went down
     * (Redis's data_age in clusterHandleSlaveFailover); the time since the epoch when the link
     * never came up.
     */
    public long dataAge(long now) {
        Link l = link;
        if (state == State.CONNECTED && l != null) return now - l.lastIo;
        return now - downSince;
    }

    /** The role lines of INFO replication (Redis's order), before the replication source's. */
    public void info(StringBuilder sb) {
        String h = masterHost;
        if (h == null) {
            line(sb, "role", "master");
            return;
        }
        Link l = link;
        State st = state;
        long now = System.currentTimeMillis();
        boolean up = l != null && l.master != null;
        long offset = replicaOffset();
        line(sb, "role", "slave");
        line(sb, "master_host", h);
        line(sb, "master_port", masterPort);
        line(sb, "master_link_status", st == State.CONNECTED ? "up" : "down");
        line(sb, "master_last_io_seconds_ago", up ? (now - l.lastIo) / 1000 : -1);
        line(sb, "master_sync_in_progress", st == State.TRANSFER ? 1 : 0);
        line(sb, "slave_read_repl_offset", up ? Math.max(offset, l.readReploff) : offset);
        line(sb, "slave_repl_offset", offset);
        if (st == State.TRANSFER && l != null) {
            long size = l.transferSize;
            long read = l.transferRead;
            line(sb, "master_sync_total_bytes", size);
            line(sb, "master_sync_read_bytes", read);
            line(sb, "master_sync_left_bytes", size - read);
            line(sb, "master_sync_perc", String.format("%.2f", size > 0 ? (double) read / size * 100 : 0.0));
            line(sb, "master_sync_last_io_seconds_ago", (now - l.lastIo) / 1000);
        }
        if (st != State.CONNECTED) {
            long since = downSince;
            line(sb, "master_link_down_since_seconds", since > 0 ? (now - since) / 1000 : -1);
        }
        line(sb, "slave_priority", priority);
        line(sb, "slave_read_only", readOnly ? 1 : 0);
        line(sb, "replica_announced", announced ? 1 : 0);
    }

    private static void line(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }

    /** ROLE as a replica: the master's address, the link's state and the offset applied. */
    public void role(RespWriter w) {
        Link l = link;
        w.array(5);
        w.bulk("slave");
        w.bulk(masterHost);
        w.integer(masterPort);
        w.bulk(state.role);
        w.integer(l != null && l.master != null ? source.offset() : -1);
    }

    // ---------------------------------------------------------------- the link

    /** One connection to the master, from the handshake to the stream; all on its event loop. */
    private final class Link extends ChannelInboundHandlerAdapter {
        private Channel ch;
        private ByteBuf in;
        volatile Phase phase = Phase.PING_REPLY;
        volatile long lastIo = System.currentTimeMillis();
        private volatile boolean closed;
        /** The client the stream runs as, once the link is in sync. */
        volatile Client master;
        private RespParser parser;
        /** Index in {@link #in} of the first stream byte not yet applied (and proxied). */
        private int appliedFrom;
        volatile long readReploff;
        // a full sync
        private String fullReplId;
        private long fullOffset;
        volatile long transferSize = -1;
        volatile long transferRead;
        private byte[] mark;
        private byte[] held = new byte[0];
        private OutputStream payload;
        private Path tmpFile;
        private Pipe pipe;
        private boolean disklessLoad;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ch = ctx.channel();
            in = ctx.alloc().heapBuffer(1024);
            if (link != this) { // REPLICAOF changed its mind while we connected
                ch.close();
                return;
            }
            Log.notice("Non blocking connect for SYNC fired the event.");
            state = State.HANDSHAKE;
            lastIo = System.currentTimeMillis();
            send("PING");
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            try {
                if (closed) return;
                lastIo = System.currentTimeMillis();
                if (phase == Phase.STREAM) readReploff += data.readableBytes();
                in.writeBytes(data);
            } finally {
                data.release();
            }
            try {
                process();
            } catch (IOException | RuntimeException e) {
                Log.warning("Replication link with MASTER failed: " + messageOf(e));
                close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closed && phase == Phase.STREAM) Log.notice("Connection with master lost.");
            released();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Log.warning("Error condition on socket for SYNC: " + messageOf(cause));
            ctx.close();
        }

        /** Closes the link (from any thread); {@link #released} cleans up. */
        void close() {
            Channel c = ch;
            if (c != null) c.close();
            else released();
        }

        /** The connection is gone: the master client and any transfer are dropped. */
        private void released() {
            if (closed) return;
            closed = true;
            if (pipe != null) pipe.abort();
            if (payload != null) {
                try {
                    payload.close();
                } catch (IOException ignored) {
                    // the file is deleted next
                }
                payload = null;
            }
            if (tmpFile != null && phase != Phase.LOADING) deleteQuietly(tmpFile);
            Client m = master;
            if (m != null) {
                master = null;
                masterDb = m.db();
                Log.notice("Caching the disconnected master state.");
                host.closed(m);
            }
            if (in != null) {
                in.release();
                in = null;
            }
            linkFailed(this);
        }

        /** Steps through what the buffer holds, by phase. */
        private void process() throws IOException {
            while (!closed) {
                switch (phase) {
                    case PING_REPLY -> {
                        String r = line();
                        if (r == null) return;
                        if (!r.startsWith("+") && !r.startsWith("-NOAUTH") && !r.startsWith("-NOPERM")
                                && !r.startsWith("-ERR operation not permitted")) {
                            Log.warning("Error reply to PING from master: '" + r + "'");
                            close();
                            return;
                        }
                        Log.notice("Master replied to PING, replication can continue...");
                        handshake();
                    }
                    case AUTH_REPLY -> {
                        String r = line();
                        if (r == null) return;
                        if (r.startsWith("-")) {
                            Log.warning("Unable to AUTH to MASTER: " + r);
                            close();
                            return;
                        }
                        phase = Phase.PORT_REPLY;
                    }
                    case PORT_REPLY -> {
                        String r = line();
                        if (r == null) return;
                        if (r.startsWith("-")) Log.notice("(Non critical) Master does not understand REPLCONF listening-port: " + r);
                        phase = announceIp.isEmpty() ? Phase.CAPA_REPLY : Phase.IP_REPLY;
                    }
                    case IP_REPLY -> {
                        String r = line();
                        if (r == null) return;
                        if (r.startsWith("-")) Log.notice("(Non critical) Master does not understand REPLCONF ip-address: " + r);
                        phase = Phase.CAPA_REPLY;
                    }
                    case CAPA_REPLY -> {
                        String r = line();
                        if (r == null) return;
                        if (r.startsWith("-")) Log.notice("(Non critical) Master does not understand REPLCONF capa: " + r);
                        psync();
                    }
                    case PSYNC_REPLY -> {
                        String r = line();
                        if (r == null) return;
                        if (!r.isEmpty()) psyncReply(r); // empty lines keep the link alive meanwhile
                    }
                    case BULK_HEADER -> {
                        String r = line();
                        if (r == null) return;
                        if (!r.isEmpty()) bulkHeader(r);
                    }
                    case BULK -> {
                        if (!payload()) return;
                    }
                    case LOADING -> {
                        return;
                    }
                    case STREAM -> {
                        applyStream();
                        return;
                    }
                }
            }
        }

        /** One CRLF (or LF) terminated line, without its terminator; null until complete. */
        private String line() {
            int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (lf < 0) {
                if (in.readableBytes() > 64 * 1024) throw new IllegalStateException("line from master too long");
                return null;
            }
            int end = lf > in.readerIndex() && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            String s = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
            in.readerIndex(lf + 1);
            in.discardReadBytes();
            return s;
        }

        /** AUTH, REPLCONF listening-port, ip-address and capa, sent together (Redis's SEND_HANDSHAKE). */
        private void handshake() {
            if (!masterAuth.isEmpty()) {
                if (masterUser.isEmpty()) send("AUTH", masterAuth);
                else send("AUTH", masterUser, masterAuth);
            }
            send("REPLCONF", "listening-port", Integer.toString(announcePort != 0 ? announcePort : host.port()));
            if (!announceIp.isEmpty()) send("REPLCONF", "ip-address", announceIp);
            send("REPLCONF", "capa", "eof", "capa", "psync2");
            phase = masterAuth.isEmpty() ? Phase.PORT_REPLY : Phase.AUTH_REPLY;
        }

        /** PSYNC replid offset+1 when this server's history may continue, else PSYNC ? -1. */
        private void psync() {
            if (cachedMaster) {
                String id = source.replId();
                String off = Long.toString(source.offset() + 1);
                Log.notice("Trying a partial resynchronization (request " + id + ":" + off + ").");
                // a master failing over asks its replica to take over (Redis's PSYNC ... FAILOVER)
                Failover f = failover;
                if (f != null && f.inProgress()) send("PSYNC", id, off, "FAILOVER");
                else send("PSYNC", id, off);
            } else {
                Log.notice("Partial resynchronization not possible (no cached master)");
                send("PSYNC", "?", "-1");
            }
            phase = Phase.PSYNC_REPLY;
        }

        /** Redis's slaveTryPartialResynchronization, reading half. */
        private void psyncReply(String r) throws IOException {
            Failover f = failover;
            if (f != null && f.inProgress()) {
                boolean accepted = r.startsWith("+FULLRESYNC") || r.startsWith("+CONTINUE");
                f.psyncAnswered(accepted);
                if (!accepted) return; // aborted: this server is a master again
            }
            if (r.startsWith("+FULLRESYNC")) {
                String[] w = r.split(" ");
                if (w.length < 3 || w[1].length() != MARK_SIZE) {
                    Log.warning("Master replied with wrong +FULLRESYNC syntax.");
                    fullReplId = null;
                } else {
                    fullReplId = w[1];
                    fullOffset = Long.parseLong(w[2].trim());
                    Log.notice("Full resync from master: " + fullReplId + ":" + fullOffset);
                }
                startTransfer();
                return;
            }
            if (r.startsWith("+CONTINUE")) {
                Log.notice("Successful partial resynchronization with master.");
                String id = r.length() >= 10 + MARK_SIZE ? r.substring(10, 10 + MARK_SIZE) : null;
                if (id != null) source.continueAs(id);
                source.follow(source.replId(), source.offset(), MasterLink.this::currentMasterDb, false);
                Log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
                streaming(masterDb);
                return;
            }
            if (r.startsWith("-NOMASTERLINK") || r.startsWith("-LOADING")) {
                Log.notice("Master is currently unable to PSYNC but should be in the future: " + r);
                close();
                return;
            }
            if (r.startsWith("-ERR")) Log.notice("Master does not support PSYNC or is in error state (reply: " + r + ")");
            else Log.warning("Unexpected reply to PSYNC from master: " + r);
            // the pre-PSYNC protocol: SYNC and an image, with no id or offset to continue later
            Log.notice("Retrying with SYNC...");
            ch.writeAndFlush(Unpooled.copiedBuffer("SYNC\r\n", StandardCharsets.US_ASCII));
            fullReplId = null;
            startTransfer();
        }

        /** The image follows: to a temp file, or (repl-diskless-load) straight into the keyspace. */
        private void startTransfer() throws IOException {
            state = State.TRANSFER;
            transferSize = -1;
            transferRead = 0;
            // Redis's useDisklessLoad for on-empty-db: only when there is nothing to lose. swapdb
            // promises the current data survives a failed transfer; Basalt keeps that promise by
            // receiving the whole image into a file before it empties anything (the memory of a
            // second dataset is not needed, the disk write is the cost)
            disklessLoad = MasterLink.this.disklessLoad.equals("on-empty-db") && keyspaceEmpty();
            if (!disklessLoad) {
                Path dir = host.rdbPath().toAbsolutePath().getParent();
                tmpFile = dir.resolve("temp-" + System.currentTimeMillis() / 1000 + "." + ProcessHandle.current().pid() + ".rdb");
                payload = new java.io.BufferedOutputStream(Files.newOutputStream(tmpFile), 1 << 16);
            }
            phase = Phase.BULK_HEADER;
        }

        private boolean keyspaceEmpty() {
            for (int s = 0; s < keyspace.shardCount(); s++) {
                for (int db = 0; db < keyspace.databases(); db++) if (keyspace.shard(s).size(db) > 0) return false;
            }
            return true;
        }

        /** "$EOF:mark" (the image ends with the mark) or "$size"; errors end the attempt. */
        private void bulkHeader(String r) throws IOException {
            if (r.startsWith("-")) {
                Log.warning("MASTER aborted replication with an error: " + r.substring(1));
                close();
                return;
            }
            if (!r.startsWith("$")) {
                Log.warning("Bad protocol from MASTER, the first byte is not '$' (we received '" + r
                        + "'), are you sure the host and port are right?");
                close();
                return;
            }
            String to = disklessLoad ? "to parser" : "to disk";
            if (r.startsWith("$EOF:") && r.length() >= 5 + MARK_SIZE) {
                mark = r.substring(5, 5 + MARK_SIZE).getBytes(StandardCharsets.ISO_8859_1);
                transferSize = 0;
                Log.notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF " + to);
            } else {
                mark = null;
                transferSize = Long.parseLong(r.substring(1).trim());
                Log.notice("MASTER <-> REPLICA sync: receiving " + transferSize + " bytes from master " + to);
            }
            phase = Phase.BULK;
            if (disklessLoad) {
                pipe = new Pipe(ch);
                payload = pipe;
                startLoader(); // loads while the bytes arrive
            }
        }

        /**
         * Moves image bytes from the buffer to where they go; true once the image is complete
         * (the bytes after it, if any, are the stream and stay in the buffer).
         */
        private boolean payload() throws IOException {
            if (!in.isReadable()) return false;
            boolean done;
            if (mark == null) {
                int n = (int) Math.min(in.readableBytes(), transferSize - transferRead);
                write(in, n);
                done = transferRead == transferSize;
            } else {
                // the last MARK_SIZE bytes seen are held back until we know they are not the mark
                int avail = in.readableBytes();
                byte[] buf = new byte[held.length + avail];
                System.arraycopy(held, 0, buf, 0, held.length);
                in.readBytes(buf, held.length, avail);
                int at = indexOf(buf, mark);
                if (at >= 0) {
                    payloadBytes(buf, 0, at);
                    int after = at + MARK_SIZE;
                    ByteBuf rest = in.alloc().heapBuffer(Math.max(256, buf.length - after + in.readableBytes()));
                    rest.writeBytes(buf, after, buf.length - after);
                    rest.writeBytes(in);
                    in.release();
                    in = rest;
                    done = true;
                } else {
                    int keep = Math.min(MARK_SIZE, buf.length);
                    payloadBytes(buf, 0, buf.length - keep);
                    held = java.util.Arrays.copyOfRange(buf, buf.length - keep, buf.length);
                    done = false;
                }
            }
            in.discardReadBytes();
            if (!done) return false;
            imageReceived();
            return true;
        }

        private void write(ByteBuf from, int n) throws IOException {
            byte[] b = new byte[n];
            from.readBytes(b);
            payloadBytes(b, 0, n);
        }

        private void payloadBytes(byte[] b, int off, int len) throws IOException {
            if (len == 0) return;
            payload.write(b, off, len);
            transferRead += len;
        }

        /** The whole image is here: load it (from the file) or let the loader finish (diskless). */
        private void imageReceived() throws IOException {
            phase = Phase.LOADING;
            // the stream after the image waits until it is loaded
            ch.config().setAutoRead(false);
            if (disklessLoad) {
                pipe.finish();
                return;
            }
            payload.close();
            payload = null;
            startLoader();
        }

        /**
         * Loads the image off the event loop (other clients on it go on, getting -LOADING):
         * Redis's replicationAttachToNewMaster, emptyData, then the load; the stream starts
         * when it is done.
         */
        private void startLoader() {
            Thread t = new Thread(() -> {
                Map<String, byte[]> aux;
                try {
                    source.attachToNewMaster();
                    cachedMaster = false;
                    Log.notice("MASTER <-> REPLICA sync: Flushing old data");
                    host.emptyData();
                    Log.notice("MASTER <-> REPLICA sync: Loading DB in memory");
                    if (disklessLoad) {
                        aux = host.loadImage(pipe.input, transferSize > 0 ? transferSize : -1);
                        pipe.drain();
                    } else {
                        Path rdb = host.rdbPath();
                        Files.move(tmpFile, rdb, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        tmpFile = null;
                        try (InputStream f = new java.io.BufferedInputStream(Files.newInputStream(rdb), 1 << 16)) {
                            aux = host.loadImage(f, Files.size(rdb));
                        } finally {
                            if (delSyncFiles && host.persistenceDisabled()) {
                                Log.notice("Removing the RDB file obtained from the master. This replica has persistence disabled");
                                deleteQuietly(rdb);
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    Log.warning("Failed trying to load the MASTER synchronization DB from "
                            + (disklessLoad ? "socket" : "disk") + ": " + messageOf(e));
                    // no half-loaded dataset is left behind
                    host.emptyData();
                    if (tmpFile != null) deleteQuietly(tmpFile);
                    close();
                    return;
                }
                Map<String, byte[]> loaded = aux;
                ch.eventLoop().execute(() -> synced(loaded));
            }, "basalt-repl-load");
            t.setDaemon(true);
            t.start();
        }

        /** Redis's end of readSyncBulkPayload: the master client, the master's history, the stream. */
        private void synced(Map<String, byte[]> aux) {
            if (closed) return;
            int db = 0;
            byte[] sdb = aux.get("repl-stream-db");
            if (sdb != null) {
                try {
                    db = Integer.parseInt(new String(sdb, StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    db = 0;
                }
            }
            if (fullReplId != null) source.follow(fullReplId, fullOffset, MasterLink.this::currentMasterDb, true);
            else source.follow(ReplicationSource.randomId(), 0, MasterLink.this::currentMasterDb, true);
            Log.notice("MASTER <-> REPLICA sync: Finished with success");
            streaming(db);
            // the master puts a diskless replica online with its first ACK
            if (mark != null) sendAck();
            host.afterFullSync();
            ch.config().setAutoRead(true);
            try {
                process();
            } catch (IOException | RuntimeException e) {
                Log.warning("Replication link with MASTER failed: " + messageOf(e));
                close();
            }
        }

        /** The link is in sync: commands from here on are the master's stream. */
        private void streaming(int db) {
            Client m = host.masterClient(ch);
            m.db(db);
            m.out().target(Unpooled.buffer(256));
            master = m;
            masterDb = db;
            parser = new RespParser();
            parser.maxBulkLength(Long.MAX_VALUE); // a master's arguments are not limited (Redis)
            appliedFrom = in.readerIndex();
            readReploff = source.offset() + in.readableBytes();
            cachedMaster = fullReplId != null || phase == Phase.PSYNC_REPLY;
            phase = Phase.STREAM;
            downSince = 0;
            state = State.CONNECTED;
        }

        /**
         * Applies every complete command of the stream. The offset moves (and the bytes are
         * proxied) after each command, or after the EXEC that ends a transaction, under the
         * lock a snapshot's instant also takes (see {@link ReplicationSource#applying}).
         */
        private void applyStream() {
            ReentrantLock applying = source.applying();
            Client m = master;
            while (!closed && m != null) {
                int r = parser.parse(in);
                if (r == RespParser.NEED_MORE) break;
                if (r == RespParser.ERROR) {
                    Log.warning("Protocol error from master: " + parser.error());
                    close();
                    return;
                }
                applying.lock();
                try {
                    m.beginReply();
                    host.dispatcher().dispatch(m, parser.request());
                    m.out().target().clear();
                    if (!ExecState.inMulti(m)) {
                        int end = in.readerIndex();
                        source.proxy(in, appliedFrom, end - appliedFrom);
                        appliedFrom = end;
                    }
                } finally {
                    applying.unlock();
                }
            }
            if (in != null && parser.betweenCommands() && appliedFrom == in.readerIndex() && appliedFrom > 0) {
                int delta = in.readerIndex();
                in.discardReadBytes();
                parser.shift(delta);
                appliedFrom = 0;
            }
        }

        /** REPLCONF ACK offset: how far this replica applied the stream. */
        void sendAck() {
            Channel c = ch;
            if (closed || master == null || c == null) return;
            ByteBuf b = Unpooled.buffer(64);
            encode(b, "REPLCONF", "ACK", Long.toString(source.offset()));
            c.writeAndFlush(b);
        }

        private void send(String... argv) {
            ByteBuf b = ch.alloc().buffer(64);
            encode(b, argv);
            ch.writeAndFlush(b);
        }
    }

    private static void encode(ByteBuf b, String... argv) {
        b.writeCharSequence("*" + argv.length + "\r\n", StandardCharsets.US_ASCII);
        for (String a : argv) {
            byte[] v = a.getBytes(StandardCharsets.UTF_8);
            b.writeCharSequence("$" + v.length + "\r\n", StandardCharsets.US_ASCII);
            b.writeBytes(v);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a stale temp file in dir is harmless
        }
    }

    /**
     * The image on its way from the socket to the loader thread (repl-diskless-load): chunks
     * queue here, and the socket stops being read while too many wait, so a slow load never
     * holds more than a few megabytes of the image in memory.
     */
    private static final class Pipe extends OutputStream {
        private static final byte[] END = new byte[0];
        private static final long HIGH = 8 << 20;
        private static final long LOW = 2 << 20;
        private final Channel ch;
        private final java.util.concurrent.LinkedBlockingQueue<byte[]> chunks = new java.util.concurrent.LinkedBlockingQueue<>();
        private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean aborted;
        private volatile boolean paused;
        private byte[] current;
        private int pos;
        private boolean ended;
        final InputStream input = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                while (current == null || pos == current.length) {
                    if (ended) return -1;
                    byte[] c;
                    try {
                        c = chunks.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                    if (aborted) throw new IOException("connection lost");
                    if (c == null) continue;
                    if (c == END) {
                        ended = true;
                        return -1;
                    }
                    current = c;
                    pos = 0;
                    if (queued.addAndGet(-c.length) < LOW && paused) {
                        paused = false;
                        ch.config().setAutoRead(true);
                    }
                }
                int n = Math.min(len, current.length - pos);
                System.arraycopy(current, pos, b, off, n);
                pos += n;
                return n;
            }
        };

        Pipe(Channel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            chunks.add(java.util.Arrays.copyOfRange(b, off, off + len));
            if (queued.addAndGet(len) > HIGH && !paused) {
                paused = true;
                ch.config().setAutoRead(false);
            }
        }

        void finish() { chunks.add(END); }

        void abort() {
            aborted = true;
            chunks.add(END);
        }

        /** After the image: anything the loader left unread must be nothing but the end. */
        void drain() throws IOException {
            byte[] rest = new byte[4096];
            if (input.read(rest, 0, rest.length) > 0) throw new IOException("extra bytes after the image");
        }
    }
}
