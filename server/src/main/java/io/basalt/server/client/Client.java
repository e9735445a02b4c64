package io.basalt.server.client;

import io.basalt.resp.RespWriter;
import io.basalt.server.BasaltServer;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The state of one client connection: what CLIENT LIST shows, what HELLO/SELECT/AUTH change, and
 * the reply writer handlers write into. Touched only on the connection's event loop, except for
 * the fields other clients read (CLIENT LIST/KILL), which are volatile.
 */
public final class Client {
    public enum ReplyMode { ON, OFF, SKIP }

    private final BasaltServer server;
    /** Where {@link #signalModified} and {@link #notifyKeyspaceEvent} go. */
    private final KeySignals keys;
    private final Channel channel;
    private final long id;
    private final ClientKind kind;
    private final long createdAt = System.currentTimeMillis();
    private final RespWriter out = new RespWriter();

    volatile int db;
    volatile String name = "";
    volatile String libName = "";
    volatile String libVer = "";
    volatile boolean authenticated;
    /** The ACL user (Redis's c->user): the default user until AUTH; null for what obeys (the AOF, the master). */
    volatile io.basalt.server.acl.AclUser user;
    volatile long lastInteraction = System.currentTimeMillis();
    volatile String lastCommand = "NULL";
    volatile boolean noEvict;
    volatile boolean noTouch;
    public volatile long queryBufferSize;
    public volatile long outputBufferSize;
    /** The bytes its query buffer holds allocated (maxmemory-clients counts them, as Redis). */
    public volatile long queryBufferAlloc;
    /** Its size as maxmemory-clients last counted it; -1: not counted (see ClientEviction). */
    public volatile long evictionMemory = -1;
    private ReplyMode replyMode = ReplyMode.ON;
    private boolean skipNext;
    private boolean suppressCurrent;
    private boolean closeAfterReply;
    private boolean errorReplied;
    /** The command flag bits ({@code CommandSpec.bits}) of the last command looked up, as {@link #lastCommand}. */
    private volatile int lastBits;
    /** Each subsystem's per-client state, by {@link Slot} (see there). */
    private final Object[] slots = new Object[Slot.CAPACITY];
    // CLIENT PAUSE: the current command was held back / the connection waits for the unpause
    private boolean deferred;
    private volatile boolean parked;
    private Runnable waker;
    private boolean skipNextBeforeDefer;

    public Client(BasaltServer server, KeySignals keys, Channel channel, long id, ClientKind kind) {
        this.server = server;
        this.keys = keys;
        this.channel = channel;
        this.id = id;
        this.kind = kind;
        io.basalt.server.acl.Acl acl = server.acl();
        this.user = kind.obeys() ? null : acl.defaultUser();
        this.authenticated = kind.obeys() || acl.defaultAuthenticated();
    }

    public BasaltServer server() { return server; }

    public Channel channel() { return channel; }

    public long id() { return id; }

    /** What this client is (a user's connection, the AOF replay, a master link): its privileges. */
    public ClientKind kind() { return kind; }

    public long createdAt() { return createdAt; }

    /**
     * The time key lookups compare TTLs with: now, except for the clients that obey (the link to
     * this server's master and the AOF replay), which see every key live: a replica never
     * expires keys on its own (the master's DELs do it, Redis's expireIfNeeded for
     * {@code server.master}), and nothing expires while the AOF loads (keyIsExpired during
     * loading), so its commands rebuild exactly what was logged. See {@code Shard.get}.
     */
    public long lookupTime() { return kind.obeys() ? -1 : System.currentTimeMillis(); }

    /** The reply writer of this connection. */
    public RespWriter out() { return out; }

    public int db() { return db; }

    public void db(int db) { this.db = db; }

    public String name() { return name; }

    public void name(String name) { this.name = name; }

    public String libName() { return libName; }

    public void libName(String v) { this.libName = v; }

    public String libVer() { return libVer; }

    public void libVer(String v) { this.libVer = v; }

    public boolean authenticated() { return authenticated; }

    public void authenticated(boolean a) { this.authenticated = a; }

    /** The ACL user this connection runs as; null for a client that obeys (no ACL applies). */
    public io.basalt.server.acl.AclUser user() { return user; }

    public void user(io.basalt.server.acl.AclUser u) { this.user = u; }

    public boolean resp3() { return out.resp3(); }

    public void resp3(boolean v) { out.resp3(v); }

    /**
     * When the client last sent a command, for the idle-timeout check. Redis never times out a
     * blocked client (including one held by CLIENT PAUSE) or a Pub/Sub subscriber, so for those
     * this answers "now". CLIENT LIST's idle uses {@link #lastCommandMillis()}.
     */
    public long lastInteraction() {
        if (parked || blocked || monitor || subscriptions + patternSubscriptions + shardSubscriptions > 0) {
            return System.currentTimeMillis();
        }
        return lastInteraction;
    }

    /** Something was written to the client outside of a command (Redis's writeToClient updates lastinteraction). */
    public void wrote() { lastInteraction = System.currentTimeMillis(); }

    /** When the client last sent a command (CLIENT LIST idle). */
    public long lastCommandMillis() { return lastInteraction; }

    public String lastCommand() { return lastCommand; }

    public boolean noEvict() { return noEvict; }

    public void noEvict(boolean v) { this.noEvict = v; }

    public boolean noTouch() { return noTouch; }

    public void noTouch(boolean v) { this.noTouch = v; }

    public long queryBufferSize() { return queryBufferSize; }

    public long outputBufferSize() { return outputBufferSize; }

    public ReplyMode replyMode() { return replyMode; }

    /**
     * CLIENT REPLY: ON replies to this command; OFF suppresses this and later replies; SKIP
     * suppresses this reply and the next command's.
     */
    public void replyMode(ReplyMode m) {
        if (m == ReplyMode.SKIP) {
            // Redis ignores SKIP while replies are OFF
            if (replyMode == ReplyMode.OFF) return;
            skipNext = true;
            suppressCurrent = true;
        } else {
            replyMode = m;
            if (m == ReplyMode.ON) {
                // ON clears both skip flags, so its own +OK is sent even right after a SKIP
                skipNext = false;
                suppressCurrent = false;
            }
        }
    }

    /**
     * RESET: replies on again (clears OFF and a pending SKIP) but, as in Redis, a SKIP that
     * applies to the RESET command itself still drops its reply.
     */
    public void resetReplyMode() {
        replyMode = ReplyMode.ON;
        skipNext = false;
    }

    /** Called by the dispatcher before a command: whether its reply is to be dropped. */
    public boolean beginReply() {
        pushEnd = -1;
        skipNextBeforeDefer = skipNext;
        boolean skip = skipNext;
        skipNext = false;
        suppressCurrent = skip;
        return skip;
    }

    /** Called after the command: whether the bytes it wrote are to be dropped. */
    public boolean dropReply() {
        return suppressCurrent || replyMode == ReplyMode.OFF;
    }

    // ---------------------------------------------------------------- CLIENT PAUSE

    /**
     * Called by the dispatcher instead of running a command that CLIENT PAUSE holds back: the
     * connection handler keeps the command in the query buffer and parks the connection until
     * the pause ends, then runs it again from the start (so the reply-skip state is restored too).
     */
    public void defer() {
        deferred = true;
        skipNext = skipNextBeforeDefer;
        suppressCurrent = false;
    }

    /** Whether the command just dispatched was held back by {@link #defer()} (not cleared). */
    public boolean deferred() { return deferred; }

    /** True (once) if the command just dispatched was held back by {@link #defer()}. */
    public boolean takeDeferred() {
        boolean d = deferred;
        deferred = false;
        return d;
    }

    /** True while the connection waits for a pause to end (shown as flag 'b' in CLIENT LIST). */
    public boolean parked() { return parked; }

    /**
     * Parks the connection: stops reading from the socket and arranges for {@code resume} to run
     * on the connection's event loop when CLIENT UNPAUSE is called or the pause time is over,
     * whichever comes first. The event loop itself never waits, so other connections go on.
     */
    public void park(Runnable resume) {
        parked = true;
        channel.config().setAutoRead(false);
        ClientPause pause = server.pause();
        Runnable w = () -> channel.eventLoop().execute(() -> unpark(resume));
        waker = w;
        pause.await(w);
        // the pause may have ended between the check and the registration: re-check after 1 ms at least
        long delay = Math.max(1, pause.remainingMillis() + 1);
        channel.eventLoop().schedule(() -> unpark(resume), delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void unpark(Runnable resume) {
        if (!parked) return;
        parked = false;
        cancelPark();
        if (!channel.isActive()) return;
        if (channel.isWritable()) channel.config().setAutoRead(true);
        resume.run();
    }

    /** Forgets the waker of a parked connection (it resumed or closed). */
    public void cancelPark() {
        Runnable w = waker;
        waker = null;
        if (w != null) server.pause().cancel(w);
    }

    // ---------------------------------------------------------------- blocking commands (BLPOP...)

    private boolean blockRequested;
    private volatile boolean blocked;
    private java.util.function.Consumer<io.netty.buffer.ByteBuf> onUnblock;

    /** Whether the command the client waits for is a script running on the scripting thread. */
    private boolean scriptWait;

    /** Called by {@code Blocking.block}: the command just dispatched waits, with no reply yet. */
    public void blockRequested() {
        blockRequested = true;
        scriptWait = false;
    }

    /** Called by scripting: the command just dispatched waits for the scripting thread. */
    public void scriptRequested() {
        blockRequested = true;
        scriptWait = true;
    }

    /** While blocked: whether it waits for a script (a short wait, as a rule) rather than a key. */
    public boolean waitingForScript() { return scriptWait; }

    /**
     * True (once) if the command just dispatched blocked: the connection handler then stops
     * reading and waits for {@code onUnblock} to get the reply (served or timed out).
     */
    public boolean takeBlocked(java.util.function.Consumer<io.netty.buffer.ByteBuf> onUnblock) {
        if (!blockRequested) return false;
        blockRequested = false;
        blocked = true;
        this.onUnblock = onUnblock;
        // reading goes on (the connection handler keeps what arrives unparsed, see its
        // channelRead): no epoll change for each blocked command, which scripts make one of
        return true;
    }

    /** True while blocked by BLPOP & co. (flag 'b' in CLIENT LIST). */
    public boolean blocked() { return blocked; }

    /** On the event loop: the blocked command's reply is ready; the connection resumes. */
    public void unblocked(io.netty.buffer.ByteBuf reply) {
        java.util.function.Consumer<io.netty.buffer.ByteBuf> k = onUnblock;
        onUnblock = null;
        blocked = false;
        if (k == null || !channel.isActive()) {
            reply.release();
            return;
        }
        if (channel.isWritable()) channel.config().setAutoRead(true);
        k.accept(reply);
    }

    // ---------------------------------------------------------------- EXEC (the queue and WATCHes: exec.ExecState)

    /** Running the commands of an EXEC: blocking commands do not block (CLIENT_DENY_BLOCKING). */
    private boolean inExec;

    /** Inside EXEC, where blocking commands answer at once as if they timed out. */
    public boolean denyBlocking() { return inExec; }

    /** Whether the commands of an EXEC are running (set by the dispatcher around them). */
    public boolean inExec() { return inExec; }

    public void inExec(boolean v) { inExec = v; }

    // ---------------------------------------------------------------- propagation (see Propagation)

    /** Redis's server.dirty, per client: the changes this client's commands made (see KeyspaceEvents). */
    private long dirty;
    /** What the running command propagates instead of itself (Redis's alsoPropagate); null: itself. */
    private java.util.List<byte[][]> propagated;

    /**
     * The effect-stream unit of this client's last write (Redis's c->woff, as a sequence number
     * the replication source turns into a stream offset): what WAIT waits for replicas to reach.
     */
    private volatile long lastWriteSeq;

    public long lastWriteSeq() { return lastWriteSeq; }

    public void lastWriteSeq(long seq) { lastWriteSeq = seq; }

    /** The changes counted so far ({@link #dirty()}), to compare before and after a command. */
    public long dirtyCount() { return dirty; }

    /** Counts one change to the dataset (Redis's server.dirty++). */
    public void dirty() { dirty++; }

    /**
     * Logs {@code argv} for the running command instead of the command itself (each call adds one
     * record): the deterministic form of what happened, as Redis's rewriteClientCommandVector /
     * alsoPropagate (SET ... PXAT for SET EX, SREM for SPOP, SET ... KEEPTTL for INCRBYFLOAT).
     */
    public void propagate(byte[]... argv) {
        if (propagated == null) propagated = new java.util.ArrayList<>(2);
        propagated.add(argv);
    }

    public void propagate(String... argv) {
        byte[][] b = new byte[argv.length][];
        for (int i = 0; i < argv.length; i++) b[i] = argv[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        propagate(b);
    }

    /** The running command changed things but logs nothing itself (its effect is logged otherwise). */
    /** Redis's forceCommandPropagation(c, PROPAGATE_REPL), set by the running command. */
    private boolean forceReplication;

    /**
     * The running command goes to replicas as sent even though it changed nothing, and not to the
     * AOF: PUBLISH and SPUBLISH outside cluster mode, so a replica's subscribers get the message.
     */
    public void forceReplication() { forceReplication = true; }

    /** Whether the command that just ran asked for {@link #forceReplication}; clears it. */
    public boolean takeForceReplication() {
        boolean f = forceReplication;
        forceReplication = false;
        return f;
    }

    public void propagateNothing() {
        if (propagated == null) propagated = new java.util.ArrayList<>(0);
    }

    public java.util.List<byte[][]> takePropagated() {
        java.util.List<byte[][]> p = propagated;
        propagated = null;
        return p;
    }

    /** Redis's {@code signalModifiedKey} for a key of this client's database. */
    public void signalModified(byte[] key) { keys.modified(this, db, key); }

    /** Redis's {@code notifyKeyspaceEvent} for a key of this client's database. */
    public void notifyKeyspaceEvent(int type, String event, byte[] key) {
        keys.notify(type, event, key, db);
    }

    /** Drops the replies written but not yet flushed to the socket. */
    public void discardPendingReplies() {
        io.netty.buffer.ByteBuf b = out.target();
        if (b != null) b.clear();
    }

    /** Close the connection once the replies written so far are flushed (QUIT, protocol errors). */
    public void closeAfterReply() { this.closeAfterReply = true; }

    public boolean closingAfterReply() { return closeAfterReply; }

    /**
     * Writes an error reply and counts it in INFO errorstats and the command's failed_calls.
     * {@code message} starts with the error code, e.g. "ERR syntax error", "WRONGTYPE ...".
     */
    /**
     * An error whose text holds bytes of the client's arguments (unknown command errors): written
     * byte for byte, as Redis does, with CR and LF turned into spaces.
     */
    public void error(byte[] message) {
        errorReplied = true;
        server.stats().error(new String(message, java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] line = new byte[message.length + 3];
        line[0] = '-';
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            line[i + 1] = (b == '\r' || b == '\n') ? (byte) ' ' : b;
        }
        line[line.length - 2] = '\r';
        line[line.length - 1] = '\n';
        out.raw(line);
    }

    public void error(String message) {
        errorReplied = true;
        server.stats().error(message);
        out.error(message);
    }

    /** True if an error was replied since the last {@link #resetErrorFlag()}. */
    public boolean errorReplied() { return errorReplied; }

    public void resetErrorFlag() { errorReplied = false; }

    public void touched(String command, int bits) {
        lastInteraction = System.currentTimeMillis();
        // the commands of an EXEC leave CLIENT LIST's cmd at exec, as in Redis
        if (!inExec) {
            lastCommand = command;
            lastBits = bits;
        }
    }

    /** Redis sets the last command as soon as it is looked up, even if a check rejects it. */
    public void lookedUp(String command, int bits) {
        lastCommand = command;
        lastBits = bits;
    }

    /** Whether the last command looked up has {@link io.basalt.server.command.CommandFlags} {@code flag}. */
    public boolean lastSpecIs(int flag) {
        return (lastBits & flag) != 0;
    }

    /** The socket's file descriptor, as CLIENT LIST shows it (-1 when the transport has none). */
    public int fd() {
        if (channel instanceof io.netty.channel.unix.UnixChannel u) {
            try {
                return u.fd().intValue();
            } catch (RuntimeException e) {
                return -1;
            }
        }
        return -1;
    }

    public String address() { return format(channel.remoteAddress()); }

    /** Whether the connection came in on the TLS port (Redis's connGetType == CONN_TYPE_TLS). */
    public boolean tls() { return channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null; }

    public String localAddress() { return format(channel.localAddress()); }

    private static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            int pct = host.indexOf('%');
            if (pct >= 0) host = host.substring(0, pct);
            // Redis's anetFormatAddr: IPv6 addresses in brackets
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + i.getPort() : host + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    /** Closes the connection now (CLIENT KILL, timeout, shutdown). */
    public void kill() {
        // gone from CLIENT LIST at once, as in Redis, even though the close completes later
        server.unregister(this);
        channel.close();
    }

    // ---------------------------------------------------------------- Pub/Sub state (CLIENT LIST)

    volatile int subscriptions;
    volatile int patternSubscriptions;
    volatile int shardSubscriptions;

    /** Records this client's subscription counts (Pub/Sub commands), shown by CLIENT LIST. */
    public void subscriptions(int channels, int patterns, int shardChannels) {
        subscriptions = channels;
        patternSubscriptions = patterns;
        shardSubscriptions = shardChannels;
    }

    public int subscriptions() { return subscriptions; }

    public int patternSubscriptions() { return patternSubscriptions; }

    public int shardSubscriptions() { return shardSubscriptions; }

    /** Redis's client type: "pubsub" while subscribed to anything, else "normal". */
    public String type() {
        if (kind == ClientKind.MASTER) return "master";
        if (replica) return "replica";
        return subscriptions + patternSubscriptions + shardSubscriptions > 0 ? "pubsub" : "normal";
    }

    /** Set once the connection became a replica link (SYNC / PSYNC): Redis's CLIENT_SLAVE. */
    private volatile boolean replica;

    public void markReplica() { replica = true; }

    /** Whether this connection is a replica's link (flag S, type replica). */
    public boolean replica() { return replica; }

    // ---------------------------------------------------------------- pushes (Pub/Sub, MONITOR)

    /** True while MONITOR streams commands to this client (flag 'O' in CLIENT LIST). */
    private volatile boolean monitor;
    /** True while this client's command runs (only read and written on its event loop). */
    private boolean executing;
    private volatile Outbox outbox;
    private Runnable pushFlusher;
    private int pushEnd = -1;

    /** Whether this client is a MONITOR. */
    public boolean monitor() { return monitor; }

    /** MONITOR on (or off, when the monitor is removed). */
    public void monitor(boolean v) { monitor = v; }

    /** Whether this client's command is running now (pushes to it then go straight into its reply). */
    public boolean executing() { return executing; }

    public void executing(boolean v) { executing = v; }

    /** Whether a RESP2 client is in Redis's subscribed mode (CLIENT_PUBSUB): any subscription. */
    public boolean subscribed() { return subscriptions + patternSubscriptions + shardSubscriptions > 0; }

    /** The queue other threads push messages into, created with the first subscription or MONITOR. */
    public Outbox outbox() {
        Outbox o = outbox;
        if (o == null) {
            synchronized (this) {
                o = outbox;
                if (o == null) outbox = o = new Outbox(this);
            }
        }
        return o;
    }

    /** The connection handler's way to write pushes outside of a command (set once, on connect). */
    public void pushFlusher(Runnable r) { this.pushFlusher = r; }

    /** On the event loop: a drain task for the pushes queued by other threads. */
    public void pushesReady() {
        Runnable r = pushFlusher;
        if (r != null) r.run();
    }

    /** On the event loop, with the output buffer in place: writes the queued pushes into it. */
    public void drainPushes() {
        Outbox o = outbox;
        if (o != null) o.drain();
    }

    /** Bytes pushed to this client and not yet written into its output. */
    public long queuedPushBytes() {
        Outbox o = outbox;
        return o == null ? 0 : o.queuedBytes();
    }

    /** Marks the end of a push just written: CLIENT REPLY OFF / SKIP never drop pushes (Redis's CLIENT_PUSHING). */
    public void pushed() { pushEnd = out.target().writerIndex(); }

    /** Where the pushes written by the current command end (-1: none), for a dropped reply. */
    public int pushEnd() { return pushEnd; }

    /**
     * Queues a frame for this client (any thread), written by its event loop in order with
     * Pub/Sub messages; at once when this client is the one running a command on this thread.
     */
    public void push(byte[] frame) {
        outbox().add(new Outbox.Push(frame), frame.length);
        if (executing && channel.eventLoop().inEventLoop()) drainPushes();
    }

    /** The connection closed: pushes queued for it are dropped. */
    public void closeOutbox() {
        Outbox o = outbox;
        if (o != null) o.close();
    }

    // ---------------------------------------------------------------- subsystem state

    /** The state {@code slot}'s subsystem keeps for this client; null until it sets one. */
    @SuppressWarnings("unchecked")
    public <T> T get(Slot<T> slot) { return (T) slots[slot.index]; }

    /** Sets (or, with null, drops) the state {@code slot}'s subsystem keeps for this client. */
    public <T> void set(Slot<T> slot, T state) { slots[slot.index] = state; }

    /**
     * A place on every client for one subsystem's per-client state (tracking options, Pub/Sub
     * subscriptions, ...), so that the state's type, fields and rules stay in the subsystem's
     * package and Client knows nothing of them. A subsystem makes one slot, as a static final
     * field, and reads it with {@code client.get(SLOT)}: an array load, no lookup, no allocation.
     * Slots are read and written on the client's event loop unless the subsystem says otherwise.
     */
    public static final class Slot<T> {
        /** Room for every subsystem: a new one that does not fit fails at class initialization. */
        static final int CAPACITY = 8;
        private static final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

        final int index;
        private final String owner;

        private Slot(String owner) {
            this.index = next.getAndIncrement();
            this.owner = owner;
            if (index >= CAPACITY) throw new IllegalStateException("no client slot left for " + owner);
        }

        /** A new slot, named after its owner for error messages. */
        public static <T> Slot<T> of(String owner) { return new Slot<>(owner); }

        @Override
        public String toString() { return "Client.Slot(" + owner + ")"; }
    }
}
