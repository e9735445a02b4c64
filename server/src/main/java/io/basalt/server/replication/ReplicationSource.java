package io.basalt.server.replication;

import io.basalt.persistence.RdbWriter;
import io.basalt.data.Keyspace;
import io.basalt.server.exec.EffectStream;
import io.basalt.server.client.Client;
import io.basalt.server.exec.Effect;
import io.basalt.server.exec.EffectSink;
import io.basalt.server.module.ServerModule;
import io.basalt.server.util.Log;
import io.basalt.server.config.Config;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The master side of Redis 7.0's replication protocol: a sink of the effect stream that encodes
 * every effect as Redis's replication stream (RESP commands, SELECT when the database changes),
 * counts {@code master_repl_offset} in bytes of that stream, keeps the backlog for partial
 * resyncs (PSYNC replid offset: +CONTINUE), and serves full resyncs (+FULLRESYNC) from the
 * forkless snapshot: the image is taken at one instant under all shard locks, the offset it
 * stands at is the one +FULLRESYNC announces, and the effects after that instant are buffered for
 * the replica until its image has been sent. Writers are never stopped for a sync.
 *
 * <p>Locking: {@link #accept} runs under the writes' shard locks and the stream's lock, then this
 * object's; the snapshot instant runs under every shard lock, then this object's; the cron's PING
 * takes only this object's. So the replication stream has one total order, the execution order.
 */
public final class ReplicationSource implements EffectSink, ServerModule {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final String NO_ID = "0000000000000000000000000000000000000000";

    private final EffectStream effects;
    private final Keyspace keyspace;
    /** The RDB options of the server's snapshots (compression, checksum, LRU/LFU fields). */
    private final java.util.function.Supplier<RdbWriter.Options> rdbOptions;
    private volatile String dir = ".";
    // replication ids and offsets (Redis's server.replid/replid2/master_repl_offset/second_replid_offset)
    private String replId;
    private String replId2 = NO_ID;
    private long secondReplOffset = -1;
    /** Written under this object's lock; volatile so that readers (metrics, INFO) need not take it. */
    private volatile long offset;
    /** The database of the last SELECT in the stream (-1: the next effect emits one). */
    private int streamDb = -1; // guarded by this
    private Backlog backlog; // guarded by this; null until the first replica asks to sync
    private long backlogIdleSince = -1;
    private boolean subscribed;
    private final List<Replica> replicas = new CopyOnWriteArrayList<>();
    /** What each connection told with REPLCONF before (and after) it became a replica. */
    private final Map<Client, Replica> handshakes = new ConcurrentHashMap<>();
    private final ByteBuf encoded = Unpooled.buffer(256); // guarded by this
    /**
     * While this server is a replica: the stream is its master's, proxied byte for byte
     * ({@link #proxy}), so replicas of this one see the master's offsets and ids; its own
     * effects are not encoded (Redis's replicationFeedStreamFromMasterStream).
     */
    private volatile boolean following;
    /** The database the master's stream is in at a snapshot instant (the master client's). */
    private volatile java.util.function.IntSupplier masterDb = () -> 0;
    /**
     * Held while a command of the master's stream is applied and proxied, and at a snapshot's
     * instant, so an image never holds a command its offset does not count (taken before any
     * shard lock).
     */
    private final java.util.concurrent.locks.ReentrantLock applying = new java.util.concurrent.locks.ReentrantLock();

    // configuration
    private volatile long backlogSize = 1 << 20;
    private volatile long backlogTtl = 3600;
    private volatile boolean disklessSync = true;
    private volatile int disklessDelay = 5;
    private volatile int disklessMaxReplicas;
    private volatile int pingPeriod = 10;
    private volatile int replTimeout = 60;
    private long lastPing;
    // INFO stats: sync_full, sync_partial_ok, sync_partial_err
    private final java.util.concurrent.atomic.AtomicLong syncFull = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong syncPartialOk = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong syncPartialErr = new java.util.concurrent.atomic.AtomicLong();

    public ReplicationSource(EffectStream effects, Keyspace keyspace, java.util.function.Supplier<RdbWriter.Options> rdbOptions) {
        this.effects = effects;
        this.keyspace = keyspace;
        this.rdbOptions = rdbOptions;
        this.replId = randomId();
    }

    static String randomId() {
        byte[] id = new byte[20];
        new SecureRandom().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    @Override
    public void bind(Config config) {
        config.bind("repl-backlog-size", v -> resizeBacklog(Long.parseLong(v)));
        config.bind("repl-backlog-ttl", v -> backlogTtl = Long.parseLong(v));
        config.bind("repl-diskless-sync", v -> disklessSync = v.equals("yes"));
        config.bind("repl-diskless-sync-delay", v -> disklessDelay = Integer.parseInt(v));
        config.bind("repl-diskless-sync-max-replicas", v -> disklessMaxReplicas = Integer.parseInt(v));
        config.bind("repl-ping-replica-period", v -> pingPeriod = Integer.parseInt(v));
        config.bind("repl-timeout", v -> replTimeout = Integer.parseInt(v));
        config.bind("dir", v -> dir = v);
        config.bind("client-output-buffer-limit", v -> outputLimit = io.basalt.server.config.ClientOutputBufferLimit.parse(v).get("slave"));
        config.bind("min-replicas-to-write", v -> minReplicasToWrite = Integer.parseInt(v));
        config.bind("min-replicas-max-lag", v -> minReplicasMaxLag = Integer.parseInt(v));
    }

    private volatile int minReplicasToWrite;
    /** client-output-buffer-limit replica: what a replica may have pending before it is dropped. */
    private volatile io.basalt.server.config.ClientOutputBufferLimit.Limit outputLimit;
    private volatile int minReplicasMaxLag = 10;

    /**
     * Redis's checkGoodReplicasStatus: with min-replicas-to-write and min-replicas-max-lag set,
     * a master accepts writes only while that many online replicas acknowledged within the lag.
     */
    public boolean enoughGoodReplicas() {
        int need = minReplicasToWrite;
        return following || need == 0 || minReplicasMaxLag == 0 || goodReplicas() >= need;
    }

    /** Online replicas whose last ACK is at most min-replicas-max-lag seconds old. */
    private int goodReplicas() {
        long now = System.currentTimeMillis();
        int n = 0;
        for (Replica r : replicas) {
            if (r.state == Replica.State.ONLINE && (now - r.lastAckMillis) / 1000 <= minReplicasMaxLag) n++;
        }
        return n;
    }

    /** Redis's resizeReplicationBacklog: the history kept is trimmed to the new size. */
    private synchronized void resizeBacklog(long size) {
        backlogSize = Math.max(16 * 1024, size); // Redis's CONFIG_REPL_BACKLOG_MIN_SIZE
        if (backlog != null) backlog = backlog.resized((int) Math.min(Integer.MAX_VALUE - 8, backlogSize));
    }

    // ---------------------------------------------------------------- the stream

    /**
     * A unit of the effect stream, under the writes' locks: appended to the stream as Redis's
     * replicationFeedSlaves does (a SELECT first when the database changes), counted in the
     * offset, kept in the backlog and sent to every replica.
     */
    @Override
    public synchronized void accept(long seq, List<Effect> effects) {
        if (following) return; // a replica's stream is its master's (see proxy)
        try {
            encodeUnit(effects);
        } finally {
            // where each unit ends in the stream, for WAIT (Redis's c->woff)
            int i = (int) (seq & (UNIT_ENDS - 1));
            unitSeqs[i] = seq;
            unitEnds[i] = offset;
        }
    }

    private static final int UNIT_ENDS = 4096;
    /** The stream offset at the end of the last units, by sequence number (a ring). */
    private final long[] unitSeqs = new long[UNIT_ENDS];
    private final long[] unitEnds = new long[UNIT_ENDS];

    /**
     * The stream offset a client's last write reached (WAIT's target): exact for the last
     * {@value #UNIT_ENDS} units, else the current offset (a wait for at least as much).
     */
    public synchronized long offsetOfUnit(long seq) {
        if (seq <= 0) return 0;
        int i = (int) (seq & (UNIT_ENDS - 1));
        return unitSeqs[i] == seq ? unitEnds[i] : offset;
    }

    private void encodeUnit(List<Effect> effects) {
        ByteBuf b = encoded;
        b.clear();
        for (Effect e : effects) {
            if (e.db() >= 0 && e.db() != streamDb) {
                encode(b, "SELECT".getBytes(StandardCharsets.US_ASCII), Integer.toString(e.db()).getBytes(StandardCharsets.US_ASCII));
                streamDb = e.db();
            }
            encode(b, e.argv());
        }
        feed(b);
    }

    private static void encode(ByteBuf b, byte[]... argv) {
        header(b, '*', argv.length);
        for (byte[] a : argv) {
            header(b, '$', a.length);
            b.writeBytes(a);
            b.writeBytes(CRLF);
        }
    }

    private static void header(ByteBuf b, char type, long n) {
        b.writeByte(type);
        b.writeCharSequence(Long.toString(n), StandardCharsets.US_ASCII);
        b.writeBytes(CRLF);
    }

    /** Appends encoded stream bytes: backlog, offset, every replica (this object's lock held). */
    private void feed(ByteBuf b) {
        int len = b.readableBytes();
        if (len == 0 || closed) return;
        if (backlog != null) backlog.append(b.array(), b.arrayOffset() + b.readerIndex(), len);
        offset += len;
        for (Replica r : replicas) r.feed(b.array(), b.arrayOffset() + b.readerIndex(), len);
    }

    // ---------------------------------------------------------------- replication info in the RDB

    /**
     * Redis's rdbPopulateSaveInfo for a save: when this server has a replication history (a
     * backlog, or a master it follows) the RDB records its id, offset and stream database as of
     * the snapshot instant, so after a restart replicas (or this replica) can continue it.
     */
    public void populateSaveInfo(RdbWriter.Options o) {
        o.instantLock = applying;
        o.atInstant = () -> {
            synchronized (this) {
                if (backlog == null && !following) return;
                o.replId = replId;
                o.replOffset = offset;
                o.replStreamDb = following ? masterDb.getAsInt() : Math.max(0, streamDb);
            }
        };
    }

    /**
     * After loading the RDB at startup (Redis's loadDataFromDisk): a replica takes the recorded
     * history as its own, to ask its master to continue it (returns the stream database for its
     * master client); a master keeps it as its second id up to the recorded offset, so its
     * replicas continue with a partial resync. Returns -1 when the RDB holds no history.
     */
    public int restoreFromRdb(Map<String, byte[]> aux, boolean replica) {
        byte[] id = aux.get("repl-id");
        byte[] off = aux.get("repl-offset");
        if (id == null || off == null || id.length != 40) return -1;
        long o;
        int db = 0;
        try {
            o = Long.parseLong(new String(off, StandardCharsets.US_ASCII));
            byte[] sdb = aux.get("repl-stream-db");
            if (sdb != null) db = Integer.parseInt(new String(sdb, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
        String rid = new String(id, StandardCharsets.US_ASCII);
        synchronized (this) {
            if (replica) {
                replId = rid;
            } else {
                replId2 = rid;
                secondReplOffset = o + 1;
                backlogIdleSince = System.currentTimeMillis();
            }
            offset = o;
            backlog = new Backlog((int) Math.min(Integer.MAX_VALUE - 8, backlogSize), o);
            streamDb = -1;
        }
        if (!replica) subscribe();
        return db;
    }

    // ---------------------------------------------------------------- as a replica

    /** The lock a replica holds while it applies and proxies one command of its master's stream. */
    java.util.concurrent.locks.ReentrantLock applying() { return applying; }

    /**
     * Bytes of the master's stream this replica has just applied (the applying lock held): its
     * offset moves on, its backlog and its own replicas get them as they came.
     */
    synchronized void proxy(ByteBuf in, int from, int len) {
        if (len <= 0 || closed) return;
        if (backlog != null || !replicas.isEmpty()) {
            // one copy for the backlog and every replica (each copies it into its own buffer)
            byte[] b = new byte[len];
            in.getBytes(from, b);
            if (backlog != null) backlog.append(b, 0, len);
            for (Replica r : replicas) r.feed(b, 0, len);
        }
        offset += len;
    }

    /**
     * Redis's replicationAttachToNewMaster, before a full sync's image is loaded: this server's
     * history ends (its replicas must resync, the backlog goes).
     */
    void attachToNewMaster() {
        disconnectReplicas();
        synchronized (this) {
            backlog = null;
        }
    }

    /**
     * After a full sync (or on becoming a replica of a master that continues this history): the
     * stream is the master's, at its id and offset; a fresh backlog starts there, so a promoted
     * replica can serve partial resyncs (Redis creates one on every replica).
     */
    void follow(String masterReplId, long masterOffset, java.util.function.IntSupplier db, boolean newHistory) {
        synchronized (this) {
            following = true;
            masterDb = db;
            if (newHistory) {
                replId = masterReplId;
                replId2 = NO_ID;
                secondReplOffset = -1;
                offset = masterOffset;
                backlog = null;
            }
            if (backlog == null) backlog = new Backlog((int) Math.min(Integer.MAX_VALUE - 8, backlogSize), offset);
        }
    }

    /**
     * +CONTINUE with another replication id (the master was promoted): the old id stays valid as
     * the second one up to here, and this server's replicas reconnect to learn the new one.
     */
    void continueAs(String newReplId) {
        synchronized (this) {
            if (newReplId.equals(replId)) return;
            Log.warning("Master replication ID changed to " + newReplId);
            replId2 = replId;
            secondReplOffset = offset + 1;
            replId = newReplId;
        }
        disconnectReplicas();
    }

    /**
     * REPLICAOF NO ONE (Redis's replicationUnsetMaster and shiftReplicationId): the inherited
     * history is kept as the second id up to here, a new id starts, and the replicas reconnect
     * (to continue with a partial resync). The stream from here on is this server's own.
     */
    void promote() {
        synchronized (this) {
            following = false;
            replId2 = replId;
            secondReplOffset = offset + 1;
            replId = randomId();
            streamDb = -1;
            backlogIdleSince = -1;
            Log.notice("Setting secondary replication ID to " + replId2 + ", valid up to offset: " + secondReplOffset
                    + ". New replication ID is " + replId);
        }
        disconnectReplicas();
        if (backlog != null) subscribe();
    }

    /** Set by a shutdown once its files are final: the stream ends there. */
    private volatile boolean closed;

    /** A shutdown made its files final: nothing more goes into the stream, the replicas are dropped. */
    public void close() {
        synchronized (this) {
            closed = true;
        }
        disconnectReplicas();
    }

    /** Whether the stream is a master's, proxied (this server is a replica). */
    public boolean following() { return following; }

    private void disconnectReplicas() {
        for (Replica r : replicas) r.client.kill();
    }

    /** The cron: PINGs into the stream every repl-ping-replica-period, timeouts, the backlog's TTL. */
    @Override
    public void cron() {
        long now = System.currentTimeMillis();
        synchronized (this) {
            // a replica's replicas get its master's PINGs, through the proxied stream
            if (!following && !replicas.isEmpty() && now - lastPing >= pingPeriod * 1000L) {
                lastPing = now;
                // Redis's replicationCron: a PING in the stream lets replicas detect a dead master;
                // it counts in the offset like any record (but goes to no AOF)
                ByteBuf b = encoded;
                b.clear();
                encode(b, "PING".getBytes(StandardCharsets.US_ASCII));
                feed(b);
            }
            for (Replica r : replicas) {
                if (r.state == Replica.State.ONLINE && r.lastAckMillis > 0 && now - r.lastAckMillis > replTimeout * 1000L) {
                    Log.warning("Disconnecting timedout replica (streaming sync): " + r.name());
                    r.client.kill();
                }
            }
            if (backlog != null && replicas.isEmpty() && !following) {
                if (backlogIdleSince < 0) backlogIdleSince = now;
                if (backlogTtl > 0 && now - backlogIdleSince >= backlogTtl * 1000) {
                    // Redis frees the backlog once no replica was attached for repl-backlog-ttl,
                    // and changes the replication id (a later PSYNC cannot continue from here)
                    Log.notice("Replication backlog freed after " + backlogTtl + " seconds without connected replicas.");
                    backlog = null;
                    replId2 = NO_ID;
                    secondReplOffset = -1;
                    replId = randomId();
                }
            } else {
                backlogIdleSince = -1;
            }
        }
        startWaitingSyncs(now, false);
        if (!waiters.isEmpty()) serveWaiters(true);
    }

    // ---------------------------------------------------------------- REPLCONF, PSYNC, SYNC

    /** REPLCONF's options (listening-port, ip-address, capa): remembered for the connection. */
    public void handshake(Client c, String option, String value) {
        Replica r = handshakes.computeIfAbsent(c, Replica::new);
        switch (option) {
            case "listening-port" -> r.listeningPort = Integer.parseInt(value);
            case "ip-address" -> r.announcedIp = value;
            case "capa" -> {
                if (value.equalsIgnoreCase("eof")) r.capaEof = true;
                else if (value.equalsIgnoreCase("psync2")) r.capaPsync2 = true;
            }
            case "rdb-filter-only" -> r.excludeData = true;
            default -> { }
        }
    }

    /** REPLCONF ACK offset: the replica has processed the stream up to there. */
    public void ack(Client c, long ackOffset) {
        Replica r = handshakes.get(c);
        if (r == null || !replicas.contains(r)) return;
        synchronized (this) {
            if (ackOffset > r.ackOffset) r.ackOffset = ackOffset;
            r.lastAckMillis = System.currentTimeMillis();
            // a diskless sync goes online with the first ACK: the replica has loaded the image
            // and reads the socket again (Redis's repl_start_cmd_stream_on_ack)
            if (r.state == Replica.State.WAIT_ACK) r.goOnline();
        }
        if (!waiters.isEmpty()) serveWaiters(false);
    }

    // ---------------------------------------------------------------- WAIT

    /** A client blocked in WAIT: for {@code replicas} acknowledgements of {@code target}. */
    private record Waiter(Client client, long target, long replicas, long deadline) {}

    private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
    private volatile boolean ackRequested;

    /**
     * WAIT numreplicas timeout, once fewer replicas than asked have acknowledged the client's
     * last write: the client blocks, and every replica is asked for an ACK (REPLCONF GETACK in the
     * stream, as Redis's replicationRequestAckFromSlaves).
     */
    public void await(Client c, long target, long replicas, long timeoutMillis) {
        c.blockRequested();
        waiters.add(new Waiter(c, target, replicas, timeoutMillis > 0 ? System.currentTimeMillis() + timeoutMillis : 0));
        ackRequested = true;
        c.channel().eventLoop().execute(this::requestAcks);
    }

    // ---------------------------------------------------------------- SHUTDOWN

    /** Redis's isReadyToShutdown: every replica acknowledged the whole stream. */
    public synchronized boolean replicasCaughtUp() {
        if (following) return true;
        for (Replica r : replicas) if (r.ackOffset != offset) return false;
        return true;
    }

    /** Asks every replica for an ACK now (a shutdown waiting for them). */
    public void requestAcksNow() {
        ackRequested = true;
        requestAcks();
    }

    /** At the end of a shutdown's wait: the replicas still behind, as Redis logs them. */
    public synchronized void logLaggingReplicas() {
        long now = System.currentTimeMillis();
        for (Replica r : replicas) {
            if (r.ackOffset == offset) continue;
            Log.warning("Lagging replica " + r.name() + " reported offset " + r.ackOffset + " behind master, lag="
                    + (r.lastAckMillis > 0 ? (now - r.lastAckMillis) / 1000 : 0) + ", state=" + r.state.info + ".");
        }
    }

    /** REPLCONF GETACK * into the stream (once for any number of WAITs since the last one). */
    private void requestAcks() {
        if (!ackRequested) return;
        synchronized (this) {
            ackRequested = false;
            if (following || replicas.isEmpty()) return;
            ByteBuf b = encoded;
            b.clear();
            encode(b, "REPLCONF".getBytes(StandardCharsets.US_ASCII), "GETACK".getBytes(StandardCharsets.US_ASCII),
                    "*".getBytes(StandardCharsets.US_ASCII));
            feed(b);
        }
    }

    /** Replies to the WAITs that are satisfied (or, with {@code timeouts}, whose time is up). */
    private void serveWaiters(boolean timeouts) {
        long now = System.currentTimeMillis();
        for (Waiter w : waiters) {
            int acked = ackedAtLeast(w.target);
            if (acked >= w.replicas || (timeouts && w.deadline > 0 && now >= w.deadline)) {
                if (waiters.remove(w)) {
                    ByteBuf reply = Unpooled.copiedBuffer(":" + acked + "\r\n", StandardCharsets.US_ASCII);
                    w.client.channel().eventLoop().execute(() -> w.client.unblocked(reply));
                }
            }
        }
    }

    /**
     * PSYNC replid offset (SYNC: replid null): +CONTINUE from the backlog when the history
     * matches (Redis's masterTryPartialResynchronization, also through replid2 after a
     * promotion), else a full resync. Replies are written straight to the connection, ahead of
     * the stream; the client becomes a replica.
     */
    public void psync(Client c, String askedId, long askedOffset, boolean legacySync) {
        Replica r = handshakes.computeIfAbsent(c, Replica::new);
        if (replicas.contains(r)) return; // a second PSYNC on a replica link: ignored, as Redis
        r.legacySync = legacySync;
        // (a filtered image is only ever sent diskless: ReplicationCommands refused it without capa eof)
        boolean create;
        synchronized (this) {
            if (!legacySync && askedId != null) {
                if (tryPartial(r, askedId, askedOffset)) {
                    syncPartialOk.incrementAndGet();
                    return;
                }
                // a replica that asked to continue and could not (Redis: not for "?")
                if (!askedId.equals("?")) syncPartialErr.incrementAndGet();
            }
            syncFull.incrementAndGet();
            create = backlog == null;
            if (create) createBacklog();
            r.state = Replica.State.WAIT_BGSAVE_START;
            r.waitingSince = System.currentTimeMillis();
            replicas.add(r);
        }
        if (create) subscribe();
        Log.notice("Replica " + r.name() + " asks for synchronization");
        if (legacySync || askedId == null || askedId.equals("?")) {
            Log.notice("Full resync requested by replica " + r.name());
        }
        startWaitingSyncs(System.currentTimeMillis(), false);
    }

    /** Creates the backlog and subscribes to the effect stream (the first replica's sync). */
    private void createBacklog() {
        backlog = new Backlog((int) Math.min(Integer.MAX_VALUE - 8, backlogSize), offset);
        // Redis's createReplicationBacklog: a new history starts: the next effect SELECTs
        streamDb = -1;
    }

    /**
     * Starts receiving the effect stream (once: the source stays subscribed). Not under this
     * object's lock: subscribing takes every shard lock, and writers publishing hold shard locks
     * before they take this one.
     */
    private void subscribe() {
        synchronized (this) {
            if (subscribed) return;
            subscribed = true;
        }
        effects.subscribe(this);
    }

    /**
     * Redis's masterTryPartialResynchronization. {@code askedOffset} is the first stream byte the
     * replica lacks (its processed offset + 1; Redis numbers stream bytes from 1).
     */
    private boolean tryPartial(Replica r, String askedId, long askedOffset) {
        if (askedId.equals("?")) return false;
        long processed = askedOffset - 1;
        if (!askedId.equals(replId) && !(askedId.equals(replId2) && processed <= secondReplOffset)) {
            if (!askedId.equals(replId2)) {
                Log.notice("Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '"
                        + askedId + "', my replication IDs are '" + replId + "' and '" + replId2 + "')");
            } else {
                Log.notice("Partial resynchronization not accepted: Requested offset for second ID was " + askedOffset
                        + ", but I can reply up to " + secondReplOffset);
            }
            return false;
        }
        if (backlog == null || !backlog.covers(processed, offset)) {
            Log.notice("Unable to partial resync with replica " + r.name() + " for lack of backlog (Replica request was: "
                    + askedOffset + ").");
            return false;
        }
        // +CONTINUE <replid> for a psync2 replica (it learns a changed id), then the missing bytes
        String reply = r.capaPsync2 ? "+CONTINUE " + replId + "\r\n" : "+CONTINUE\r\n";
        ByteBuf b = Unpooled.buffer();
        b.writeCharSequence(reply, StandardCharsets.US_ASCII);
        backlog.copyFrom(processed, offset, b);
        r.state = Replica.State.ONLINE;
        r.lastAckMillis = System.currentTimeMillis();
        r.ackOffset = processed;
        replicas.add(r);
        r.client.channel().writeAndFlush(b);
        Log.notice("Partial resynchronization request from " + r.name() + " accepted. Sending "
                + (offset - processed) + " bytes of backlog starting from offset " + askedOffset + ".");
        return true;
    }

    /**
     * Starts a full sync for the replicas waiting for one: at once for a disk-based sync or when
     * repl-diskless-sync-delay is 0 or enough replicas wait (repl-diskless-sync-max-replicas),
     * else once the delay has passed (the cron), so replicas arriving together share one image.
     */
    private void startWaitingSyncs(long now, boolean force) {
        List<Replica> batch = new ArrayList<>();
        boolean diskless;
        synchronized (this) {
            int waiting = 0;
            long oldest = Long.MAX_VALUE;
            for (Replica r : replicas) {
                if (r.state != Replica.State.WAIT_BGSAVE_START) continue;
                waiting++;
                oldest = Math.min(oldest, r.waitingSince);
            }
            if (waiting == 0) return;
            diskless = disklessSync;
            boolean due = force || !diskless || disklessDelay == 0 || now - oldest >= disklessDelay * 1000L
                    || (disklessMaxReplicas > 0 && waiting >= disklessMaxReplicas);
            if (!due) return;
            // one image per kind: replicas asking for a filtered one (always diskless) get their own
            Boolean filtered = null;
            for (Replica r : replicas) {
                if (r.state == Replica.State.WAIT_BGSAVE_START && (filtered == null || r.excludeData)) filtered = r.excludeData;
            }
            if (filtered) diskless = true;
            for (Replica r : replicas) {
                if (r.state != Replica.State.WAIT_BGSAVE_START || r.excludeData != filtered) continue;
                // a replica that cannot read the EOF-marked format gets a disk-based payload
                if (diskless && !r.capaEof) continue;
                r.state = Replica.State.WAIT_BGSAVE_END;
                batch.add(r);
            }
            if (batch.isEmpty() && diskless && !filtered) {
                // only replicas without capa eof wait: serve them from disk
                diskless = false;
                for (Replica r : replicas) {
                    if (r.state != Replica.State.WAIT_BGSAVE_START) continue;
                    r.state = Replica.State.WAIT_BGSAVE_END;
                    batch.add(r);
                }
            }
        }
        if (batch.isEmpty()) return;
        boolean toSocket = diskless;
        Thread t = new Thread(() -> fullSync(batch, toSocket), "basalt-repl-sync");
        t.setDaemon(true);
        t.start();
    }

    /**
     * One image for a batch of replicas. At the snapshot instant (every shard locked) the offset
     * is read, +FULLRESYNC written and the replicas start buffering the stream; the image then
     * streams while writers run. Diskless: straight to the sockets between "$EOF:mark" and the
     * mark; disk-based: to a temporary file first, then "$len" and the file.
     */
    private void fullSync(List<Replica> batch, boolean diskless) {
        java.nio.file.Path tmp = null;
        try {
            RdbWriter.Options o = rdbOptions.get();
            o.excludeData = batch.get(0).excludeData;
            byte[] mark = randomId().getBytes(StandardCharsets.US_ASCII);
            o.atInstant = () -> {
                synchronized (this) {
                    o.replId = replId;
                    o.replOffset = offset;
                    // the image's stream database: the replica's master client starts there,
                    // and the next effect SELECTs explicitly (Redis resets slaveseldb); on a
                    // replica, the database its master's stream is in
                    o.replStreamDb = following ? masterDb.getAsInt() : Math.max(0, streamDb);
                    if (!following) streamDb = -1;
                    for (Replica r : batch) {
                        r.startOffset = offset;
                        r.ackOffset = offset;
                        r.buffering = true;
                        String head = (r.legacySync ? "" : "+FULLRESYNC " + replId + " " + offset + "\r\n")
                                + (diskless ? "$EOF:" + new String(mark, StandardCharsets.US_ASCII) + "\r\n" : "");
                        if (!head.isEmpty()) r.client.channel().writeAndFlush(Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
                    }
                }
            };
            // no command of the master's stream is half applied (and half counted) at the instant
            o.instantLock = applying;
            Log.notice("Starting BGSAVE for SYNC with target: " + (diskless ? "replicas sockets" : "disk"));
            if (diskless) {
                try (SocketsOut out = new SocketsOut(batch)) {
                    RdbWriter.write(out, keyspace, o);
                    out.write(mark, 0, mark.length);
                }
                Log.notice("Streamed RDB transfer with replica(s) succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming");
                synchronized (this) {
                    for (Replica r : batch) if (r.state == Replica.State.WAIT_BGSAVE_END) r.state = Replica.State.WAIT_ACK;
                }
            } else {
                tmp = java.nio.file.Files.createTempFile(java.nio.file.Path.of(dir), "temp-repl-", ".rdb");
                try (OutputStream f = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp), 1 << 16)) {
                    RdbWriter.write(f, keyspace, o);
                }
                long size = java.nio.file.Files.size(tmp);
                try (SocketsOut out = new SocketsOut(batch); java.io.InputStream in = java.nio.file.Files.newInputStream(tmp)) {
                    byte[] head = ("$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    out.write(head, 0, head.length);
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) out.write(buf, 0, n);
                }
                Log.notice("Synchronization with replica(s) succeeded");
                synchronized (this) {
                    for (Replica r : batch) if (r.state == Replica.State.WAIT_BGSAVE_END) r.goOnline();
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.warning("Full resync for replica(s) failed: " + e);
            for (Replica r : batch) r.client.kill();
        } finally {
            if (tmp != null) {
                try {
                    java.nio.file.Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stale temp file in dir is harmless
                }
            }
        }
    }

    /** Writes the image to every replica of a batch, waiting while a socket is not writable. */
    private static final class SocketsOut extends OutputStream {
        private final List<Replica> batch;

        SocketsOut(List<Replica> batch) {
            this.batch = batch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) return;
            boolean anyAlive = false;
            for (Replica r : batch) {
                Channel ch = r.client.channel();
                if (!ch.isActive()) continue;
                anyAlive = true;
                // backpressure: the image never piles up in memory faster than the replica reads
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (!ch.isWritable() && ch.isActive()) {
                    if (System.nanoTime() > deadline) throw new IOException("replica " + r.name() + " stopped reading");
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted");
                    }
                }
                ch.writeAndFlush(Unpooled.copiedBuffer(b, off, len));
            }
            if (!anyAlive) throw new IOException("every replica of the sync disconnected");
        }
    }

    /** A connection closed: a replica is forgotten (its sync, if any, goes on for the others). */
    @Override
    public void clientClosed(Client c) {
        waiters.removeIf(w -> w.client == c);
        Replica r = handshakes.remove(c);
        if (r == null) return;
        synchronized (this) {
            if (replicas.remove(r)) {
                r.buffered = null;
                Log.notice("Connection with replica " + r.name() + " lost.");
            }
        }
    }

    // ---------------------------------------------------------------- introspection

    /** REPLCONF rdb-filter-only was given without capa eof: SYNC must refuse (Redis's syncCommand). */
    public boolean filteredWithoutEof(Client c) {
        Replica r = handshakes.get(c);
        return r != null && r.excludeData && !r.capaEof;
    }

    /** Whether {@code c} is a replica link (Redis's CLIENT_SLAVE): it gets no ordinary replies. */
    public boolean isReplica(Client c) {
        Replica r = handshakes.get(c);
        return r != null && replicas.contains(r);
    }

    /** master_repl_offset, read without the lock the stream's writers take. */
    public long offset() { return offset; }

    public long syncFull() { return syncFull.get(); }

    public long syncPartialOk() { return syncPartialOk.get(); }

    public long syncPartialErr() { return syncPartialErr.get(); }

    public String replId() { return replId; }

    private volatile java.util.function.Supplier<String> failoverState = () -> "no-failover";

    /** Where INFO's master_failover_state comes from (FAILOVER's state). */
    void failoverState(java.util.function.Supplier<String> s) { failoverState = s; }

    /** Replicas attached, in any state (FAILOVER requires one). */
    public int replicaCount() { return replicas.size(); }

    /** The replica listening at host:port: -1 none, 0 not online, 1 online (FAILOVER TO). */
    synchronized int replicaStatus(String host, int port) {
        for (Replica r : replicas) {
            if (r.ip().equalsIgnoreCase(host) && r.listeningPort == port) return r.state == Replica.State.ONLINE ? 1 : 0;
        }
        return -1;
    }

    /**
     * A replica that acknowledged the whole stream, {ip, port}: the one at host:port, or (host
     * null) any; null if none has (FAILOVER's wait).
     */
    synchronized String[] caughtUpReplica(String host, int port) {
        for (Replica r : replicas) {
            if (host != null && !(r.ip().equalsIgnoreCase(host) && r.listeningPort == port)) continue;
            if (r.ackOffset == offset) return new String[] {r.ip(), Integer.toString(r.listeningPort)};
        }
        return null;
    }

    /** Replicas that acknowledged at least {@code off} (WAIT). */
    public int ackedAtLeast(long off) {
        int n = 0;
        for (Replica r : replicas) if (r.state == Replica.State.ONLINE && r.ackOffset >= off) n++;
        return n;
    }

    /** ROLE as a master: the offset and each online replica's address and acknowledged offset. */
    public synchronized void role(io.basalt.resp.RespWriter w) {
        w.array(3);
        w.bulk("master");
        w.integer(offset);
        List<Replica> online = new ArrayList<>();
        for (Replica r : replicas) if (r.state == Replica.State.ONLINE) online.add(r);
        w.array(online.size());
        for (Replica r : online) {
            w.array(3);
            w.bulk(r.ip());
            w.bulk(Integer.toString(r.listeningPort));
            w.bulk(Long.toString(r.ackOffset));
        }
    }

    /** INFO replication after the role's own lines: the replicas and this server's history. */
    public synchronized void info(StringBuilder sb) {
        int i = 0;
        List<String> lines = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Replica r : replicas) {
            lines.add("slave" + (i++) + ":ip=" + r.ip() + ",port=" + r.listeningPort + ",state=" + r.state.info
                    + ",offset=" + r.ackOffset + ",lag=" + (r.lastAckMillis > 0 ? (now - r.lastAckMillis) / 1000 : 0));
        }
        line(sb, "connected_slaves", replicas.size());
        if (minReplicasToWrite > 0 && minReplicasMaxLag > 0) line(sb, "min_slaves_good_slaves", goodReplicas());
        for (String l : lines) sb.append(l).append("\r\n");
        line(sb, "master_failover_state", failoverState.get());
        line(sb, "master_replid", replId);
        line(sb, "master_replid2", replId2);
        line(sb, "master_repl_offset", offset);
        line(sb, "second_repl_offset", secondReplOffset);
        line(sb, "repl_backlog_active", backlog != null ? 1 : 0);
        line(sb, "repl_backlog_size", backlogSize);
        line(sb, "repl_backlog_first_byte_offset", backlog != null ? backlog.firstByteOffset() : 0);
        line(sb, "repl_backlog_histlen", backlog != null ? backlog.histlen() : 0);
    }

    private static void line(StringBuilder sb, String k, Object v) {
        sb.append(k).append(':').append(v).append("\r\n");
    }

    // ---------------------------------------------------------------- a replica

    /** One replica link, as Redis's client with CLIENT_SLAVE and its repl state. */
    private final class Replica {
        enum State {
            WAIT_BGSAVE_START("wait_bgsave"), WAIT_BGSAVE_END("wait_bgsave"), WAIT_ACK("send_bulk"), ONLINE("online");

            final String info;

            State(String info) { this.info = info; }
        }

        final Client client;
        volatile State state = State.WAIT_BGSAVE_START;
        int listeningPort;
        String announcedIp;
        boolean capaEof;
        boolean capaPsync2;
        boolean legacySync;
        /** REPLCONF rdb-filter-only: an image without keys (redis-cli --replica, --functions-rdb). */
        boolean excludeData;
        long waitingSince;
        long startOffset;
        volatile long ackOffset;
        volatile long lastAckMillis;
        /** While the image is sent: the stream after its instant, sent once the image is through. */
        boolean buffering;
        ByteBuf buffered;
        /** Stream bytes to write, flushed by one task on the connection's event loop. */
        private ByteBuf outgoing;
        private boolean flushScheduled;

        Replica(Client client) {
            this.client = client;
        }

        String ip() { return announcedIp != null ? announcedIp : hostOf(client.address()); }

        String name() { return ip() + ":" + listeningPort; }

        /** Stream bytes (this source's lock held): buffered during the image, else sent. */
        void feed(byte[] b, int off, int len) {
            if (dropped) return;
            if (buffering) {
                if (buffered == null) buffered = Unpooled.buffer(Math.max(256, len));
                buffered.writeBytes(b, off, len);
                checkLimit(buffered.readableBytes());
                return;
            }
            if (state != State.ONLINE) return;
            send(b, off, len);
            io.netty.channel.ChannelOutboundBuffer q = client.channel().unsafe().outboundBuffer();
            checkLimit(outgoing.readableBytes() + (q == null ? 0 : q.totalPendingWriteBytes()));
        }

        /** Set once over its output limit: the link is closing, nothing more is queued for it. */
        private boolean dropped;
        private final io.basalt.server.config.ClientOutputBufferLimit.Tracker limitTracker = new io.basalt.server.config.ClientOutputBufferLimit.Tracker();

        /**
         * Redis's checkClientOutputBufferLimits for the replica class: over the hard limit, or
         * over the soft one for longer than its seconds, the replica is dropped (it reconnects
         * and resynchronizes) rather than letting its backlog of output grow without bound.
         */
        private void checkLimit(long size) {
            io.basalt.server.config.ClientOutputBufferLimit.Limit l = outputLimit;
            if (l == null || !limitTracker.over(l, size)) return;
            dropped = true;
            buffered = null;
            outgoing = null;
            Log.warning("Client id=" + client.id() + " addr=" + client.address()
                    + " scheduled to be closed ASAP for overcoming of output buffer limits.");
            client.kill();
        }

        private void send(byte[] b, int off, int len) {
            if (dropped) return;
            if (outgoing == null) outgoing = Unpooled.buffer(Math.max(256, len));
            outgoing.writeBytes(b, off, len);
            if (!flushScheduled) {
                flushScheduled = true;
                client.channel().eventLoop().execute(this::flush);
            }
        }

        /** On the connection's event loop: one write and flush for everything fed since the last. */
        private void flush() {
            ByteBuf out;
            synchronized (ReplicationSource.this) {
                out = outgoing;
                outgoing = null;
                flushScheduled = false;
            }
            if (out == null) return;
            if (client.channel().isActive()) client.channel().writeAndFlush(out);
            else out.release();
        }

        /** The image is through (and acknowledged, for diskless): the buffered stream goes out, then the live one. */
        void goOnline() {
            state = State.ONLINE;
            buffering = false;
            lastAckMillis = System.currentTimeMillis();
            ByteBuf b = buffered;
            buffered = null;
            if (b != null && b.isReadable()) send(b.array(), b.arrayOffset() + b.readerIndex(), b.readableBytes());
            Log.notice("Synchronization with replica " + name() + " succeeded");
        }
    }

    private static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        String h = colon > 0 ? address.substring(0, colon) : address;
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        return h;
    }

    // ---------------------------------------------------------------- the backlog

    /**
     * Redis's replication backlog: the last {@code size} bytes of the stream in a ring, and the
     * stream offset its first byte has, so a replica that lost its link can continue from
     * where it was (PSYNC) instead of a full resync.
     */
    static final class Backlog {
        private final byte[] ring;
        /** Stream offset of the end of the history (= master_repl_offset). */
        private long end;
        private long histlen;

        Backlog(int size, long offset) {
            this.ring = new byte[size];
            this.end = offset;
        }

        void append(byte[] b, int off, int len) {
            int size = ring.length;
            if (len >= size) { // only the last size bytes matter
                off += len - size;
                end += len - size;
                len = size;
            }
            int pos = (int) (end % size);
            int first = Math.min(len, size - pos);
            System.arraycopy(b, off, ring, pos, first);
            if (len > first) System.arraycopy(b, off + first, ring, 0, len - first);
            end += len;
            histlen = Math.min(size, histlen + len);
        }

        /** repl_backlog_first_byte_offset: Redis numbers stream bytes from 1. */
        long firstByteOffset() { return end - histlen + 1; }

        long histlen() { return histlen; }

        /** Whether a replica at {@code from} (the offset it processed) can continue from here. */
        boolean covers(long from, long masterOffset) {
            return from >= end - histlen && from <= masterOffset;
        }

        /** Writes the history after offset {@code from} into {@code out}. */
        void copyFrom(long from, long to, ByteBuf out) {
            int size = ring.length;
            long n = to - from;
            int pos = (int) (from % size);
            int first = (int) Math.min(n, size - pos);
            out.writeBytes(ring, pos, first);
            if (n > first) out.writeBytes(ring, 0, (int) (n - first));
        }

        /** CONFIG SET repl-backlog-size: a new ring holding as much of the history as fits. */
        Backlog resized(int size) {
            Backlog b = new Backlog(size, end - Math.min(histlen, size));
            long keep = Math.min(histlen, size);
            ByteBuf tmp = Unpooled.buffer((int) keep);
            copyFrom(end - keep, end, tmp);
            b.append(tmp.array(), tmp.arrayOffset(), (int) keep);
            return b;
        }
    }
}
